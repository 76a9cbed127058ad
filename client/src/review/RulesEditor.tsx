import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Empty, Input, InputNumber, Select, Space, Typography } from 'antd';
import { ArrowLeftOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { REVIEW_RULE_KINDS, type ReviewRule, type ReviewRuleKind } from '@shared/review';
import { useCan } from '../auth/store';
import { evalApi, type EvalSetSummary } from '../evaluation/api';
import { errorText } from '../publish/http';
import { navigate } from '../router';
import { reviewApi, type ReviewRulesReply } from './api';

/** A new rule of a kind, its outputs filled with the first that fits. */
function newRule(kind: ReviewRuleKind, outputs: ReviewRulesReply['available']): ReviewRule {
  const first = outputs[0]?.name ?? '';
  const pick = (fits: (kind: string) => boolean) => outputs.find((o) => fits(o.kind))?.name ?? first;
  switch (kind) {
    case 'low_confidence':
      return { kind, output: pick((k) => k === 'number'), below: 0.6 };
    case 'red_line':
      return { kind, output: pick((k) => k === 'audit'), };
    case 'daily_sample':
      return { kind, percent: 5, seed: '' };
    case 'disagreement':
      return { kind, outputs: [first, outputs[1]?.name ?? first] };
    case 'always':
      return { kind };
  }
}

/**
 * A scenario's review rules: which results enter the queue (any rule matching), which end outputs an
 * inspector reviews, and the evaluation set decisions go to. Checked by the server against the live
 * version's outputs; its refusals are shown in the UI's language.
 */
export function RulesEditor({ scenarioId }: { scenarioId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const canWrite = useCan('scenarios:write');
  const [reply, setReply] = useState<ReviewRulesReply | null>(null);
  const [rules, setRules] = useState<ReviewRule[]>([]);
  const [outputs, setOutputs] = useState<string[]>([]);
  const [setId, setSetId] = useState<string | null>(null);
  const [sets, setSets] = useState<EvalSetSummary[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    reviewApi.rules(scenarioId).then(
      (r) => {
        setReply(r);
        setRules(r.rules);
        setOutputs(r.outputs);
        setSetId(r.set_id);
      },
      (e: unknown) => setError(errorText(e)),
    );
    evalApi.list(scenarioId).then(setSets, () => setSets([]));
  }, [scenarioId]);

  const save = async () => {
    try {
      const saved = await reviewApi.saveRules(scenarioId, { rules, outputs, set_id: setId });
      setReply(saved);
      setError(null);
      message.success(t('review.rulesSaved'));
    } catch (e) {
      setError(errorText(e));
    }
  };
  const update = (i: number, rule: ReviewRule) => setRules((all) => all.map((r, j) => (j === i ? rule : r)));
  const available = reply?.available ?? [];
  const outputOptions = available.map((o) => ({ value: o.name, label: `${o.name}（${t(`review.outputKind.${o.kind}`)}）` }));
  const outputSelect = (value: string, onChange: (v: string) => void, testId: string) => (
    <Select style={{ width: 200 }} value={value} onChange={onChange} options={outputOptions} disabled={!canWrite} data-testid={testId} />
  );

  return (
    <div style={{ padding: 16, maxWidth: 980 }} data-testid="review-rules">
      <Space style={{ marginBottom: 12 }}>
        <Button icon={<ArrowLeftOutlined />} onClick={() => navigate({ page: 'review' })}>{t('review.back')}</Button>
        <Typography.Title level={4} style={{ margin: 0 }}>{t('review.rulesTitle')}</Typography.Title>
      </Space>
      {reply && <Typography.Paragraph type="secondary">{reply.checked_against.kind === 'live' ? t('review.checkedLive', { version: reply.checked_against.version }) : t('review.checkedDraft')}</Typography.Paragraph>}
      {error && <Alert type="error" showIcon style={{ marginBottom: 12 }} title={error} data-testid="review-rules-error" />}
      <Card size="small" title={t('review.rulesWhich')}>
        {rules.length === 0 && <Empty description={t('review.noRules')} />}
        {rules.map((rule, i) => (
          <Space key={i} wrap style={{ display: 'flex', marginBottom: 8 }} data-testid={`review-rule-${i}`}>
            <Select style={{ width: 170 }} value={rule.kind} disabled={!canWrite} onChange={(k: ReviewRuleKind) => update(i, newRule(k, available))} options={REVIEW_RULE_KINDS.map((k) => ({ value: k, label: t(`review.kind.${k}`) }))} data-testid={`review-rule-kind-${i}`} />
            {rule.kind === 'low_confidence' && (
              <>
                {outputSelect(rule.output, (v) => update(i, { ...rule, output: v }), `review-rule-output-${i}`)}
                <span>{t('review.below')}</span>
                <InputNumber min={0.01} max={1} step={0.05} value={rule.below} disabled={!canWrite} onChange={(v) => update(i, { ...rule, below: v ?? rule.below })} data-testid={`review-rule-below-${i}`} />
              </>
            )}
            {rule.kind === 'red_line' && outputSelect(rule.output, (v) => update(i, { ...rule, output: v }), `review-rule-output-${i}`)}
            {rule.kind === 'disagreement' && (
              <>
                {outputSelect(rule.outputs[0], (v) => update(i, { ...rule, outputs: [v, rule.outputs[1]] }), `review-rule-a-${i}`)}
                <span>≠</span>
                {outputSelect(rule.outputs[1], (v) => update(i, { ...rule, outputs: [rule.outputs[0], v] }), `review-rule-b-${i}`)}
              </>
            )}
            {rule.kind === 'daily_sample' && (
              <>
                <InputNumber min={0.1} max={100} value={rule.percent} addonAfter="%" disabled={!canWrite} onChange={(v) => update(i, { ...rule, percent: v ?? rule.percent })} data-testid={`review-rule-percent-${i}`} />
                <span>{t('review.maxPerDay')}</span>
                <InputNumber min={1} value={rule.max_per_day} disabled={!canWrite} placeholder={t('review.noMax')} onChange={(v) => update(i, { ...rule, max_per_day: v ?? undefined })} />
                <Input style={{ width: 140 }} value={rule.seed} disabled={!canWrite} placeholder={t('review.seed')} onChange={(e) => update(i, { ...rule, seed: e.target.value })} />
              </>
            )}
            {rule.kind === 'always' && <Typography.Text type="secondary">{t('review.alwaysHint')}</Typography.Text>}
            {canWrite && <Button type="text" danger icon={<DeleteOutlined />} onClick={() => setRules((all) => all.filter((_, j) => j !== i))} aria-label={t('review.removeRule')} />}
          </Space>
        ))}
        {canWrite && <Button icon={<PlusOutlined />} onClick={() => setRules((all) => [...all, newRule('low_confidence', available)])} data-testid="review-rule-add">{t('review.addRule')}</Button>}
      </Card>
      <Card size="small" title={t('review.rulesWhat')} style={{ marginTop: 12 }}>
        <Space direction="vertical" style={{ width: '100%' }}>
          <span>{t('review.reviewedOutputs')}</span>
          <Select mode="multiple" style={{ width: '100%' }} value={outputs} onChange={setOutputs} options={outputOptions} placeholder={t('review.allOutputs')} disabled={!canWrite} data-testid="review-rules-outputs" />
          <span>{t('review.targetSet')}</span>
          <Select style={{ width: 320 }} value={setId ?? ''} onChange={(v: string) => setSetId(v === '' ? null : v)} disabled={!canWrite} options={[{ value: '', label: t('review.defaultSet') }, ...sets.map((s) => ({ value: s.id, label: s.name }))]} data-testid="review-rules-set" />
        </Space>
      </Card>
      {canWrite && <Button type="primary" style={{ marginTop: 12 }} onClick={() => void save()} data-testid="review-rules-save">{t('review.saveRules')}</Button>}
    </div>
  );
}
