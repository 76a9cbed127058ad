import { useState } from 'react';
import { Alert, Button, Form, Input, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { MIN_PASSWORD_LENGTH } from '@shared/users';
import { ApiError } from '../api';
import { authApi } from './api';
import { AuthFrame } from './AuthFrame';
import { newPasswordRules, repeatRules } from './form-rules';
import { useAuth } from './store';
import { useErrorText } from './use-error-text';

interface Values {
  current_password: string;
  new_password: string;
  new_password2: string;
}

/**
 * Shown instead of the app while the signed-in user holds a one-time password (`password_must_change`):
 * the server refuses everything else (403 `password_change_required`) until they choose their own.
 */
export function ForcedPasswordPage() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const user = useAuth((s) => s.user);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (values: Values) => {
    setBusy(true);
    setError(null);
    try {
      await authApi.changePassword({ current_password: values.current_password, new_password: values.new_password });
      // The state now says the flag is gone: the app shows.
      await useAuth.getState().load();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const signOut = async () => {
    try {
      await authApi.logout();
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) return void setError(errorText(e));
    }
    useAuth.getState().signedOut();
  };

  return (
    <AuthFrame title={t('auth.mustChangeTitle')} testId="must-change-page">
      <Typography.Paragraph type="secondary">{t('auth.mustChangeIntro', { name: user?.display_name || user?.name || '' })}</Typography.Paragraph>
      {error && <Alert type="error" showIcon style={{ marginBottom: 16 }} message={error} data-testid="must-change-error" />}
      <Form<Values> layout="vertical" requiredMark={false} onFinish={(v) => void submit(v)}>
        <Form.Item name="current_password" label={t('auth.oneTimePassword')} rules={[{ required: true, message: t('auth.passwordRequired') }]}>
          <Input.Password autoComplete="current-password" autoFocus data-testid="must-change-current" />
        </Form.Item>
        <Form.Item name="new_password" label={t('auth.newPassword')} extra={t('auth.passwordHint', { n: MIN_PASSWORD_LENGTH })} rules={newPasswordRules(t)}>
          <Input.Password autoComplete="new-password" data-testid="must-change-new" />
        </Form.Item>
        <Form.Item name="new_password2" label={t('auth.newPasswordAgain')} dependencies={['new_password']} rules={repeatRules(t, 'new_password')}>
          <Input.Password autoComplete="new-password" data-testid="must-change-new2" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={busy} data-testid="must-change-submit">{t('auth.mustChangeSubmit')}</Button>
        <Button type="link" block onClick={() => void signOut()} data-testid="must-change-sign-out">{t('auth.signOut')}</Button>
      </Form>
    </AuthFrame>
  );
}
