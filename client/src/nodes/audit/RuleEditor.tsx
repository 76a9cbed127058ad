import { Input, InputNumber, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Rule } from '@shared/index';

const SCOPE = { role: 'any', position: 'all' as const, turns: 1 };

/** A fresh rule of a check type, with sensible defaults. */
export function newRule(check: Rule['check']): Rule {
  switch (check) {
    case 'keywords':
      return { check, keywords: ['您好'], match: 'any', expect: 'present', scope: SCOPE };
    case 'regex':
      return { check, pattern: '工号\\s*\\d+', flags: 'i', expect: 'present', scope: SCOPE };
    case 'timing':
      return { check, metric: 'first_response', max: 10, scope: SCOPE };
    case 'repetition':
      return { check, times: 3, minLength: 6, scope: { ...SCOPE, role: 'agent' } };
  }
}

/** Edits one rule: keywords, regex, timing or repetition, and which turns it looks at. */
export function RuleEditor({ rule, onChange }: { rule: Rule; onChange(rule: Rule): void }) {
  const { t } = useTranslation();
  const expect =
    rule.check === 'keywords' || rule.check === 'regex' ? (
      <Select
        size="small"
        value={rule.expect}
        options={[
          { value: 'present', label: t('panel.present') },
          { value: 'absent', label: t('panel.absent') },
        ]}
        onChange={(v) => onChange({ ...rule, expect: v })}
        style={{ width: 90 }}
      />
    ) : null;
  return (
    <div style={{ display: 'grid', gap: 6, minWidth: 0 }}>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 6 }}>
        <Select
          size="small"
          value={rule.check}
          style={{ width: 100 }}
          options={(['keywords', 'regex', 'timing', 'repetition'] as const).map((c) => ({ value: c, label: t(`panel.${c}`) }))}
          onChange={(c) => onChange(newRule(c))}
        />
        {expect}
        <Select
          size="small"
          value={rule.scope.role}
          style={{ width: 96 }}
          options={(['any', 'agent', 'customer'] as const).map((r) => ({ value: r, label: t(`enum.role.${r}`) }))}
          onChange={(role) => onChange({ ...rule, scope: { ...rule.scope, role } })}
          aria-label={t('panel.role')}
        />
        <Select
          size="small"
          value={rule.scope.position}
          style={{ width: 76 }}
          options={(['all', 'first', 'last'] as const).map((p) => ({ value: p, label: t(`enum.position.${p}`) }))}
          onChange={(position) => onChange({ ...rule, scope: { ...rule.scope, position } })}
          aria-label={t('panel.position')}
        />
        {rule.scope.position !== 'all' && (
          <InputNumber size="small" min={1} value={rule.scope.turns} style={{ width: 84 }} addonAfter={t('enum.turns')} aria-label={t('panel.turns')} onChange={(v) => onChange({ ...rule, scope: { ...rule.scope, turns: v ?? 1 } })} />
        )}
      </div>
      {rule.check === 'keywords' && (
        <Select size="small" mode="tags" value={rule.keywords} placeholder={t('panel.keywords')} onChange={(keywords: string[]) => onChange({ ...rule, keywords })} />
      )}
      {rule.check === 'regex' && <Input size="small" value={rule.pattern} placeholder={t('panel.pattern')} onChange={(e) => onChange({ ...rule, pattern: e.target.value })} />}
      {rule.check === 'timing' && (
        <div style={{ display: 'flex', flexWrap: 'wrap', gap: 6 }}>
          <Select
            size="small"
            value={rule.metric}
            style={{ width: 130 }}
            options={(['first_response', 'max_silence', 'duration', 'turn_length'] as const).map((m) => ({ value: m, label: t(`enum.metric.${m}`) }))}
            onChange={(metric) => onChange({ ...rule, metric })}
          />
          <InputNumber size="small" placeholder={t('panel.min')} value={rule.min} onChange={(v) => onChange({ ...rule, min: v ?? undefined })} />
          <InputNumber size="small" placeholder={t('panel.max')} value={rule.max} onChange={(v) => onChange({ ...rule, max: v ?? undefined })} />
        </div>
      )}
      {rule.check === 'repetition' && (
        <InputNumber size="small" addonBefore={t('panel.times')} min={2} max={20} value={rule.times} onChange={(v) => onChange({ ...rule, times: v ?? 3 })} />
      )}
    </div>
  );
}
