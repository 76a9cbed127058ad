import type { CaseResult, EvalMetrics, MetricPlan, OutputDetail, OutputMetricPlan, ScoredCaseInput } from '@shared/evaluation-metrics.js';
import { scoreAudits } from './score-audit.js';
import { scoreForms } from './score-form.js';
import { scoreLabels, scoreNumbers, scoreSets, type OutputCase, type OutputScore } from './score-simple.js';
import { scoreTexts } from './score-text.js';

function scoreOutput(plan: OutputMetricPlan, cases: OutputCase[]): OutputScore<OutputDetail> | null {
  switch (plan.kind) {
    case 'label':
    case 'exact':
      return scoreLabels(plan, cases);
    case 'numeric':
      return scoreNumbers(plan, cases);
    case 'set':
      return scoreSets(plan, cases);
    case 'form':
      return scoreForms(plan, cases);
    case 'audit':
      return scoreAudits(plan, cases);
    case 'text':
      return scoreTexts(plan, cases);
    case 'skip':
      return null;
  }
}

/**
 * Scores a set of cases against a metric plan.
 *
 * Each output is scored on the cases whose `expected` holds it (a case may expect only the outputs that
 * matter); outputs a case expects that the plan does not list are ignored. A case whose run failed
 * (`failed: true` or no `actual`) counts as wrong on every output it expects and is counted in `failed`.
 *
 * @returns `metrics`: flat values named `<output>.<metric>` or `<output>.<metric>[<class|field|item>]`
 *   (see `@shared/evaluation-metrics` for the scheme); `cases` and `failed` (counts); `outputs`: per-output detail (confusion matrix, per class / field / item);
 *   `perCase`: per case and output, `correct` and a `score` in [0, 1], in the order given.
 */
export function scoreCases(plan: MetricPlan, cases: ScoredCaseInput[]): EvalMetrics {
  const perCase: CaseResult[] = cases.map((c) => ({ id: c.id, failed: isFailed(c), outputs: {} }));
  const metrics: Record<string, number | null> = {};
  const outputs: Record<string, OutputDetail> = {};
  for (const output of plan.outputs) {
    const indexes: number[] = [];
    const outputCases: OutputCase[] = [];
    cases.forEach((c, i) => {
      if (!c.expected || typeof c.expected !== 'object' || !Object.hasOwn(c.expected, output.output)) return;
      indexes.push(i);
      const failed = perCase[i].failed;
      outputCases.push({ id: c.id, expected: c.expected[output.output], actual: failed ? undefined : c.actual?.[output.output], failed });
    });
    if (outputCases.length === 0) continue;
    const scored = scoreOutput(output, outputCases);
    if (!scored) continue;
    outputs[output.output] = scored.detail;
    for (const [name, value] of Object.entries(scored.metrics)) metrics[`${output.output}.${name}`] = value;
    scored.perCase.forEach((result, j) => {
      perCase[indexes[j]].outputs[output.output] = result;
    });
  }
  const failed = perCase.filter((c) => c.failed).length;
  return { metrics, outputs, per_case: perCase, cases: cases.length, failed };
}

function isFailed(c: ScoredCaseInput): boolean {
  return c.failed === true || c.actual === undefined || c.actual === null;
}
