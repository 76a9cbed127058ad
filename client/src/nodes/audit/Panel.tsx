import { Checkbox, Input, InputNumber, Segmented } from 'antd';
import { useTranslation } from 'react-i18next';
import { audit, type AuditItem } from '@shared/index';
import { useNodeConfig, type PanelProps } from '../kit';
import { Field, ListEditor, ModelSettings, TemplateField } from '../form';
import { newRule, RuleEditor } from './RuleEditor';
import { WeightTotal } from './WeightTotal';

function freshItemId(items: AuditItem[]): string {
  for (let i = 1; ; i++) if (!items.some((x) => x.id === `item_${i}`)) return `item_${i}`;
}

/** A scoring sheet: rule and model items with weights and red lines, and a pass score. */
export function AuditPanel({ id }: PanelProps) {
  const { t } = useTranslation();
  const { config, update } = useNodeConfig(id, audit);
  return (
    <>
      <TemplateField nodeId={id} label={t('panel.input')} value={config.input} onChange={(input) => update({ input })} height={50} />
      <Field label={t('panel.items')}>
        <ListEditor
          items={config.items}
          onChange={(items) => update({ items })}
          create={() => ({ id: freshItemId(config.items), name: '', kind: 'model' as const, weight: 10, fatal: false, criterion: '' })}
          render={(item, _i, set) => (
            <div style={{ display: 'grid', gap: 6, minWidth: 0 }} data-testid="audit-item">
              {/* The name takes the whole row; kind, weight and red line wrap below it in any language. */}
              <Input size="small" value={item.name} placeholder={t('panel.name')} onChange={(e) => set({ ...item, name: e.target.value })} />
              <div style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'center' }}>
                <Segmented
                  size="small"
                  value={item.kind}
                  options={[
                    { value: 'rule', label: t('panel.rule') },
                    { value: 'model', label: t('panel.modelItem') },
                  ]}
                  onChange={(k) => set(k === 'rule' ? { ...item, kind: 'rule', rule: item.rule ?? newRule('keywords') } : { ...item, kind: 'model', criterion: item.criterion ?? '' })}
                />
                <InputNumber size="small" addonBefore={t('panel.weight')} min={0} max={1000} value={item.weight} onChange={(v) => set({ ...item, weight: v ?? 0 })} style={{ width: 130 }} />
                <Checkbox checked={item.fatal} onChange={(e) => set({ ...item, fatal: e.target.checked })}>
                  <span style={{ color: item.fatal ? '#cf1322' : undefined }}>{t('panel.fatal')}</span>
                </Checkbox>
              </div>
              {item.kind === 'rule' && item.rule && <RuleEditor rule={item.rule} onChange={(rule) => set({ ...item, rule })} />}
              {item.kind === 'model' && (
                <Input.TextArea rows={2} value={item.criterion ?? ''} placeholder={t('panel.criterion')} onChange={(e) => set({ ...item, criterion: e.target.value })} />
              )}
            </div>
          )}
        />
      </Field>
      <WeightTotal config={config} update={update} />
      <Field label={t('panel.passScore')}>
        <InputNumber min={0} value={config.passScore} onChange={(v) => update({ passScore: v ?? 60 })} />
      </Field>
      <TemplateField nodeId={id} label={t('panel.instructions')} value={config.instructions} onChange={(instructions) => update({ instructions })} height={60} />
      <ModelSettings config={config} update={update} />
    </>
  );
}
