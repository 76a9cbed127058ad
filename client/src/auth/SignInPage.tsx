import { useEffect, useState } from 'react';
import { Alert, Button, Divider, Form, Input, Typography } from 'antd';
import { LockOutlined, LoginOutlined, UserOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useHash } from '../router';
import { authApi } from './api';
import { AuthFrame } from './AuthFrame';
import { ssoErrorCode, ssoStartUrl, withoutSsoError } from './sso';
import { useAuth } from './store';
import { useErrorText } from './use-error-text';

/**
 * The sign-in page: login name and password; on success the auth store holds the user and the app shows.
 * With single sign-on on, a button goes to the identity platform; a failed SSO sign-in comes back here with
 * `?sso_error=<code>`, said once in the UI's language.
 */
export function SignInPage() {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const expired = useAuth((s) => s.expired);
  const oidcEnabled = useAuth((s) => s.oidcEnabled);
  const hash = useHash();
  const [busy, setBusy] = useState(false);
  const [ssoError] = useState(() => ssoErrorCode(window.location.search));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (ssoError !== null) window.history.replaceState(window.history.state, '', withoutSsoError(window.location.href));
  }, [ssoError]);
  const ssoText = ssoError === null ? null : t(i18n.exists(`errors.${ssoError}`) ? `errors.${ssoError}` : 'errors.oidc_failed');

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
      {ssoText && !error && <Alert type="error" showIcon style={{ marginBottom: 16 }} message={ssoText} data-testid="sign-in-sso-error" />}
      {expired && !error && !ssoText && <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('auth.expired')} data-testid="sign-in-expired" />}
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
      {oidcEnabled && (
        <>
          <Divider plain>{t('auth.ssoOr')}</Divider>
          <Button block icon={<LoginOutlined />} href={ssoStartUrl(hash)} data-testid="sign-in-sso">{t('auth.sso')}</Button>
        </>
      )}
    </AuthFrame>
  );
}
