import type { MetricKind, MetricPlan } from '@shared/evaluation-metrics.js';
import { valueKey } from './normalize.js';

/** The aggregate metrics each kind gives, by name within its output (see `@shared/evaluation-metrics`). */
export const KIND_METRICS: Readonly<Record<MetricKind, readonly string[]>> = {
  label: ['accuracy', 'kappa', 'macro_precision', 'macro_recall', 'macro_f1', 'weighted_precision', 'weighted_recall', 'weighted_f1'],
  exact: ['accuracy'],
  numeric: ['accuracy', 'mae', 'rmse'],
  form: ['exact_match', 'precision', 'recall', 'f1'],
  audit: ['item_agreement', 'kappa', 'score_mae', 'score_rmse', 'verdict_accuracy'],
  set: ['precision', 'recall', 'f1', 'exact_match'],
  text: ['similarity', 'rouge_l', 'pass_rate'],
  skip: [],
};

/** Per-key metrics: per class of a label output, per field of a form. */
const KEYED_METRICS: Partial<Record<MetricKind, readonly string[]>> = {
  label: ['precision', 'recall', 'f1'],
  form: ['precision', 'recall', 'f1', 'exact_match'],
};

/**
 * The flat metric names a plan can give, before any case is scored: for a gate or a `--min` bar to be
 * chosen from. Lists each output's aggregates, and per-class / per-field names for declared classes and
 * fields (labels as normalised, as results name them). A result may hold fewer (an output no case expects, an audit without scores or verdicts) and
 * more (classes seen only in the data, audit items `agreement[<id>]` / `kappa[<id>]`).
 */
export function plannedMetricNames(plan: MetricPlan): string[] {
  const names: string[] = [];
  for (const output of plan.outputs) {
    for (const metric of KIND_METRICS[output.kind]) names.push(`${output.output}.${metric}`);
    const keys = output.kind === 'label' ? (output.labels ?? []).map((l) => valueKey(l, output.normalizer)) : output.kind === 'form' ? (output.fields ?? []).map((f) => f.name) : [];
    for (const key of keys) for (const metric of KEYED_METRICS[output.kind] ?? []) names.push(`${output.output}.${metric}[${key}]`);
  }
  return names;
}
