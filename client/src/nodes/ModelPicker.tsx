import { Select, Tooltip } from 'antd';
import { WarningOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useModelAliases } from '../endpoints/aliases';
import type { ModelAliasInfo } from '../endpoints/api';
import { Field } from './Field';

/** The options of a picker: each alias with the endpoint and model behind it, and the current value even when no endpoint has it. */
export function aliasOptions(aliases: ModelAliasInfo[], current: string | undefined, label: { simulator: string; unknown: (alias: string) => string }) {
  const options = aliases.map((a) => ({
    value: a.alias,
    title: a.alias,
    label: (
      <span>
        <strong>{a.alias}</strong> <span style={{ color: '#8c8c8c' }}>{a.simulator ? label.simulator : `${a.model} · ${a.endpoint}`}</span>
      </span>
    ),
  }));
  if (current && !aliases.some((a) => a.alias === current)) {
    options.push({ value: current, title: current, label: <span style={{ color: '#cf1322' }}><WarningOutlined /> {label.unknown(current)}</span> });
  }
  return options;
}

/** The node's model alias and its fallback alias, picked from the aliases the endpoints serve. */
export function ModelPicker({ model, fallbackModel, update }: { model: string; fallbackModel?: string; update(p: { model?: string; fallbackModel?: string }): void }) {
  const { t } = useTranslation();
  const aliases = useModelAliases();
  const label = { simulator: t('modelPicker.simulator'), unknown: (alias: string) => t('modelPicker.unknown', { alias }) };
  const known = aliases ?? [];
  const unknown = aliases !== null && !known.some((a) => a.alias === model);
  return (
    <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
      <Field label={t('modelPicker.model')}>
        <Select
          style={{ width: 220 }}
          value={model}
          status={unknown ? 'error' : undefined}
          loading={aliases === null}
          options={aliasOptions(known, model, label)}
          onChange={(value: string) => update({ model: value })}
          popupMatchSelectWidth={false}
          data-testid="model-picker"
        />
      </Field>
      <Field label={t('modelPicker.fallback')}>
        <Tooltip title={t('modelPicker.fallbackHelp')}>
          <Select
            style={{ width: 180 }}
            allowClear
            placeholder={t('modelPicker.fallbackNone')}
            value={fallbackModel}
            options={aliasOptions(known.filter((a) => a.alias !== model), fallbackModel, label)}
            onChange={(value: string | undefined) => update({ fallbackModel: value || undefined })}
            popupMatchSelectWidth={false}
            data-testid="fallback-model-picker"
          />
        </Tooltip>
      </Field>
    </div>
  );
}
