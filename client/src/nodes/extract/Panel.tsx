import { useTranslation } from 'react-i18next';
import { extract } from '@shared/index';
import { useNodeConfig, type PanelProps } from '../kit';
import { Field, ModelSettings, TemplateField } from '../form';
import { FieldTable } from '../FieldTable';

/** The form to fill: a field table with type, required, allowed values and pattern. */
export function ExtractPanel({ id }: PanelProps) {
  const { t } = useTranslation();
  const { config, update } = useNodeConfig(id, extract);
  return (
    <>
      <TemplateField nodeId={id} label={t('panel.input')} value={config.input} onChange={(input) => update({ input })} height={50} />
      <Field label={t('panel.fields')}>
        <FieldTable fields={config.fields} onChange={(fields) => update({ fields })} />
      </Field>
      <TemplateField nodeId={id} label={t('panel.instructions')} value={config.instructions} onChange={(instructions) => update({ instructions })} height={80} />
      <ModelSettings config={config} update={update} />
    </>
  );
}
