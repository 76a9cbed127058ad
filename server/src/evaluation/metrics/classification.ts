import type { AveragedScores, ClassScore } from '@shared/evaluation-metrics.js';

/**
 * Classification metrics for one label output, with the definitions and zero-division convention of
 * scikit-learn's `precision_recall_fscore_support` / `classification_report` (zero_division = 0):
 * precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2PR / (P + R), each 0 when its denominator
 * is 0; macro = unweighted mean over classes, weighted = mean weighted by support; the classes are those
 * seen in the expected or predicted labels (a class seen only in predictions counts, with support 0).
 * https://scikit-learn.org/stable/modules/generated/sklearn.metrics.precision_recall_fscore_support.html
 *
 * Written here rather than taken from a package: the one maintained JavaScript confusion-matrix package
 * (ml-confusion-matrix) has neither averages, nor declared label order, nor a place for failed cases.
 */

/** One case: the expected label and the predicted one, or null when the run failed (no prediction). */
export interface LabelPair {
  expected: string;
  predicted: string | null;
}

export interface ClassificationReport {
  /** Classes in order: `declared` ones that were seen first (in their order), then the others sorted. */
  labels: string[];
  /** `matrix[i][j]`: cases expecting `labels[i]` predicted as `labels[j]`. */
  matrix: number[][];
  /** `missing[i]`: cases expecting `labels[i]` with no prediction (failed runs): false negatives only. */
  missing: number[];
  per_class: ClassScore[];
  macro: AveragedScores;
  weighted: AveragedScores;
  /** Correct cases over all cases, failed ones included (as wrong); null with no cases. */
  accuracy: number | null;
}

/** Divides, giving 0 for a zero denominator (scikit-learn's zero_division = 0). */
export function safeDivide(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/** F1, the harmonic mean of precision and recall; 0 when both are 0. */
export function f1Score(precision: number, recall: number): number {
  return safeDivide(2 * precision * recall, precision + recall);
}

/** The classes of a set of pairs: declared ones seen in the data in declared order, then the rest sorted. */
export function orderLabels(pairs: LabelPair[], declared: readonly string[] = []): string[] {
  const seen = new Set<string>();
  for (const p of pairs) {
    seen.add(p.expected);
    if (p.predicted !== null) seen.add(p.predicted);
  }
  const first = declared.filter((l) => seen.has(l));
  const rest = [...seen].filter((l) => !declared.includes(l)).sort();
  return [...first, ...rest];
}

/**
 * Confusion matrix, per-class precision / recall / F1 / support, macro and weighted averages and
 * accuracy (see the module comment for the definitions). A failed case (predicted null) is a false
 * negative of its expected class and wrong for accuracy, and is a false positive of no class.
 */
export function classificationReport(pairs: LabelPair[], declared: readonly string[] = []): ClassificationReport {
  const labels = orderLabels(pairs, declared);
  const index = new Map(labels.map((l, i) => [l, i]));
  const matrix = labels.map(() => labels.map(() => 0));
  const missing = labels.map(() => 0);
  let correct = 0;
  for (const p of pairs) {
    const row = index.get(p.expected)!;
    if (p.predicted === null) missing[row]++;
    else matrix[row][index.get(p.predicted)!]++;
    if (p.predicted === p.expected) correct++;
  }
  const perClass: ClassScore[] = labels.map((label, i) => {
    const tp = matrix[i][i];
    const support = matrix[i].reduce((a, b) => a + b, 0) + missing[i];
    const predictedCount = matrix.reduce((sum, row) => sum + row[i], 0);
    const precision = safeDivide(tp, predictedCount);
    const recall = safeDivide(tp, support);
    return { label, precision, recall, f1: f1Score(precision, recall), support };
  });
  const total = pairs.length;
  const average = (weight: (c: ClassScore) => number): AveragedScores => {
    const sum = perClass.reduce((s, c) => s + weight(c), 0);
    const mean = (pick: (c: ClassScore) => number) => safeDivide(perClass.reduce((s, c) => s + weight(c) * pick(c), 0), sum);
    return { precision: mean((c) => c.precision), recall: mean((c) => c.recall), f1: mean((c) => c.f1) };
  };
  return {
    labels,
    matrix,
    missing,
    per_class: perClass,
    macro: average(() => 1),
    weighted: average((c) => c.support),
    accuracy: total === 0 ? null : correct / total,
  };
}
