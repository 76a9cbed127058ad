import { describe, expect, it } from 'vitest';
import type { ScoredCaseInput } from '@shared/evaluation-metrics.js';
import { DomainError } from '../../common/domain-error.js';
import { meetsBars, parseMinBar } from './bars.js';
import { compareResults } from './compare.js';
import { planMetrics } from './plan.js';
import { scoreCases } from './score.js';

const plan = planMetrics({ risk_level: { type: 'string', enum: ['low', 'medium', 'high'] }, summary: { type: 'string' } });
const expected: Record<string, Record<string, unknown>> = {
  k1: { risk_level: 'high', summary: '客户扬言向工信部投诉' },
  k2: { risk_level: 'low' },
  k3: { risk_level: 'medium' },
  k4: { risk_level: 'low' },
};
const run = (actual: Record<string, Record<string, unknown> | undefined>): ScoredCaseInput[] =>
  Object.entries(actual).map(([id, a]) => ({ id, expected: expected[id], ...(a ? { actual: a } : { failed: true }) }));

describe('compareResults', () => {
  const a = scoreCases(plan, run({ k1: { risk_level: 'high', summary: '客户扬言向工信部投诉' }, k2: { risk_level: 'medium' }, k3: { risk_level: 'medium' } }));
  const b = scoreCases(plan, run({ k1: { risk_level: 'high', summary: '客户要投诉' }, k2: { risk_level: 'low' }, k3: undefined, k4: { risk_level: 'low' } }));
  const comparison = compareResults(a, b);

  it('gives each metric in both results with b − a', () => {
    const accuracy = comparison.deltas.find((d) => d.metric === 'risk_level.accuracy');
    expect(accuracy?.a).toBeCloseTo(2 / 3, 10);
    expect(accuracy?.b).toBe(0.75);
    expect(accuracy?.delta).toBeCloseTo(0.75 - 2 / 3, 10);
    expect(comparison.deltas.map((d) => d.metric)).toEqual([...comparison.deltas.map((d) => d.metric)].sort());
  });

  it('gives null deltas for a metric missing from one side', () => {
    const c = compareResults({ ...a, metrics: { x: 1 } }, { ...b, metrics: { y: 2 } });
    expect(c.deltas).toEqual([
      { metric: 'x', a: 1, b: null, delta: null },
      { metric: 'y', a: null, b: 2, delta: null },
    ]);
  });

  it('lists cases that went right → wrong and wrong → right per output', () => {
    expect(comparison.changed).toEqual([
      { output: 'risk_level', rightToWrong: ['k3'], wrongToRight: ['k2'] },
      { output: 'summary', rightToWrong: ['k1'], wrongToRight: [] },
    ]);
    expect(comparison.onlyInA).toEqual([]);
    expect(comparison.onlyInB).toEqual(['k4']);
  });
});

describe('bars', () => {
  it('parses <metric>=<value>, percentages and labels in brackets', () => {
    expect(parseMinBar('risk_level.accuracy=0.9')).toEqual({ metric: 'risk_level.accuracy', min: 0.9 });
    expect(parseMinBar(' work_order.recall[phone] = 95% ')).toEqual({ metric: 'work_order.recall[phone]', min: 0.95 });
  });

  it.each(['risk_level.accuracy', '=0.9', 'risk_level.accuracy=', 'risk_level.accuracy=high'])('refuses %s with invalid_bar', (text) => {
    expect(() => parseMinBar(text)).toThrow(expect.objectContaining({ code: 'invalid_bar', kind: 'invalid' }));
  });

  const metrics = { 'risk_level.accuracy': 0.82, 'risk_level.macro_f1': 0.7, 'items.kappa': null, 'score.mae': 3 };

  it('passes when every metric is at or above its bar', () => {
    expect(meetsBars(metrics, [{ metric: 'risk_level.accuracy', min: 0.82 }])).toEqual({ ok: true, failures: [] });
  });

  it('fails each metric below its bar, and a null value', () => {
    expect(meetsBars(metrics, [parseMinBar('risk_level.accuracy=0.8'), parseMinBar('risk_level.macro_f1=0.75'), parseMinBar('items.kappa=0.6')])).toEqual({
      ok: false,
      failures: [
        { metric: 'risk_level.macro_f1', value: 0.7, min: 0.75 },
        { metric: 'items.kappa', value: null, min: 0.6 },
      ],
    });
  });

  it('refuses an unknown metric, listing the known names', () => {
    let error: unknown;
    try {
      meetsBars(metrics, [{ metric: 'risk_level.acuracy', min: 0.8 }]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'unknown_metric', details: { known: ['items.kappa', 'risk_level.accuracy', 'risk_level.macro_f1', 'score.mae'] } });
    expect((error as Error).message).toContain('risk_level.accuracy');
  });

  it('refuses a minimum on an error metric', () => {
    expect(() => meetsBars(metrics, [{ metric: 'score.mae', min: 1 }])).toThrow(expect.objectContaining({ code: 'bar_direction' }));
  });
});
