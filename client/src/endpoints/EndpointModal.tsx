import { useEffect, useState } from 'react';
import { App, Button, Checkbox, Form, Input, InputNumber, Modal, Switch } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { ModelAliasSchema } from '@shared/model-endpoints';
import { errorText } from '../publish/http';
import { endpointsApi, type ModelEndpoint } from './api';

interface Row {
  alias: string;
  model: string;
}

interface Values {
  name: string;
  base_url: string;
  api_key: string;
  clear_key: boolean;
  max_concurrency: number | null;
  timeout_ms: number | null;
  supports_json_schema: boolean;
  stream: boolean;
  enabled: boolean;
}

/** Problems of the alias rows (for the form), or null when they are fine. */
export function aliasRowsProblem(rows: Row[]): 'needModel' | 'aliasInvalid' | 'aliasDuplicate' | 'required' | null {
  const filled = rows.filter((r) => r.alias.trim() || r.model.trim());
  if (filled.length === 0) return 'needModel';
  if (filled.some((r) => !r.alias.trim() || !r.model.trim())) return 'required';
  if (filled.some((r) => !ModelAliasSchema.safeParse(r.alias.trim()).success)) return 'aliasInvalid';
  if (new Set(filled.map((r) => r.alias.trim())).size !== filled.length) return 'aliasDuplicate';
  return null;
}

/** Adds an endpoint (no `editing`) or changes a stored one. The key field is write-only: it never shows the stored key. */
export function EndpointModal({ open, editing, onClose, onSaved }: { open: boolean; editing: ModelEndpoint | null; onClose(): void; onSaved(endpoint: ModelEndpoint): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [rows, setRows] = useState<Row[]>([]);
  const [busy, setBusy] = useState(false);
  const problem = aliasRowsProblem(rows);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue({
      name: editing?.name ?? '',
      base_url: editing?.base_url ?? '',
      api_key: '',
      clear_key: false,
      max_concurrency: editing?.max_concurrency ?? null,
      timeout_ms: editing?.timeout_ms ?? null,
      supports_json_schema: editing?.supports_json_schema ?? true,
      stream: editing?.stream ?? true,
      enabled: editing?.enabled ?? true,
    });
    setRows(editing ? Object.entries(editing.models).map(([alias, model]) => ({ alias, model })) : [{ alias: 'default', model: '' }]);
  }, [open, editing, form]);

  const save = async () => {
    const v = await form.validateFields();
    if (problem) return;
    const models = Object.fromEntries(rows.filter((r) => r.alias.trim()).map((r) => [r.alias.trim(), r.model.trim()]));
    const common = { name: v.name.trim(), base_url: v.base_url.trim(), models, max_concurrency: v.max_concurrency ?? null, timeout_ms: v.timeout_ms ?? null, supports_json_schema: v.supports_json_schema, stream: v.stream, enabled: v.enabled };
    setBusy(true);
    try {
      const key = v.api_key.trim();
      const saved = editing
        ? await endpointsApi.update(editing.id, { ...common, ...(v.clear_key ? { api_key: '' } : key ? { api_key: key } : {}) })
        : await endpointsApi.create({ ...common, ...(key ? { api_key: key } : {}) });
      message.success(t('endpoints.saved', { name: saved.name }));
      onSaved(saved);
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const keyHelp = editing?.api_key.set ? (editing.api_key.last4 ? t('endpoints.apiKeyKeep', { last4: editing.api_key.last4 }) : t('endpoints.apiKeyKeepNoLast4')) : t('endpoints.apiKeyNone');
  return (
    <Modal open={open} title={editing ? `${t('endpoints.edit')} · ${editing.name}` : t('endpoints.add')} onCancel={onClose} onOk={() => void save()} confirmLoading={busy} okButtonProps={{ 'data-testid': 'endpoint-save' }} width={640} destroyOnHidden>
      <Form form={form} layout="vertical" data-testid="endpoint-form">
        <Form.Item name="name" label={t('endpoints.name')} rules={[{ required: true, whitespace: true, message: t('endpoints.required') }]}>
          <Input placeholder={t('endpoints.namePlaceholder')} data-testid="endpoint-name" />
        </Form.Item>
        <Form.Item name="base_url" label={t('endpoints.baseUrl')} rules={[{ required: true, type: 'url', message: t('endpoints.baseUrlPlaceholder') }]}>
          <Input placeholder={t('endpoints.baseUrlPlaceholder')} data-testid="endpoint-url" />
        </Form.Item>
        <Form.Item name="api_key" label={t('endpoints.apiKey')} help={keyHelp}>
          <Input.Password autoComplete="new-password" placeholder={editing?.api_key.set ? '••••••••' : ''} data-testid="endpoint-key" />
        </Form.Item>
        {editing?.api_key.set && (
          <Form.Item name="clear_key" valuePropName="checked" style={{ marginTop: -4 }}>
            <Checkbox>{t('endpoints.apiKeyClear')}</Checkbox>
          </Form.Item>
        )}
        <Form.Item label={t('endpoints.models')} help={problem ? <span style={{ color: '#ff4d4f' }}>{t(`endpoints.${problem}`)}</span> : t('endpoints.modelsHelp')} required>
          {rows.map((row, i) => (
            <div key={i} style={{ display: 'flex', gap: 6, marginBottom: 6 }}>
              <Input style={{ width: 140 }} placeholder={t('endpoints.alias')} value={row.alias} onChange={(e) => setRows(rows.map((r, j) => (j === i ? { ...r, alias: e.target.value } : r)))} data-testid={`endpoint-alias-${i}`} />
              <Input style={{ flex: 1 }} placeholder={t('endpoints.modelName')} value={row.model} onChange={(e) => setRows(rows.map((r, j) => (j === i ? { ...r, model: e.target.value } : r)))} data-testid={`endpoint-model-${i}`} />
              <Button type="text" danger icon={<DeleteOutlined />} aria-label={t('endpoints.delete')} onClick={() => setRows(rows.filter((_, j) => j !== i))} />
            </div>
          ))}
          <Button size="small" type="dashed" icon={<PlusOutlined />} onClick={() => setRows([...rows, { alias: '', model: '' }])} data-testid="endpoint-add-alias">
            {t('endpoints.addModel')}
          </Button>
        </Form.Item>
        <div style={{ display: 'flex', gap: 16, flexWrap: 'wrap' }}>
          <Form.Item name="max_concurrency" label={t('endpoints.maxConcurrency')}>
            <InputNumber min={1} max={512} style={{ width: 170 }} placeholder={t('endpoints.maxConcurrencyPlaceholder')} />
          </Form.Item>
          <Form.Item name="timeout_ms" label={t('endpoints.timeoutMs')}>
            <InputNumber min={1000} max={600000} step={1000} style={{ width: 140 }} placeholder={t('endpoints.timeoutPlaceholder')} />
          </Form.Item>
          <Form.Item name="supports_json_schema" label={t('endpoints.jsonSchema')} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Form.Item name="stream" label={t('endpoints.stream')} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Form.Item name="enabled" label={t('endpoints.enabled')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </div>
      </Form>
    </Modal>
  );
}
