import { Checkbox, Input, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { end, VALUE_TYPES } from '@shared/index';
import { useNodeConfig, type PanelProps } from '../kit';
import { Field, ListEditor, RefInput } from '../form';

/** The scenario's outputs, each a name, a type, whether it is required and a value (usually one reference). */
export function EndPanel({ id }: PanelProps) {
  const { t } = useTranslation();
  const { config, update } = useNodeConfig(id, end);
  return (
    <Field label={t('panel.outputsTitle')}>
      <ListEditor
        testId="end-outputs"
        items={config.outputs}
        onChange={(outputs) => update({ outputs })}
        create={() => ({ name: `output_${config.outputs.length + 1}`, type: 'auto' as const, value: '', description: '', required: true })}
        render={(output, _i, set) => (
          <div style={{ display: 'grid', gridTemplateColumns: '1fr 90px auto', gap: 6, alignItems: 'center' }}>
            <Input size="small" placeholder={t('panel.name')} value={output.name} onChange={(e) => set({ ...output, name: e.target.value })} />
            <Select size="small" value={output.type} options={[...VALUE_TYPES, 'auto' as const].map((v) => ({ value: v, label: t(`enum.type.${v}`) }))} onChange={(type) => set({ ...output, type })} />
            <span title={t('panel.outputRequiredHint')}>
              <Checkbox data-testid="end-output-required" checked={output.required} onChange={(e) => set({ ...output, required: e.target.checked })}>
                {t('panel.required')}
              </Checkbox>
            </span>
            <div style={{ gridColumn: '1 / 4' }}>
              <RefInput nodeId={id} value={output.value} onChange={(value) => set({ ...output, value })} />
            </div>
          </div>
        )}
      />
    </Field>
  );
}
