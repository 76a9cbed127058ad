import { describe, expect, it } from 'vitest';
import { classificationReport, type LabelPair } from './classification.js';
import { cohenKappa } from './kappa.js';

const pairsOf = (expected: string[], predicted: Array<string | null>): LabelPair[] => expected.map((e, i) => ({ expected: e, predicted: predicted[i] }));

describe('classificationReport', () => {
  it("matches scikit-learn's classification_report example (y_true [0,1,2,2,2], y_pred [0,0,2,2,1])", () => {
    // sklearn docs: class 0 P .50 R 1.00 F1 .67 support 1; class 1 0 0 0 1; class 2 1.00 .67 .80 3;
    // accuracy .60; macro avg .50 .56 .49; weighted avg .70 .60 .61. Here 0/1/2 are complaint risk levels.
    const r = classificationReport(pairsOf(['low', 'medium', 'high', 'high', 'high'], ['low', 'low', 'high', 'high', 'medium']), ['low', 'medium', 'high']);
    expect(r.labels).toEqual(['low', 'medium', 'high']);
    expect(r.matrix).toEqual([
      [1, 0, 0],
      [1, 0, 0],
      [0, 1, 2],
    ]);
    const [low, medium, high] = r.per_class;
    expect(low).toMatchObject({ label: 'low', precision: 0.5, recall: 1, support: 1 });
    expect(low.f1).toBeCloseTo(2 / 3, 10);
    expect(medium).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(high).toMatchObject({ precision: 1, support: 3 });
    expect(high.recall).toBeCloseTo(2 / 3, 10);
    expect(high.f1).toBeCloseTo(0.8, 10);
    expect(r.accuracy).toBeCloseTo(0.6, 10);
    expect(r.macro.precision).toBeCloseTo(0.5, 10);
    expect(r.macro.recall).toBeCloseTo(0.5556, 4);
    expect(r.macro.f1).toBeCloseTo(0.4889, 4);
    expect(r.weighted.precision).toBeCloseTo(0.7, 10);
    expect(r.weighted.recall).toBeCloseTo(0.6, 10);
    expect(r.weighted.f1).toBeCloseTo(0.6133, 4);
  });

  it("matches scikit-learn's precision_recall_fscore_support example (cat/dog/pig)", () => {
    // sklearn docs: macro (0.222, 0.333, 0.267), weighted the same. cat/dog/pig → fault/billing/complaint.
    const r = classificationReport(
      pairsOf(['fault', 'billing', 'complaint', 'fault', 'billing', 'complaint'], ['fault', 'complaint', 'billing', 'fault', 'fault', 'billing']),
    );
    expect(r.labels).toEqual(['billing', 'complaint', 'fault']); // no declared order: sorted, as sklearn
    expect(r.macro.precision).toBeCloseTo(0.2222, 4);
    expect(r.macro.recall).toBeCloseTo(0.3333, 4);
    expect(r.macro.f1).toBeCloseTo(0.2667, 4);
    expect(r.weighted.f1).toBeCloseTo(0.2667, 4);
    expect(r.accuracy).toBeCloseTo(1 / 3, 10);
  });

  it('keeps labels seen only in predictions, after the declared ones, with support 0', () => {
    const r = classificationReport(pairsOf(['query', 'query', 'fault'], ['query', 'other', 'fault']), ['fault', 'query', 'billing']);
    expect(r.labels).toEqual(['fault', 'query', 'other']); // declared order, unseen 'billing' left out
    expect(r.per_class[2]).toEqual({ label: 'other', precision: 0, recall: 0, f1: 0, support: 0 });
    expect(r.matrix[1]).toEqual([0, 1, 1]);
    expect(r.macro.recall).toBeCloseTo((1 + 0.5 + 0) / 3, 10);
  });

  it('counts a failed case as a false negative of its class and wrong, a false positive of none', () => {
    const r = classificationReport(pairsOf(['high', 'high', 'low'], ['high', null, 'low']));
    expect(r.missing).toEqual([1, 0]);
    expect(r.per_class.find((c) => c.label === 'high')).toMatchObject({ precision: 1, recall: 0.5, support: 2 });
    expect(r.accuracy).toBeCloseTo(2 / 3, 10);
  });

  it('gives null accuracy and no classes for no cases', () => {
    const r = classificationReport([]);
    expect(r).toMatchObject({ labels: [], accuracy: null, macro: { precision: 0, recall: 0, f1: 0 } });
  });
});

const repeat = (n: number, pair: readonly [string, string]) => Array.from({ length: n }, () => pair);

describe('cohenKappa', () => {
  it('gives 0.4 on the textbook 2×2 example (20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no)', () => {
    // p_o = 35/50 = 0.7; p_e = 0.5·0.6 + 0.5·0.4 = 0.5; κ = (0.7 − 0.5) / 0.5 = 0.4.
    const pairs = [...repeat(20, ['pass', 'pass']), ...repeat(5, ['pass', 'fail']), ...repeat(10, ['fail', 'pass']), ...repeat(15, ['fail', 'fail'])];
    const k = cohenKappa(pairs);
    expect(k.observed).toBeCloseTo(0.7, 10);
    expect(k.chance).toBeCloseTo(0.5, 10);
    expect(k.kappa).toBeCloseTo(0.4, 10);
  });

  it('gives 0.1304 on the unbalanced example (45, 15, 25, 15)', () => {
    // p_o = 0.6; p_e = 0.6·0.7 + 0.4·0.3 = 0.54; κ = 0.06 / 0.46.
    const pairs = [...repeat(45, ['pass', 'pass']), ...repeat(15, ['pass', 'fail']), ...repeat(25, ['fail', 'pass']), ...repeat(15, ['fail', 'fail'])];
    expect(cohenKappa(pairs).kappa).toBeCloseTo(0.1304, 4);
  });

  it('is 1 for perfect agreement over two classes and negative for systematic disagreement', () => {
    expect(cohenKappa([['pass', 'pass'], ['fail', 'fail']]).kappa).toBe(1);
    expect(cohenKappa([['pass', 'fail'], ['fail', 'pass']]).kappa).toBe(-1);
  });

  it('handles three categories (pass / fail / na)', () => {
    // p_o = 5/6; a: pass 3, fail 2, na 1; b: pass 2, fail 2, na 2 → p_e = (6 + 4 + 2) / 36 = 1/3; κ = (5/6 − 1/3) / (2/3) = 0.75.
    const k = cohenKappa([['pass', 'pass'], ['pass', 'pass'], ['pass', 'na'], ['fail', 'fail'], ['fail', 'fail'], ['na', 'na']].map(([a, b]) => [a, b] as const));
    expect(k.kappa).toBeCloseTo(0.75, 10);
  });

  it('returns null with single_class when both sides gave one and the same result throughout', () => {
    expect(cohenKappa(repeat(8, ['pass', 'pass']))).toEqual({ kappa: null, observed: 1, chance: 1, reason: 'single_class' });
  });

  it('returns 0 (defined) when one side gave one class and the other did not', () => {
    // p_o = 0.75, p_e = 1 · 0.75 = 0.75 → κ = 0.
    expect(cohenKappa([...repeat(3, ['pass', 'pass']), ['pass', 'fail']]).kappa).toBe(0);
  });

  it('returns null with no_cases for no pairs', () => {
    expect(cohenKappa([])).toMatchObject({ kappa: null, reason: 'no_cases' });
  });
});
