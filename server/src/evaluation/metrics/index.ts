/**
 * Evaluation metrics: pick the metric that fits each end output, score cases, compare two results and
 * check minimum bars. Pure functions, no storage; shapes in `@shared/evaluation-metrics`.
 */
export { planMetrics, fieldNormalizer } from './plan.js';
export { scoreCases } from './score.js';
export { plannedMetricNames, KIND_METRICS } from './names.js';
export { compareResults } from './compare.js';
export { parseMinBar, meetsBars, isLowerBetter } from './bars.js';
export { normalizeText, normalizePhone, normalizeValue, valuesEqual, isEmptyValue } from './normalize.js';
export { classificationReport, type LabelPair, type ClassificationReport } from './classification.js';
export { cohenKappa, type KappaResult } from './kappa.js';
export { levenshteinSimilarity, rougeLF1 } from './text-similarity.js';
