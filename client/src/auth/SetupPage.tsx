import { useState } from 'react';
import { Alert, Button, Form, Input, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { MIN_PASSWORD_LENGTH } from '@shared/users';
import { authApi } from './api';
import { AuthFrame } from './AuthFrame';
import { nameRules, newPasswordRules, repeatRules } from './form-rules';
import { useAuth } from './store';
import { useErrorText } from './use-error-text';

interface SetupValues {
  name: string;
  display_name?: string;
  password: string;
  password2: string;
}

/** The one-time setup page, shown while no account exists: creates the first admin and signs them in. */
export function SetupPage() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (values: SetupValues) => {
    setBusy(true);
    setError(null);
    try {
      const displayName = values.display_name?.trim();
      useAuth.getState().signedIn(await authApi.setup({ name: values.name.trim(), password: values.password, ...(displayName ? { display_name: displayName } : {}) }));
    } catch (e) {
      setError(errorText(e));
      // Someone else finished the setup meanwhile: show the sign-in page.
      void useAuth.getState().load();
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthFrame title={t('auth.setupTitle')} testId="setup-page">
      <Typography.Paragraph type="secondary">{t('auth.setupIntro')}</Typography.Paragraph>
      {error && <Alert type="error" showIcon style={{ marginBottom: 16 }} message={error} data-testid="setup-error" />}
      <Form<SetupValues> layout="vertical" requiredMark={false} onFinish={(v) => void submit(v)}>
        <Form.Item
          name="name"
          label={t('auth.name')}
          rules={nameRules(t)}
        >
          <Input autoComplete="username" placeholder={t('auth.namePlaceholder')} autoFocus data-testid="setup-name" />
        </Form.Item>
        <Form.Item name="display_name" label={t('auth.displayName')}>
          <Input placeholder={t('auth.displayNamePlaceholder')} data-testid="setup-display-name" />
        </Form.Item>
        <Form.Item name="password" label={t('auth.password')} extra={t('auth.passwordHint', { n: MIN_PASSWORD_LENGTH })} rules={newPasswordRules(t)}>
          <Input.Password autoComplete="new-password" data-testid="setup-password" />
        </Form.Item>
        <Form.Item name="password2" label={t('auth.passwordAgain')} dependencies={['password']} rules={repeatRules(t, 'password')}>
          <Input.Password autoComplete="new-password" data-testid="setup-password2" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={busy} data-testid="setup-submit">{t('auth.setupSubmit')}</Button>
      </Form>
    </AuthFrame>
  );
}
