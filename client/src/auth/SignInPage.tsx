import { useState } from 'react';
import { Alert, Button, Form, Input, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { authApi } from './api';
import { AuthFrame } from './AuthFrame';
import { useAuth } from './store';
import { useErrorText } from './use-error-text';

/** The sign-in page: login name and password; on success the auth store holds the user and the app shows. */
export function SignInPage() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const expired = useAuth((s) => s.expired);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (values: { name: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      useAuth.getState().signedIn(await authApi.login(values.name.trim(), values.password));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthFrame title={t('auth.signInTitle')} testId="sign-in-page">
      <Typography.Paragraph type="secondary">{t('auth.signInIntro')}</Typography.Paragraph>
      {expired && !error && <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('auth.expired')} data-testid="sign-in-expired" />}
      {error && <Alert type="error" showIcon style={{ marginBottom: 16 }} message={error} data-testid="sign-in-error" />}
      <Form layout="vertical" requiredMark={false} onFinish={(v: { name: string; password: string }) => void submit(v)}>
        <Form.Item name="name" label={t('auth.name')} rules={[{ required: true, whitespace: true, message: t('auth.nameRequired') }]}>
          <Input prefix={<UserOutlined />} autoComplete="username" autoFocus data-testid="sign-in-name" />
        </Form.Item>
        <Form.Item name="password" label={t('auth.password')} rules={[{ required: true, message: t('auth.passwordRequired') }]}>
          <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="sign-in-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={busy} data-testid="sign-in-submit">{t('auth.signIn')}</Button>
      </Form>
    </AuthFrame>
  );
}
