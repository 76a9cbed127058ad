import { describe, expect, it } from 'vitest';
import { scoreCases } from './score.js';
import { planMetrics } from './plan.js';
import { readStoredMetrics } from './stored.js';

describe('stored results', () => {
  const plan = planMetrics({ level: { type: 'string', enum: ['low', 'high'] }, summary: { type: 'string' } });
  const scored = scoreCases(plan, [
    { id: 'a', expected: { level: 'low', summary: '宽带断了' }, actual: { level: 'low', summary: '宽带断了' } },
    { id: 'b', expected: { level: 'high' }, actual: { level: 'low' } },
  ]);

  it('reads a result scored today as it is, its keys snake_case', () => {
    const back = readStoredMetrics(JSON.parse(JSON.stringify(scored)));
    expect(back).toEqual(scored);
    expect(back?.outputs.level).toMatchObject({ kind: 'label', per_class: expect.any(Array) });
    expect(back?.outputs.summary).toMatchObject({ kind: 'text', pass_at: 0.8, pass_rate: 1, rouge_l: 1 });
  });

  it('reads a result stored with the old camelCase keys under the new ones, names kept', () => {
    const old = {
      metrics: { 'level.accuracy': 0.5 },
      outputs: {
        level: { output: 'level', kind: 'label', n: 2, failed: 0, accuracy: 0.5, perClass: [{ label: 'low', precision: 0.5, recall: 1, f1: 0.67, support: 1 }] },
        form: { output: 'form', kind: 'form', n: 1, failed: 0, exactMatch: 1, precision: 1, recall: 1, f1: 1, fields: [{ field: 'phone', exactMatch: 1 }] },
        qa: { output: 'qa', kind: 'audit', n: 1, failed: 0, overall: { id: '*', n: 1, agreement: 1, kappa: null, kappaReason: 'single_class' }, items: [{ id: 'x', n: 1, agreement: 1, kappa: null, kappaReason: 'single_class' }] },
        perClass: { output: 'perClass', kind: 'text', n: 1, failed: 0, passAt: 0.8, similarity: 1, rougeL: 1, passRate: 1 },
      },
      perCase: [{ id: 'a', failed: false, outputs: { level: { correct: true, score: 1 } } }],
      cases: 2,
      failed: 0,
    };
    const back = readStoredMetrics(old);
    expect(back?.per_case).toEqual(old.perCase);
    expect(back).not.toHaveProperty('perCase');
    expect(back?.outputs.level).toMatchObject({ per_class: old.outputs.level.perClass });
    expect(back?.outputs.level).not.toHaveProperty('perClass');
    expect(back?.outputs.form).toMatchObject({ exact_match: 1, fields: [{ field: 'phone', exact_match: 1 }] });
    expect(back?.outputs.qa).toMatchObject({ overall: { kappa_reason: 'single_class' }, items: [{ kappa_reason: 'single_class' }] });
    // An output may be named like an old key: its name stays.
    expect(back?.outputs.perClass).toMatchObject({ pass_at: 0.8, rouge_l: 1, pass_rate: 1 });
  });

  it('reads nothing from a damaged column', () => {
    expect(readStoredMetrics(null)).toBeNull();
    expect(readStoredMetrics({ metrics: {} })).toBeNull();
    expect(readStoredMetrics({ metrics: {}, outputs: {}, per_case: 'x' })).toBeNull();
  });
});
