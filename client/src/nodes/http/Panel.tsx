import { Checkbox, Input, InputNumber, Segmented, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { http } from '@shared/index';
import { useNodeConfig, type PanelProps } from '../kit';
import { Field, ListEditor, TemplateField } from '../form';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** An outbound call: method, URL, headers, body, response handling. */
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
      <TemplateField nodeId={id} label={t('panel.body')} value={config.body} onChange={(body) => update({ body })} height={100} />
      <Field label={t('panel.responseType')}>
        <Segmented value={config.responseType} options={['json', 'text']} onChange={(v) => update({ responseType: v === 'text' ? 'text' : 'json' })} />
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
