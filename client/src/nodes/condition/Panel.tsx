import { Segmented, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { condition, COMPARISON_OPS, UNARY_OPS } from '@shared/index';
import { useNodeConfig, type PanelProps } from '../kit';
import { Field, ListEditor, RefInput } from '../form';

/** Comparisons combined with and / or; true and false branches. */
export function ConditionPanel({ id }: PanelProps) {
  const { t } = useTranslation();
  const { config, update } = useNodeConfig(id, condition);
  return (
    <>
      <Field label={t('panel.combine')}>
        <Segmented value={config.combine} options={(['and', 'or'] as const).map((v) => ({ value: v, label: t(`enum.combine.${v}`) }))} onChange={(v) => update({ combine: v === 'or' ? 'or' : 'and' })} />
      </Field>
      <Field label={t('panel.conditions')}>
        <ListEditor
          items={config.conditions}
          onChange={(conditions) => update({ conditions })}
          create={() => ({ left: '', op: 'eq' as const, right: '' })}
          render={(c, _i, set) => (
            <div style={{ display: 'grid', gap: 6 }}>
              <RefInput nodeId={id} value={c.left} onChange={(left) => set({ ...c, left })} />
              <Select size="small" value={c.op} options={COMPARISON_OPS.map((op) => ({ value: op, label: t(`enum.op.${op}`) }))} onChange={(op) => set({ ...c, op })} />
              {!UNARY_OPS.includes(c.op) && <RefInput nodeId={id} value={c.right} onChange={(right) => set({ ...c, right })} placeholder="" />}
            </div>
          )}
        />
      </Field>
    </>
  );
}
