import { useTranslation } from 'react-i18next';
import { template } from '@shared/index';
import { useNodeConfig, type PanelProps } from '../kit';
import { TemplateField } from '../form';

/** A text composed from upstream values. */
export function TemplatePanel({ id }: PanelProps) {
  const { t } = useTranslation();
  const { config, update } = useNodeConfig(id, template);
  return <TemplateField nodeId={id} label={t('panel.template')} value={config.template} onChange={(v) => update({ template: v })} height={220} />;
}
