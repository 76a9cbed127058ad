import { describe, expect, it } from 'vitest';
import type { AuditDetail, FormDetail, LabelDetail, ScoredCaseInput, TextDetail } from '@shared/evaluation-metrics.js';
import type { JsonSchema } from '@shared/json-schema.js';
import { planMetrics } from './plan.js';
import { scoreCases } from './score.js';

const plan = planMetrics({
  risk_level: { type: 'string', enum: ['low', 'medium', 'high'] },
  warn: { type: 'boolean' },
  summary: { type: 'string' },
  work_order: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      phone: { type: 'string', pattern: '^1[3-9]\\d{9}$' },
      address: { type: 'string' },
      symptom: { type: 'string' },
      error_code: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    },
  },
  internal_note: { type: 'string' },
});

const cases: ScoredCaseInput[] = [
  {
    id: 'c1',
    expected: { risk_level: 'high', warn: true, summary: '客户反映宽带断网', work_order: { phone: '13800138000', address: '朝阳区建国路88号3号楼', symptom: '光猫LOS灯红' } },
    actual: { risk_level: 'high', warn: true, summary: '客户说宽带断网了', work_order: { name: '张先生', phone: '+86 138-0013-8000', address: '朝阳区建国路８８号３号楼', symptom: '光猫ＬＯＳ灯红' } },
  },
  {
    id: 'c2',
    expected: { risk_level: 'medium', work_order: { phone: '13912345678', address: '海淀区中关村大街1号', symptom: '无法上网', error_code: '651' } },
    actual: { risk_level: 'low', work_order: { phone: '139 1234 5678', address: '海淀区中关村大街2号', symptom: '无法上网', error_code: null } },
  },
  { id: 'c3', expected: { risk_level: 'high', summary: '客户要求退费' }, failed: true },
  { id: 'c4', expected: { risk_level: 'low', warn: false, not_an_output: 1 }, actual: { risk_level: 'low', warn: 'false' } },
];

describe('scoreCases', () => {
  const result = scoreCases(plan, cases);

  it('counts cases and failed runs', () => {
    expect(result).toMatchObject({ cases: 4, failed: 1 });
    expect(result.per_case.map((c) => c.failed)).toEqual([false, false, true, false]);
  });

  it('scores a label output with accuracy, confusion matrix, per-class and macro scores, kappa', () => {
    // Pairs: high/high, medium/low, high/—(failed), low/low.
    const detail = result.outputs.risk_level as LabelDetail;
    expect(detail).toMatchObject({ kind: 'label', n: 4, failed: 1, accuracy: 0.5, labels: ['low', 'medium', 'high'], missing: [0, 0, 1] });
    expect(detail.matrix).toEqual([
      [1, 0, 0],
      [1, 0, 0],
      [0, 0, 1],
    ]);
    expect(result.metrics['risk_level.precision[low]']).toBe(0.5);
    expect(result.metrics['risk_level.recall[high]']).toBe(0.5);
    expect(result.metrics['risk_level.f1[medium]']).toBe(0);
    expect(result.metrics['risk_level.macro_precision']).toBeCloseTo(0.5, 10);
    expect(result.metrics['risk_level.macro_f1']).toBeCloseTo(4 / 9, 10);
    // Kappa over the 3 rated pairs: p_o = 2/3, p_e = 1/9 + 2/9 = 1/3 → 0.5.
    expect(result.metrics['risk_level.kappa']).toBeCloseTo(0.5, 10);
  });

  it('reads a boolean and its text as the same label', () => {
    expect(result.metrics['warn.accuracy']).toBe(1);
    expect(result.metrics['warn.kappa']).toBe(1);
  });

  it('scores a form field by field after normalisation, only the fields the case lists', () => {
    const detail = result.outputs.work_order as FormDetail;
    expect(detail.n).toBe(2);
    expect(detail.fields.map((f) => f.field)).toEqual(['phone', 'address', 'symptom', 'error_code']); // name is not expected anywhere
    expect(detail.fields.find((f) => f.field === 'phone')).toMatchObject({ expected: 2, predicted: 2, correct: 2, precision: 1, recall: 1, exact_match: 1 });
    expect(detail.fields.find((f) => f.field === 'address')).toMatchObject({ correct: 1, precision: 0.5, recall: 0.5, exact_match: 0.5 });
    expect(detail.fields.find((f) => f.field === 'error_code')).toMatchObject({ expected: 1, predicted: 0, correct: 0, precision: 0, recall: 0, f1: 0 });
    // Micro: 5 correct of 6 predicted and 7 expected.
    expect(result.metrics['work_order.precision']).toBeCloseTo(5 / 6, 10);
    expect(result.metrics['work_order.recall']).toBeCloseTo(5 / 7, 10);
    expect(result.metrics['work_order.f1']).toBeCloseTo(10 / 13, 10);
    expect(result.metrics['work_order.exact_match']).toBe(0.5);
    expect(result.per_case[1].outputs.work_order).toEqual({ correct: false, score: 0.5 });
  });

  it('scores free text by character similarity, a failed run as 0', () => {
    const detail = result.outputs.summary as TextDetail;
    expect(detail).toMatchObject({ n: 2, failed: 1, pass_rate: 0 });
    expect(result.metrics['summary.similarity']).toBeCloseTo((0.625 + 0) / 2, 10);
    expect(result.metrics['summary.rouge_l']).toBeCloseTo((0.75 + 0) / 2, 10);
    expect(detail.histogram[0]).toBe(1);
    expect(detail.histogram[6]).toBe(1);
  });

  it('leaves out outputs no case expects and expected values that are not outputs', () => {
    expect(result.outputs.internal_note).toBeUndefined();
    expect(Object.keys(result.metrics).some((m) => m.startsWith('not_an_output') || m.startsWith('internal_note'))).toBe(false);
    expect(Object.keys(result.per_case[3].outputs).sort()).toEqual(['risk_level', 'warn']);
  });

  it('scores nothing for a skipped output', () => {
    const skipped = scoreCases(planMetrics({ summary: { type: 'string' } }, { summary: { kind: 'skip' } }), cases);
    expect(skipped.metrics).toEqual({});
    expect(skipped.cases).toBe(4);
  });
});

const ITEMS: JsonSchema = { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, result: { type: 'string', enum: ['pass', 'fail', 'na'] } } } };
const itemsPlan = planMetrics({ items: ITEMS });
const NAMES: Record<string, string> = { greeting: '开场问候并报工号', empathy: '客户不满时致歉安抚', abuse: '红线：辱骂客户' };
const item = (id: string, result: string) => ({ id, name: NAMES[id], result, score: 0, weight: 10 });

describe('scoreCases on audits', () => {
  it('gives per-item and pooled agreement and kappa; a missing item or failed run disagrees', () => {
    const r = scoreCases(itemsPlan, [
      { id: 'a1', expected: { items: [item('greeting', 'pass'), item('empathy', 'fail'), item('abuse', 'pass')] }, actual: { items: [item('greeting', 'pass'), item('empathy', 'pass'), item('abuse', 'pass')] } },
      { id: 'a2', expected: { items: [item('greeting', 'fail'), item('empathy', 'pass'), item('abuse', 'pass')] }, actual: { items: [item('greeting', 'fail'), item('empathy', 'PASS'), item('abuse', 'pass')] } },
      { id: 'a3', expected: { items: [item('greeting', 'pass'), item('empathy', 'na')] }, actual: { items: [item('greeting', 'pass')] } },
      { id: 'a4', expected: { items: [item('greeting', 'pass')] }, failed: true },
    ]);
    const detail = r.outputs.items as AuditDetail;
    expect(r.metrics['items.agreement[greeting]']).toBe(0.75);
    expect(r.metrics['items.kappa[greeting]']).toBe(1); // rated pairs p/p, f/f, p/p
    expect(r.metrics['items.agreement[empathy]']).toBeCloseTo(1 / 3, 10);
    expect(r.metrics['items.kappa[empathy]']).toBe(0); // f/p, p/p: p_o = p_e = 0.5
    expect(r.metrics['items.agreement[abuse]']).toBe(1);
    expect(r.metrics['items.kappa[abuse]']).toBeNull();
    expect(detail.items.find((i) => i.id === 'abuse')?.kappa_reason).toBe('single_class');
    expect(detail.items.find((i) => i.id === 'greeting')).toEqual({ id: 'greeting', name: '开场问候并报工号', n: 4, agreement: 0.75, kappa: 1 });
    expect(detail.overall).toMatchObject({ id: '*', n: 9 });
    expect(r.metrics['items.item_agreement']).toBeCloseTo(6 / 9, 10);
    // Pooled over 7 rated pairs: p_o = 6/7, p_e = (5·6 + 2·1)/49 = 32/49 → κ = 10/17.
    expect(r.metrics['items.kappa']).toBeCloseTo(10 / 17, 10);
    expect(r.per_case.map((c) => c.outputs.items.correct)).toEqual([false, true, false, false]);
    expect(r.per_case[0].outputs.items.score).toBeCloseTo(2 / 3, 10);
    expect(r.metrics['items.score_mae']).toBeUndefined();
  });

  it('gives score MAE and RMSE in points and verdict accuracy for a whole audit result', () => {
    const auditPlan = planMetrics({ audit: { type: 'object', properties: { items: ITEMS, score: { type: 'number' }, verdict: { type: 'string' } } } }, { audit: { tolerance: 5 } });
    const r = scoreCases(auditPlan, [
      { id: 'b1', expected: { audit: { score: 85, verdict: 'pass' } }, actual: { audit: { items: [item('greeting', 'pass')], score: 80, verdict: 'pass' } } },
      { id: 'b2', expected: { audit: { score: 50, verdict: 'fail', items: [item('abuse', 'fail')] } }, actual: { audit: { score: 60, verdict: 'pass', items: [item('abuse', 'fail')] } } },
    ]);
    expect(r.metrics['audit.score_mae']).toBe(7.5);
    expect(r.metrics['audit.score_rmse']).toBeCloseTo(Math.sqrt(62.5), 10);
    expect(r.metrics['audit.verdict_accuracy']).toBe(0.5);
    expect(r.per_case.map((c) => c.outputs.audit.correct)).toEqual([true, false]);
    expect(r.per_case[1].outputs.audit.error).toBe(10);
  });
});

describe('scoreCases on numbers and lists', () => {
  const p = planMetrics({ score: { type: 'number' }, fatal: { type: 'array', items: { type: 'string' } }, missing: { type: 'array', items: { type: 'string' } } }, { score: { tolerance: 2 } });
  const r = scoreCases(p, [
    { id: 'n1', expected: { score: 90, fatal: [], missing: ['address', 'phone'] }, actual: { score: 91, fatal: [], missing: ['phone', 'address'] } },
    { id: 'n2', expected: { score: 40, fatal: ['abuse'], missing: ['address'] }, actual: { score: '35', fatal: ['abuse', 'false_promise'], missing: [] } },
    { id: 'n3', expected: { score: 70 }, failed: true },
  ]);

  it('gives MAE, RMSE over cases with both numbers and accuracy within the tolerance', () => {
    expect(r.metrics['score.mae']).toBe(3);
    expect(r.metrics['score.rmse']).toBeCloseTo(Math.sqrt(13), 10);
    expect(r.metrics['score.accuracy']).toBeCloseTo(1 / 3, 10);
  });

  it('gives micro precision / recall over list elements and exact match as multisets', () => {
    expect(r.metrics['fatal.precision']).toBe(0.5);
    expect(r.metrics['fatal.recall']).toBe(1);
    expect(r.metrics['fatal.exact_match']).toBe(0.5);
    expect(r.metrics['missing.recall']).toBeCloseTo(2 / 3, 10);
    expect(r.metrics['missing.precision']).toBe(1);
    expect(r.per_case[0].outputs.missing).toEqual({ correct: true, score: 1 });
  });
});

describe('scoreCases on ids, numbers as labels and absent forms', () => {
  const p = planMetrics(
    { order_id: { type: 'string' }, level: { type: 'integer' }, work_order: { type: 'object', additionalProperties: true } },
    { level: { kind: 'label' } },
  );
  const r = scoreCases(p, [
    { id: 'x1', expected: { order_id: 'GD２０２４０５０１', level: 2, work_order: null }, actual: { order_id: 'gd20240501', level: '2', work_order: null } },
    { id: 'x2', expected: { order_id: 'GD20240502', level: 3, work_order: { 手机号: '13800138000', 地址: '西湖区文三路 90 号', 故障类型: '断网' } }, actual: { order_id: 'GD20240503', level: 1, work_order: { 手机号: '138-0013-8000', 地址: '西湖区文三路90号', 故障类型: '断网' } } },
  ]);

  it('compares ids exactly after normalisation, with accuracy only', () => {
    expect(r.metrics['order_id.accuracy']).toBe(0.5);
    expect(r.outputs.order_id).toMatchObject({ kind: 'exact' });
    expect(r.metrics['order_id.macro_f1']).toBeUndefined();
  });

  it('treats numbers as labels when overridden, with a confusion matrix', () => {
    expect(r.outputs.level).toMatchObject({ kind: 'label', labels: ['1', '2', '3'], matrix: [[0, 0, 0], [0, 1, 0], [1, 0, 0]] });
    expect(r.metrics['level.recall[3]']).toBe(0);
  });

  it('counts an expected absent form right when none is given, and guesses field normalisers by name for an open form', () => {
    expect(r.per_case[0].outputs.work_order).toEqual({ correct: true, score: 1 });
    // 手机号 by the phone normaliser (its name), 地址 equal once spaces beside Chinese are dropped.
    expect(r.outputs.work_order).toMatchObject({ fields: [{ field: '手机号', normalizer: 'phone' }, { field: '地址', normalizer: 'text' }, { field: '故障类型', normalizer: 'text' }] });
    expect(r.metrics['work_order.exact_match[手机号]']).toBe(1);
    expect(r.metrics['work_order.exact_match[地址]']).toBe(1);
    expect(r.metrics['work_order.exact_match']).toBe(1);
  });
});

