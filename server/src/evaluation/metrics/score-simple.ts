import { mean, rootMeanSquare } from 'simple-statistics';
import type { CaseOutputResult, LabelDetail, NumericDetail, OutputMetricPlan, SetDetail } from '@shared/evaluation-metrics.js';
import { classificationReport, f1Score, safeDivide, type LabelPair } from './classification.js';
import { cohenKappa } from './kappa.js';
import { listKeys, normalizeValue, valueKey } from './normalize.js';

/** One case's value of one output: expected, and actual unless the run failed. */
export interface OutputCase {
  id: string;
  expected: unknown;
  actual: unknown;
  failed: boolean;
}

/** What scoring one output gives: flat metrics (names without the output prefix), detail, and per case (in case order). */
export interface OutputScore<D> {
  metrics: Record<string, number | null>;
  detail: D;
  perCase: CaseOutputResult[];
}

const outcome = (correct: boolean, score = correct ? 1 : 0, error?: number): CaseOutputResult => (error === undefined ? { correct, score } : { correct, score, error });

/**
 * Exact match (`exact`) or classification (`label`) of one output. Values compare by their normalised
 * key (see `valueKey`): `true`, `"true"` and `" TRUE "` are one label under the `text` normaliser.
 * `label` adds the classification report (confusion matrix, per-class and averaged precision / recall /
 * F1 with scikit-learn's definitions) and Cohen's kappa over the cases with a prediction.
 */
export function scoreLabels(plan: OutputMetricPlan, cases: OutputCase[]): OutputScore<LabelDetail> {
  const pairs: LabelPair[] = cases.map((c) => ({ expected: valueKey(c.expected, plan.normalizer), predicted: c.failed ? null : valueKey(c.actual, plan.normalizer) }));
  const perCase = pairs.map((p) => outcome(p.predicted === p.expected));
  const failed = cases.filter((c) => c.failed).length;
  const correct = perCase.filter((r) => r.correct).length;
  const accuracy = cases.length === 0 ? null : correct / cases.length;
  const base = { output: plan.output, n: cases.length, failed, accuracy };
  if (plan.kind !== 'label') return { metrics: { accuracy }, detail: { ...base, kind: 'exact' }, perCase };
  const declared = (plan.labels ?? []).map((l) => valueKey(l, plan.normalizer));
  const report = classificationReport(pairs, declared);
  const kappa = cohenKappa(pairs.filter((p) => p.predicted !== null).map((p) => [p.expected, p.predicted!] as const)).kappa;
  const metrics: Record<string, number | null> = {
    accuracy,
    kappa,
    macro_precision: report.macro.precision,
    macro_recall: report.macro.recall,
    macro_f1: report.macro.f1,
    weighted_precision: report.weighted.precision,
    weighted_recall: report.weighted.recall,
    weighted_f1: report.weighted.f1,
  };
  for (const c of report.per_class) {
    metrics[`precision[${c.label}]`] = c.precision;
    metrics[`recall[${c.label}]`] = c.recall;
    metrics[`f1[${c.label}]`] = c.f1;
  }
  const detail: LabelDetail = { ...base, kind: 'label', labels: report.labels, matrix: report.matrix, missing: report.missing, per_class: report.per_class, macro: report.macro, weighted: report.weighted, kappa };
  return { metrics, detail, perCase };
}

function asNumber(value: unknown): number | null {
  const n = normalizeValue(value, 'number');
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

/**
 * Numbers (a score, an amount): mean absolute error and root mean square error (by simple-statistics)
 * over the cases where both values are numbers, in the output's own unit; accuracy counts a case correct
 * when |expected − actual| ≤ tolerance, and a failed case or a non-number as wrong.
 */
export function scoreNumbers(plan: OutputMetricPlan, cases: OutputCase[]): OutputScore<NumericDetail> {
  const tolerance = plan.tolerance ?? 0;
  const errors: number[] = [];
  const perCase = cases.map((c) => {
    const e = asNumber(c.expected);
    const a = c.failed ? null : asNumber(c.actual);
    if (e === null || a === null) return outcome(!c.failed && valueKey(c.expected, 'number') === valueKey(c.actual, 'number'));
    const error = Math.abs(e - a);
    errors.push(error);
    return outcome(error <= tolerance + 1e-9, undefined, error);
  });
  const accuracy = cases.length === 0 ? null : perCase.filter((r) => r.correct).length / cases.length;
  const mae = errors.length === 0 ? null : mean(errors);
  const rmse = errors.length === 0 ? null : rootMeanSquare(errors);
  const detail: NumericDetail = { output: plan.output, kind: 'numeric', n: cases.length, failed: cases.filter((c) => c.failed).length, tolerance, accuracy, mae, rmse };
  return { metrics: { accuracy, mae, rmse }, detail, perCase };
}

/**
 * Lists whose order does not matter (red lines hit, missing fields, cues): micro precision, recall and
 * F1 over elements (an element counts once per occurrence; zero denominators give 0 as in scikit-learn),
 * and exact match of the whole list as a multiset. Per case, `score` is that case's F1 (1 when both lists are empty).
 */
export function scoreSets(plan: OutputMetricPlan, cases: OutputCase[]): OutputScore<SetDetail> {
  let tp = 0;
  let predictedCount = 0;
  let expectedCount = 0;
  const perCase = cases.map((c) => {
    const expected = listKeys(c.expected, plan.normalizer);
    const predicted = c.failed ? [] : listKeys(c.actual, plan.normalizer);
    const pool = [...predicted];
    let hit = 0;
    for (const e of expected) {
      const at = pool.indexOf(e);
      if (at >= 0) {
        hit++;
        pool.splice(at, 1);
      }
    }
    tp += hit;
    predictedCount += predicted.length;
    expectedCount += expected.length;
    const same = !c.failed && expected.length === predicted.length && hit === expected.length;
    const caseF1 = expected.length === 0 && predicted.length === 0 ? (c.failed ? 0 : 1) : f1Score(safeDivide(hit, predicted.length), safeDivide(hit, expected.length));
    return outcome(same, caseF1);
  });
  const precision = safeDivide(tp, predictedCount);
  const recall = safeDivide(tp, expectedCount);
  const f1 = f1Score(precision, recall);
  const exactMatch = cases.length === 0 ? null : perCase.filter((r) => r.correct).length / cases.length;
  const detail: SetDetail = { output: plan.output, kind: 'set', n: cases.length, failed: cases.filter((c) => c.failed).length, precision, recall, f1, exact_match: exactMatch };
  return { metrics: { precision, recall, f1, exact_match: exactMatch }, detail, perCase };
}
