import { Checkbox, Input, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { start, VALUE_TYPES } from '@shared/index';
import { useNodeConfig, type PanelProps } from '../kit';
import { Field, ListEditor } from '../form';

/** The scenario's inputs: name, type, required, description. */
export function StartPanel({ id }: PanelProps) {
  const { t } = useTranslation();
  const { config, update } = useNodeConfig(id, start);
  return (
    <Field label={t('panel.inputsTitle')}>
      <ListEditor
        items={config.inputs}
        onChange={(inputs) => update({ inputs })}
        create={() => ({ name: `input_${config.inputs.length + 1}`, type: 'string' as const, required: true, description: '' })}
        render={(input, _i, set) => (
          <div style={{ display: 'grid', gridTemplateColumns: '1fr 120px auto', gap: 6 }}>
            <Input size="small" placeholder={t('panel.name')} value={input.name} onChange={(e) => set({ ...input, name: e.target.value })} />
            <Select size="small" value={input.type} options={VALUE_TYPES.map((v) => ({ value: v, label: t(`enum.type.${v}`) }))} onChange={(type) => set({ ...input, type })} />
            <Checkbox checked={input.required} onChange={(e) => set({ ...input, required: e.target.checked })}>{t('panel.required')}</Checkbox>
            <Input size="small" style={{ gridColumn: '1 / 4' }} placeholder={t('panel.description')} value={input.description} onChange={(e) => set({ ...input, description: e.target.value })} />
          </div>
        )}
      />
    </Field>
  );
}
