import { Segmented } from 'antd';
import { useTranslation } from 'react-i18next';
import { llm } from '@shared/index';
import { useNodeConfig, type PanelProps } from '../kit';
import { Field, ModelSettings, TemplateField } from '../form';
import { FieldTable } from '../FieldTable';

/** Prompts, output format (text or JSON fields) and model settings. */
export function LlmPanel({ id }: PanelProps) {
  const { t } = useTranslation();
  const { config, update } = useNodeConfig(id, llm);
  return (
    <>
      <TemplateField nodeId={id} label={t('panel.system')} value={config.system} onChange={(system) => update({ system })} height={90} testId="prompt-system" />
      <TemplateField nodeId={id} label={t('panel.user')} value={config.user} onChange={(user) => update({ user })} height={150} testId="prompt-user" />
      <Field label={t('panel.output')}>
        <Segmented
          value={config.output}
          options={[
            { value: 'text', label: t('panel.outputText') },
            { value: 'json', label: t('panel.outputJson') },
          ]}
          onChange={(output) => update({ output: output === 'json' ? 'json' : 'text' })}
        />
      </Field>
      {config.output === 'json' && (
        <Field label={t('panel.fields')}>
          <FieldTable fields={config.fields} onChange={(fields) => update({ fields })} />
        </Field>
      )}
      <ModelSettings config={config} update={update} />
    </>
  );
}
