import { useEffect, useState } from 'react';
import { Alert, App, Button, Checkbox, Form, Input, InputNumber, Modal, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { CodeBlock } from '../publish/CodeBlock';
import { errorText } from '../publish/http';
import { keysApi, liveSlugs, type CreatedKey } from './api';

/** Create a key (name, optional scenario scope and rate limit), then show its secret this one time. */
export function CreateKeyModal({ open, onClose, onCreated }: { open: boolean; onClose(): void; onCreated(): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [name, setName] = useState('');
  const [scope, setScope] = useState<string[]>([]);
  const [rate, setRate] = useState<number | null>(null);
  const [readAll, setReadAll] = useState(false);
  const [slugs, setSlugs] = useState<Array<{ slug: string; label: string }>>([]);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedKey | null>(null);

  useEffect(() => {
    if (!open) return;
    setName('');
    setScope([]);
    setRate(null);
    setReadAll(false);
    setCreated(null);
    liveSlugs().then(setSlugs, () => setSlugs([]));
  }, [open]);

  const create = async () => {
    if (!name.trim()) return void message.error(t('keys.nameRequired'));
    setBusy(true);
    try {
      setCreated(await keysApi.create({ name: name.trim(), scenarios: scope.length > 0 ? scope : undefined, rate_limit: rate ?? undefined, scopes: readAll ? ['runs:read'] : undefined }));
      onCreated();
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  if (created)
    return (
      <Modal open={open} title={t('keys.createdTitle')} onCancel={onClose} maskClosable={false} footer={<Button type="primary" onClick={onClose} data-testid="key-done">{t('keys.done')}</Button>}>
        <Alert type="warning" showIcon message={t('keys.onceWarning')} style={{ marginBottom: 12 }} />
        <CodeBlock code={created.key} testId="created-key" />
        <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>{t('keys.usage')}</Typography.Paragraph>
      </Modal>
    );

  return (
    <Modal open={open} title={t('keys.create')} onCancel={onClose} destroyOnHidden
      footer={[
        <Button key="cancel" onClick={onClose}>{t('list.cancel')}</Button>,
        <Button key="ok" type="primary" loading={busy} onClick={() => void create()} data-testid="key-create-ok">{t('keys.createOk')}</Button>,
      ]}
    >
      <Form layout="vertical">
        <Form.Item label={t('keys.name')} required>
          <Input value={name} onChange={(e) => setName(e.target.value)} placeholder={t('keys.namePlaceholder')} data-testid="key-name" />
        </Form.Item>
        <Form.Item label={t('keys.scope')} extra={t('keys.scopeHelp')}>
          <Select mode="tags" value={scope} onChange={setScope} options={slugs.map((s) => ({ value: s.slug, label: `${s.slug} · ${s.label}` }))} placeholder={t('keys.scopeAll')} data-testid="key-scope" />
        </Form.Item>
        <Form.Item label={t('keys.rateLimit')} extra={t('keys.rateLimitHelp')}>
          <InputNumber min={1} max={10_000_000} value={rate} onChange={(v) => setRate(typeof v === 'number' ? v : null)} style={{ width: 200 }} addonAfter={t('keys.perMinute')} data-testid="key-rate" />
        </Form.Item>
        <Form.Item extra={t('keys.readAllRunsHelp')}>
          <Checkbox checked={readAll} onChange={(e) => setReadAll(e.target.checked)} data-testid="key-read-all">{t('keys.readAllRuns')}</Checkbox>
        </Form.Item>
      </Form>
    </Modal>
  );
}
