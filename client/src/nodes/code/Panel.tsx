import { Input, InputNumber, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { code } from '@shared/index';
import { useNodeConfig, type PanelProps } from '../kit';
import { Field, ListEditor, RefInput } from '../form';
import { TemplateEditor } from '../../components/TemplateEditor';

const OUT_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array'] as const;

/** JavaScript `main(inputs)` with its input variables, output fields and limits. */
export function CodePanel({ id }: PanelProps) {
  const { t } = useTranslation();
  const { config, update } = useNodeConfig(id, code);
  return (
    <>
      <Field label={t('panel.codeInputs')}>
        <ListEditor
          items={config.inputs}
          onChange={(inputs) => update({ inputs })}
          create={() => ({ name: `arg${config.inputs.length + 1}`, value: '' })}
          render={(v, _i, set) => (
            <div style={{ display: 'grid', gridTemplateColumns: '100px 1fr', gap: 6 }}>
              <Input size="small" value={v.name} onChange={(e) => set({ ...v, name: e.target.value })} />
              <RefInput nodeId={id} value={v.value} onChange={(value) => set({ ...v, value })} />
            </div>
          )}
        />
      </Field>
      <Field label={t('panel.code')}>
        <TemplateEditor language="javascript" value={config.code} onChange={(c) => update({ code: c })} height={220} />
      </Field>
      <Field label={t('panel.codeOutputs')}>
        <ListEditor
          items={config.outputs}
          onChange={(outputs) => update({ outputs })}
          create={() => ({ name: `out${config.outputs.length + 1}`, type: 'string' as const })}
          render={(v, _i, set) => (
            <div style={{ display: 'grid', gridTemplateColumns: '1fr 110px', gap: 6 }}>
              <Input size="small" value={v.name} onChange={(e) => set({ ...v, name: e.target.value })} />
              <Select size="small" value={v.type} options={OUT_TYPES.map((x) => ({ value: x, label: t(`enum.type.${x}`) }))} onChange={(type) => set({ ...v, type })} />
            </div>
          )}
        />
      </Field>
      <div style={{ display: 'flex', gap: 8 }}>
        <Field label={t('panel.timeoutMs')}>
          <InputNumber min={10} max={60000} value={config.timeoutMs} onChange={(v) => update({ timeoutMs: v ?? 1000 })} />
        </Field>
        <Field label={t('panel.memoryMb')}>
          <InputNumber min={1} max={512} value={config.memoryMb} onChange={(v) => update({ memoryMb: v ?? 32 })} />
        </Field>
      </div>
    </>
  );
}
