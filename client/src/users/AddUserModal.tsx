import { useState } from 'react';
import { Alert, Button, Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Role } from '@shared/permissions';
import { usersApi, type CreatedUser } from '../auth/api';
import { useErrorText } from '../auth/use-error-text';
import { nameRules } from '../auth/form-rules';
import { RoleSelect } from './RoleSelect';

interface Values {
  name: string;
  display_name?: string;
  role: Role;
}

/** Adds a user (login name, display name, role); `onCreated` gets the account and its one-time password. */
export function AddUserModal({ open, onClose, onCreated }: { open: boolean; onClose(): void; onCreated(created: CreatedUser): void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    const values = await form.validateFields();
    setBusy(true);
    setError(null);
    try {
      const displayName = values.display_name?.trim();
      onCreated(await usersApi.create({ name: values.name.trim(), role: values.role, ...(displayName ? { display_name: displayName } : {}) }));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('users.add')}
      onCancel={onClose}
      afterClose={() => {
        form.resetFields();
        setError(null);
      }}
      footer={[
        <Button key="cancel" onClick={onClose}>{t('auth.cancel')}</Button>,
        <Button key="ok" type="primary" loading={busy} onClick={() => void submit()} data-testid="user-add-ok">{t('users.addOk')}</Button>,
      ]}
    >
      {error && <Alert type="error" showIcon style={{ marginBottom: 16 }} message={error} data-testid="user-add-error" />}
      <Form form={form} layout="vertical" requiredMark={false} initialValues={{ role: 'viewer' }}>
        <Form.Item
          name="name"
          label={t('users.name')}
          rules={nameRules(t)}
        >
          <Input placeholder={t('auth.namePlaceholder')} autoComplete="off" data-testid="user-add-name" />
        </Form.Item>
        <Form.Item name="display_name" label={t('users.displayName')}>
          <Input placeholder={t('auth.displayNamePlaceholder')} autoComplete="off" data-testid="user-add-display-name" />
        </Form.Item>
        <Form.Item name="role" label={t('users.role')}>
          <RoleSelect testId="user-add-role" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
