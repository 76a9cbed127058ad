import type { OutputMetricPlan, TextDetail } from '@shared/evaluation-metrics.js';
import { isEmptyValue, normalizeValue } from './normalize.js';
import type { OutputCase, OutputScore } from './score-simple.js';
import { distribution, histogram, levenshteinSimilarity, meanOrNull, rougeLF1 } from './text-similarity.js';

function asText(value: unknown, plan: OutputMetricPlan): string {
  if (isEmptyValue(value)) return '';
  const normal = normalizeValue(value, plan.normalizer);
  return typeof normal === 'string' ? normal : JSON.stringify(normal);
}

/**
 * Free text (a summary, a reason): per case the character-level similarity 1 − normalised Levenshtein
 * distance and the character ROUGE-L F1 (see `text-similarity.ts`), after the output's normaliser; a
 * failed run scores 0 on both. `similarity` and `rouge_l` are means over cases; `pass_rate` is the share
 * of cases with similarity ≥ `passAt` (those count as correct when comparing results); the detail adds
 * the five-number summary and a histogram of similarities.
 */
export function scoreTexts(plan: OutputMetricPlan, cases: OutputCase[]): OutputScore<TextDetail> {
  const passAt = plan.passAt ?? 0.8;
  const similarities: number[] = [];
  const rouges: number[] = [];
  const perCase = cases.map((c) => {
    const expected = asText(c.expected, plan);
    const similarity = c.failed ? 0 : levenshteinSimilarity(expected, asText(c.actual, plan));
    similarities.push(similarity);
    rouges.push(c.failed ? 0 : rougeLF1(expected, asText(c.actual, plan)));
    return { correct: similarity >= passAt - 1e-9, score: similarity };
  });
  const similarity = meanOrNull(similarities);
  const rougeL = meanOrNull(rouges);
  const passRate = cases.length === 0 ? null : perCase.filter((r) => r.correct).length / cases.length;
  const detail: TextDetail = {
    output: plan.output,
    kind: 'text',
    n: cases.length,
    failed: cases.filter((c) => c.failed).length,
    pass_at: passAt,
    similarity,
    rouge_l: rougeL,
    pass_rate: passRate,
    distribution: distribution(similarities),
    histogram: histogram(similarities),
  };
  return { metrics: { similarity, rouge_l: rougeL, pass_rate: passRate }, detail, perCase };
}
