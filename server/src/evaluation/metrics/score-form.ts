import type { FieldScore, FormDetail, FormFieldPlan, OutputMetricPlan } from '@shared/evaluation-metrics.js';
import { f1Score, safeDivide } from './classification.js';
import { isEmptyValue, listKeys, valueKey } from './normalize.js';
import { fieldNormalizer } from './plan.js';
import type { OutputCase, OutputScore } from './score-simple.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

function fieldEqual(field: FormFieldPlan, expected: unknown, actual: unknown): boolean {
  if (field.list || Array.isArray(expected)) return listKeys(expected, field.normalizer).join('\u0000') === listKeys(actual, field.normalizer).join('\u0000');
  if (isEmptyValue(expected) || isEmptyValue(actual)) return isEmptyValue(expected) && isEmptyValue(actual);
  return valueKey(expected, field.normalizer) === valueKey(actual, field.normalizer);
}

interface Tally {
  plan: FormFieldPlan;
  n: number;
  expected: number;
  predicted: number;
  correct: number;
  same: number;
}

/**
 * An extracted form (a work order): each field the case's expected form lists is compared after its
 * normaliser (phone, text, number; lists as multisets). Per field, with empty = absent, null, blank, []:
 * - predicted: the actual value is non-empty; expected: the expected value is non-empty;
 * - correct: both non-empty and equal;
 * - precision = correct / predicted, recall = correct / expected, F1 their harmonic mean (0 on a zero
 *   denominator, scikit-learn's convention); exact match = share of cases whose values are equal, empty = empty included.
 * The output's precision / recall / F1 pool every field (micro average); `exact_match` is the share of
 * cases whose every listed field is equal (a case expecting no form, null, is right when none is given).
 * Fields not listed in a case's expected form are not scored for it. A failed case predicts nothing.
 */
export function scoreForms(plan: OutputMetricPlan, cases: OutputCase[]): OutputScore<FormDetail> {
  const tallies = new Map<string, Tally>();
  for (const field of plan.fields ?? []) tallies.set(field.name, { plan: field, n: 0, expected: 0, predicted: 0, correct: 0, same: 0 });
  const tally = (name: string): Tally => {
    let t = tallies.get(name);
    if (!t) {
      t = { plan: fieldNormalizer(name), n: 0, expected: 0, predicted: 0, correct: 0, same: 0 };
      tallies.set(name, t);
    }
    return t;
  };
  const perCase = cases.map((c) => {
    const actual = !c.failed && isRecord(c.actual) ? c.actual : {};
    if (!isRecord(c.expected)) {
      const right = !c.failed && isEmptyValue(c.expected) && isEmptyValue(c.actual);
      return { correct: right, score: right ? 1 : 0 };
    }
    let equal = 0;
    const names = Object.keys(c.expected);
    for (const name of names) {
      const t = tally(name);
      const e = c.expected[name];
      const a = actual[name];
      const same = !c.failed && fieldEqual(t.plan, e, a);
      t.n++;
      if (!isEmptyValue(e)) t.expected++;
      if (!c.failed && !isEmptyValue(a)) t.predicted++;
      if (same && !isEmptyValue(e)) t.correct++;
      if (same) {
        t.same++;
        equal++;
      }
    }
    const correct = !c.failed && equal === names.length;
    return { correct, score: names.length === 0 ? (correct ? 1 : 0) : equal / names.length };
  });
  const fields: FieldScore[] = [...tallies.values()]
    .filter((t) => t.n > 0)
    .map((t) => {
      const precision = safeDivide(t.correct, t.predicted);
      const recall = safeDivide(t.correct, t.expected);
      return { field: t.plan.name, normalizer: t.plan.normalizer, n: t.n, expected: t.expected, predicted: t.predicted, correct: t.correct, precision, recall, f1: f1Score(precision, recall), exact_match: t.same / t.n };
    });
  const sum = (pick: (f: FieldScore) => number) => fields.reduce((s, f) => s + pick(f), 0);
  const precision = safeDivide(sum((f) => f.correct), sum((f) => f.predicted));
  const recall = safeDivide(sum((f) => f.correct), sum((f) => f.expected));
  const f1 = f1Score(precision, recall);
  const exactMatch = cases.length === 0 ? null : perCase.filter((r) => r.correct).length / cases.length;
  const metrics: Record<string, number | null> = { exact_match: exactMatch, precision, recall, f1 };
  for (const f of fields) {
    metrics[`precision[${f.field}]`] = f.precision;
    metrics[`recall[${f.field}]`] = f.recall;
    metrics[`f1[${f.field}]`] = f.f1;
    metrics[`exact_match[${f.field}]`] = f.exact_match;
  }
  const detail: FormDetail = { output: plan.output, kind: 'form', n: cases.length, failed: cases.filter((c) => c.failed).length, exact_match: exactMatch, precision, recall, f1, fields };
  return { metrics, detail, perCase };
}
