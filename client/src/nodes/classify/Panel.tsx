import { Input, InputNumber } from 'antd';
import { useTranslation } from 'react-i18next';
import { classify } from '@shared/index';
import { useNodeConfig, type PanelProps } from '../kit';
import { Field, ListEditor, ModelSettings, TemplateField } from '../form';
import { freshBranchId } from '../ids';

/**
 * What to classify and the classes, one branch each. A class's id is generated and shown, never typed:
 * it keys the branch's wire, so editing or clearing the name never moves or orphans the wire.
 */
export function ClassifyPanel({ id }: PanelProps) {
  const { t } = useTranslation();
  const { config, update } = useNodeConfig(id, classify);
  return (
    <>
      <TemplateField nodeId={id} label={t('panel.input')} value={config.input} onChange={(input) => update({ input })} height={60} testId="classify-input" />
      <Field label={t('panel.classes')}>
        <ListEditor
          testId="class-list"
          items={config.classes}
          onChange={(classes) => update({ classes })}
          create={() => ({ id: freshBranchId('c', config.classes.map((c) => c.id)), name: '', description: '', examples: [] })}
          render={(c, _i, set) => (
            <div style={{ display: 'grid', gridTemplateColumns: '90px 1fr', gap: 6 }}>
              <Input size="small" placeholder={t('panel.name')} value={c.name} onChange={(e) => set({ ...c, name: e.target.value })} style={{ gridColumn: '1 / 3' }} data-testid="class-name" />
              {/* A plain line with a native tooltip: an antd Tooltip and copy button per class cost the panel more than the rest of the row. */}
              <span className="mf-class-id" title={t('canvas.classIdHelp')} data-testid="class-id">
                {t('panel.classId')}: <code>{c.id}</code>
              </span>
              <Input.TextArea
                rows={1}
                placeholder={t('panel.description')}
                value={c.description}
                onChange={(e) => set({ ...c, description: e.target.value })}
                style={{ gridColumn: '1 / 3' }}
              />
              <Input.TextArea
                rows={2}
                placeholder={t('panel.examples')}
                value={c.examples.join('\n')}
                onChange={(e) => set({ ...c, examples: e.target.value.split('\n') })}
                style={{ gridColumn: '1 / 3' }}
              />
            </div>
          )}
        />
      </Field>
      <TemplateField nodeId={id} label={t('panel.instructions')} value={config.instructions} onChange={(instructions) => update({ instructions })} height={60} />
      <Field label={t('panel.minConfidence')}>
        <InputNumber min={0} max={1} step={0.05} value={config.minConfidence} onChange={(v) => update({ minConfidence: v ?? 0 })} />
      </Field>
      <ModelSettings config={config} update={update} />
    </>
  );
}
