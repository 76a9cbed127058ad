import { Alert, Button, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { CodeBlock } from '../publish/CodeBlock';

/** A one-time password (a new user's, or a reset), shown this once with a copy button; null shows nothing. */
export function OneTimePasswordModal({ shown, onClose }: { shown: { name: string; password: string } | null; onClose(): void }) {
  const { t } = useTranslation();
  return (
    <Modal
      open={shown !== null}
      title={shown ? t('users.passwordTitle', { name: shown.name }) : ''}
      onCancel={onClose}
      maskClosable={false}
      destroyOnHidden
      footer={<Button type="primary" onClick={onClose} data-testid="one-time-done">{t('users.done')}</Button>}
    >
      <Alert type="warning" showIcon message={t('users.passwordOnce')} style={{ marginBottom: 12 }} />
      {shown && <CodeBlock code={shown.password} testId="one-time-password" />}
    </Modal>
  );
}
