import { useState } from 'react';
import { Alert, App, Button, Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { MIN_PASSWORD_LENGTH } from '@shared/users';
import { authApi } from './api';
import { newPasswordRules, repeatRules } from './form-rules';
import { useErrorText } from './use-error-text';

interface Values {
  current_password: string;
  new_password: string;
  new_password2: string;
}

/** Changes the signed-in user's own password (the current one, the new one twice). */
export function ChangePasswordModal({ open, onClose }: { open: boolean; onClose(): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const errorText = useErrorText();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    const values = await form.validateFields();
    setBusy(true);
    setError(null);
    try {
      await authApi.changePassword({ current_password: values.current_password, new_password: values.new_password });
      message.success(t('auth.passwordChanged'));
      onClose();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('auth.changePassword')}
      onCancel={onClose}
      afterClose={() => {
        form.resetFields();
        setError(null);
      }}
      footer={[
        <Button key="cancel" onClick={onClose}>{t('auth.cancel')}</Button>,
        <Button key="ok" type="primary" loading={busy} onClick={() => void submit()} data-testid="password-save">{t('auth.save')}</Button>,
      ]}
    >
      {error && <Alert type="error" showIcon style={{ marginBottom: 16 }} message={error} data-testid="password-error" />}
      <Form form={form} layout="vertical" requiredMark={false}>
        <Form.Item name="current_password" label={t('auth.currentPassword')} rules={[{ required: true, message: t('auth.passwordRequired') }]}>
          <Input.Password autoComplete="current-password" data-testid="password-current" />
        </Form.Item>
        <Form.Item name="new_password" label={t('auth.newPassword')} extra={t('auth.passwordHint', { n: MIN_PASSWORD_LENGTH })} rules={newPasswordRules(t)}>
          <Input.Password autoComplete="new-password" data-testid="password-new" />
        </Form.Item>
        <Form.Item name="new_password2" label={t('auth.newPasswordAgain')} dependencies={['new_password']} rules={repeatRules(t, 'new_password')}>
          <Input.Password autoComplete="new-password" data-testid="password-new2" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
