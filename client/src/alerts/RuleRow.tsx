import { Button, Input, InputNumber, Select, Space, Typography } from 'antd';
import { DeleteOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { ALERT_RULE_KINDS, ALERT_SEVERITIES, type AlertOutputInfo, type AlertRule, type AlertRuleKind } from '@shared/alerts';

type Scalar = string | number | boolean;

/** A rule of `kind` keeping what the previous one had in common (name, severity, id, output). */
/** An output as a choice: its label first where it has one (联系电话 · work_order.phone（string）). */
export function outputOption(o: AlertOutputInfo): { value: string; label: string } {
  return { value: o.path, label: `${o.label ? `${o.label} · ` : ''}${o.path}（${o.type}）` };
}

export function ruleOfKind(kind: AlertRuleKind, from: AlertRule, available: AlertOutputInfo[]): AlertRule {
  const base = { ...(from.id ? { id: from.id } : {}), name: from.name, severity: from.severity };
  const output = 'output' in from ? from.output : (available[0]?.path ?? '');
  const pick = (fits: (o: AlertOutputInfo) => boolean) => available.find(fits)?.path ?? output;
  switch (kind) {
    case 'red_line':
      return { ...base, kind, output: pick((o) => /fatal|verdict|audit|items/.test(o.path)) };
    case 'equals':
      return { ...base, kind, output, value: '' };
    case 'one_of':
      return { ...base, kind, output, values: [] };
    case 'at_least':
    case 'at_most':
      return { ...base, kind, output: pick((o) => o.type === 'number' || o.type === 'integer'), value: 0 };
    case 'is_true':
      return { ...base, kind, output: pick((o) => o.type === 'boolean') };
    case 'keyword':
      return { ...base, kind, role: 'customer', words: [] };
  }
}

/** A new rule as the add button makes it: a keyword rule on what the customer says. */
export function newRule(): AlertRule {
  return { name: '', severity: 'warning', kind: 'keyword', role: 'customer', words: [] };
}

/** A value typed in an input, read as the output's type: numbers and true/false as such, else text. */
function scalarOf(text: string, info: AlertOutputInfo | undefined): Scalar {
  if (info && (info.type === 'number' || info.type === 'integer') && text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
  if (info?.type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

/** One rule's editor: name, kind, severity and what the kind reads (an output and a value, or keywords). */
export function RuleRow({ rule, index, available, disabled, onChange, onRemove }: { rule: AlertRule; index: number; available: AlertOutputInfo[]; disabled: boolean; onChange: (rule: AlertRule) => void; onRemove: () => void }) {
  const { t } = useTranslation();
  const info = 'output' in rule ? available.find((o) => o.path === rule.output) : undefined;
  const options = available.map(outputOption);
  const valueOptions = (info?.values ?? []).map((v) => ({ value: String(v), label: String(v) }));
  const id = (part: string) => `alert-rule-${part}-${index}`;
  return (
    <Space wrap style={{ display: 'flex', marginBottom: 8 }} data-testid={`alert-rule-${index}`}>
      <Input style={{ width: 200 }} value={rule.name} placeholder={t('alerts.namePlaceholder')} aria-label={t('alerts.name')} disabled={disabled} onChange={(e) => onChange({ ...rule, name: e.target.value })} data-testid={id('name')} />
      <Select style={{ width: 150 }} value={rule.kind} aria-label={t('alerts.kindLabel')} disabled={disabled} onChange={(k: AlertRuleKind) => onChange(ruleOfKind(k, rule, available))} options={ALERT_RULE_KINDS.map((k) => ({ value: k, label: t(`alerts.kind.${k}`) }))} data-testid={id('kind')} />
      <Select style={{ width: 100 }} value={rule.severity ?? 'warning'} aria-label={t('alerts.severityLabel')} disabled={disabled} onChange={(s) => onChange({ ...rule, severity: s })} options={ALERT_SEVERITIES.map((s) => ({ value: s, label: t(`alerts.severity.${s}`) }))} data-testid={id('severity')} />
      {'output' in rule && (
        <Select style={{ width: 240 }} showSearch value={rule.output} aria-label={t('alerts.output')} placeholder={t('alerts.output')} disabled={disabled} onChange={(v: string) => onChange({ ...rule, output: v })} options={options} data-testid={id('output')} />
      )}
      {rule.kind === 'equals' &&
        (valueOptions.length > 0 ? (
          <Select style={{ width: 160 }} value={rule.value === '' ? undefined : String(rule.value)} placeholder={t('alerts.value')} aria-label={t('alerts.value')} disabled={disabled} onChange={(v: string) => onChange({ ...rule, value: scalarOf(v, info) })} options={valueOptions} data-testid={id('value')} />
        ) : (
          <Input style={{ width: 160 }} value={String(rule.value)} placeholder={t('alerts.value')} aria-label={t('alerts.value')} disabled={disabled} onChange={(e) => onChange({ ...rule, value: scalarOf(e.target.value, info) })} data-testid={id('value')} />
        ))}
      {rule.kind === 'one_of' && (
        <Select mode="tags" style={{ minWidth: 220 }} value={rule.values.map(String)} placeholder={t('alerts.valuesPlaceholder')} aria-label={t('alerts.values')} disabled={disabled} onChange={(vs: string[]) => onChange({ ...rule, values: vs.map((v) => scalarOf(v, info)) })} options={valueOptions} data-testid={id('values')} />
      )}
      {(rule.kind === 'at_least' || rule.kind === 'at_most') && (
        <InputNumber value={rule.value} aria-label={t('alerts.threshold')} disabled={disabled} onChange={(v) => onChange({ ...rule, value: v ?? rule.value })} data-testid={id('threshold')} />
      )}
      {(rule.kind === 'red_line' || rule.kind === 'is_true') && <Typography.Text type="secondary">{t(`alerts.kindHint.${rule.kind}`)}</Typography.Text>}
      {rule.kind === 'keyword' && (
        <>
          <Select style={{ width: 110 }} value={rule.role ?? 'customer'} aria-label={t('alerts.role')} disabled={disabled} onChange={(r) => onChange({ ...rule, role: r })} options={(['customer', 'agent', 'any'] as const).map((r) => ({ value: r, label: t(`alerts.roles.${r}`) }))} data-testid={id('role')} />
          <Select mode="tags" style={{ minWidth: 280 }} value={rule.words} open={false} suffixIcon={null} tokenSeparators={[',', '，', '、']} placeholder={t('alerts.wordsPlaceholder')} aria-label={t('alerts.words')} disabled={disabled} onChange={(ws: string[]) => onChange({ ...rule, words: ws })} data-testid={id('words')} />
        </>
      )}
      {!disabled && <Button type="text" danger icon={<DeleteOutlined />} onClick={onRemove} aria-label={t('alerts.removeRule')} data-testid={id('remove')} />}
    </Space>
  );
}
