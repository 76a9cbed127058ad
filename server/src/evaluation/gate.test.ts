import { describe, expect, it } from 'vitest';
import { gateableMetric, gateFailures, metricOutput, metricRange } from './gate.js';
import { planMetrics } from './metrics/index.js';

const plan = planMetrics({
  intent: { type: 'string', enum: ['报修', '投诉', '咨询'] },
  form: { type: 'object', properties: { phone: { type: 'string' }, address: { type: 'string' } } },
  summary: { type: 'string' },
});

describe('the publish gate', () => {
  it('takes only metric names the plan can give, keyed names by declared class or field', () => {
    const good = ['intent.accuracy', 'intent.macro_f1', 'intent.recall[投诉]', 'form.recall[phone]', 'summary.similarity'];
    expect(good.filter((m) => gateableMetric(plan, m))).toEqual(good);
    expect(['intent.recall[退订]', 'intent.mae', 'form.recall[name]', 'summary.similarity[x]', 'other.accuracy', 'intent', 'intent.accuracy[', '.accuracy'].filter((m) => gateableMetric(plan, m))).toEqual([]);
  });

  it('knows each metric’s range and its output', () => {
    expect(metricRange('intent.kappa')).toEqual([-1, 1]);
    expect(metricRange('audit.kappa[greeting]')).toEqual([-1, 1]);
    expect(metricRange('intent.accuracy')).toEqual([0, 1]);
    expect(metricOutput('form.recall[phone]')).toBe('form');
  });

  it('fails below the minimum, beyond the largest drop, or without a value', () => {
    const gate = { set_id: 's', metric: 'intent.accuracy', min: 0.8, max_drop: 0.02 };
    expect(gateFailures(gate, 0.85, 0.86)).toEqual([]);
    expect(gateFailures(gate, 0.84, 0.86)).toEqual([]);
    expect(gateFailures(gate, 0.79, null).map((f) => f.rule)).toEqual(['min']);
    const dropped = gateFailures(gate, 0.83, 0.9);
    expect(dropped.map((f) => [f.rule, f.bar])).toEqual([['max_drop', 0.9 - 0.02]]);
    expect(dropped[0]?.drop).toBeCloseTo(0.07);
    expect(gateFailures(gate, null, 0.9).map((f) => f.rule)).toEqual(['undefined_value']);
  });
});
