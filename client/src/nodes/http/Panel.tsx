import { AutoComplete, Checkbox, Input, InputNumber, Segmented, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { http, HTTP_FIELD_TYPES, RAW_CONTENT_TYPES, type HttpBody, type HttpConfig } from '@shared/index';
import { useNodeConfig, type PanelProps } from '../kit';
import { Field, ListEditor, RefInput, TemplateField } from '../form';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const BODY_MODES = ['none', 'json', 'raw'] as const;

/** An outbound call: method, URL, query parameters, headers, body, response handling. */
export function HttpPanel({ id }: PanelProps) {
  const { t } = useTranslation();
  const { config, update } = useNodeConfig(id, http);
  return (
    <>
      <Field label={t('panel.url')}>
        <Input
          addonBefore={<Select value={config.method} options={METHODS.map((m) => ({ value: m, label: m }))} onChange={(method) => update({ method })} style={{ width: 96 }} />}
          value={config.url}
          onChange={(e) => update({ url: e.target.value })}
          data-testid="http-url"
        />
      </Field>
      <Field label={t('panel.httpQuery')} help={t('panel.httpQueryHint')}>
        <ListEditor
          testId="http-query"
          items={config.query}
          onChange={(query) => update({ query })}
          create={() => ({ name: '', value: '' })}
          render={(q, _i, set) => (
            <div style={{ display: 'grid', gridTemplateColumns: '110px 1fr', gap: 6 }}>
              <Input size="small" value={q.name} placeholder={t('panel.name')} onChange={(e) => set({ ...q, name: e.target.value })} />
              <RefInput nodeId={id} value={q.value} placeholder={t('panel.value')} onChange={(value) => set({ ...q, value })} />
            </div>
          )}
        />
      </Field>
      <Field label={t('panel.headers')}>
        <ListEditor
          items={config.headers}
          onChange={(headers) => update({ headers })}
          create={() => ({ name: '', value: '' })}
          render={(h, _i, set) => (
            <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 6 }}>
              <Input size="small" value={h.name} placeholder={t('panel.name')} onChange={(e) => set({ ...h, name: e.target.value })} />
              <Input size="small" value={h.value} placeholder={t('panel.value')} onChange={(e) => set({ ...h, value: e.target.value })} />
            </div>
          )}
        />
      </Field>
      <Field label={t('panel.body')}>
        <Segmented
          data-testid="http-body-mode"
          value={config.body.mode}
          options={BODY_MODES.map((mode) => ({ value: mode, label: t(`panel.httpBody_${mode}`) }))}
          onChange={(mode) => update({ body: switchMode(config.body, mode) })}
        />
      </Field>
      <BodyEditor id={id} body={config.body} onChange={(body) => update({ body })} />
      <Field label={t('panel.responseType')}>
        <Segmented value={config.responseType} options={(['json', 'text'] as const).map((v) => ({ value: v, label: t(`enum.responseType.${v}`) }))} onChange={(v) => update({ responseType: v === 'text' ? 'text' : 'json' })} />
      </Field>
      <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
        <Field label={t('panel.timeoutMs')}>
          <InputNumber min={100} max={120000} value={config.timeoutMs} onChange={(v) => update({ timeoutMs: v ?? 10000 })} />
        </Field>
        <Field label={t('panel.retries')}>
          <InputNumber min={0} max={10} value={config.retries} onChange={(v) => update({ retries: v ?? 0 })} />
        </Field>
        <Checkbox checked={config.failOnStatus} onChange={(e) => update({ failOnStatus: e.target.checked })}>{t('panel.failOnStatus')}</Checkbox>
      </div>
    </>
  );
}

/** The body of another mode, keeping what can be kept (nothing is carried between JSON fields and text). */
function switchMode(body: HttpBody, mode: HttpBody['mode']): HttpBody {
  if (mode === body.mode) return body;
  if (mode === 'json') return { mode, fields: [] };
  if (mode === 'raw') return { mode, text: '', contentType: RAW_CONTENT_TYPES[0] };
  return { mode: 'none' };
}

function BodyEditor({ id, body, onChange }: { id: string; body: HttpConfig['body']; onChange(body: HttpBody): void }) {
  const { t } = useTranslation();
  if (body.mode === 'json') {
    return (
      <Field label={t('panel.httpJsonFields')} help={t('panel.httpJsonHint')}>
        <ListEditor
          testId="http-json-fields"
          items={body.fields}
          onChange={(fields) => onChange({ ...body, fields })}
          create={() => ({ name: '', value: '', type: 'auto' as const })}
          render={(f, _i, set) => (
            <div style={{ display: 'grid', gridTemplateColumns: '1fr 96px', gap: 6 }}>
              <Input size="small" value={f.name} placeholder={t('panel.httpFieldName')} onChange={(e) => set({ ...f, name: e.target.value })} />
              <Select
                size="small"
                value={f.type}
                options={HTTP_FIELD_TYPES.map((type) => ({ value: type, label: t(`panel.httpType_${type}`) }))}
                onChange={(type) => set({ ...f, type })}
              />
              <div style={{ gridColumn: '1 / 3' }}>
                <RefInput nodeId={id} value={f.value} placeholder={t('panel.value')} onChange={(value) => set({ ...f, value })} />
              </div>
            </div>
          )}
        />
      </Field>
    );
  }
  if (body.mode === 'raw') {
    return (
      <>
        <Field label={t('panel.httpContentType')}>
          <AutoComplete
            data-testid="http-content-type"
            value={body.contentType}
            options={RAW_CONTENT_TYPES.map((value) => ({ value }))}
            onChange={(contentType: string) => onChange({ ...body, contentType })}
            style={{ width: '100%' }}
          />
        </Field>
        <TemplateField nodeId={id} label={t('panel.httpRawText')} value={body.text} onChange={(text) => onChange({ ...body, text })} height={100} />
        <Typography.Text type="secondary" style={{ display: 'block', marginTop: -6, marginBottom: 12, fontSize: 12 }}>
          {t('panel.httpRawHint')}
        </Typography.Text>
      </>
    );
  }
  return null;
}
