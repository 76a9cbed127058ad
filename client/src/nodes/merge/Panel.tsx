import { useTranslation } from 'react-i18next';
import { merge } from '@shared/index';
import { useNodeConfig, type PanelProps } from '../kit';
import { Field, ListEditor, RefInput } from '../form';

/** Candidate values in priority order: the first whose node ran wins. */
export function MergePanel({ id }: PanelProps) {
  const { t } = useTranslation();
  const { config, update } = useNodeConfig(id, merge);
  return (
    <Field label={t('panel.values')}>
      <ListEditor items={config.values} onChange={(values) => update({ values })} create={() => ''} render={(v, _i, set) => <RefInput nodeId={id} value={v} onChange={set} />} />
    </Field>
  );
}
