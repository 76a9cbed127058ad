import { z } from 'zod';

/**
 * Shapes of evaluation metrics: which metric fits each end output (the plan), what scoring a set of
 * cases gives (flat metric values plus per-output detail and per-case outcomes), comparisons of two
 * results and minimum bars. The server computes them (`server/src/evaluation/metrics/`); the client shows them.
 *
 * Flat metric names are `<output>.<metric>` or, for one class / field / audit item, `<output>.<metric>[<key>]`:
 * - label: `accuracy`, `kappa`, `macro_precision|recall|f1`, `weighted_precision|recall|f1`, `precision|recall|f1[<label>]`
 * - exact: `accuracy`
 * - numeric: `accuracy` (within the tolerance), `mae`, `rmse`
 * - form: `exact_match`, `precision`, `recall`, `f1` (micro over fields), `precision|recall|f1|exact_match[<field>]`
 * - audit: `item_agreement`, `kappa`, `agreement|kappa[<item id>]`, `score_mae`, `score_rmse`, `verdict_accuracy`
 * - set: `precision`, `recall`, `f1` (micro over elements), `exact_match`
 * - text: `similarity` (1 − normalised Levenshtein), `rouge_l` (character ROUGE-L F1), `pass_rate`
 * All are in [0, 1] (higher is better) except `mae`/`rmse` (in the output's own unit, lower is better)
 * and `kappa` (in [−1, 1]). A value is null when it is undefined for the data (no case with a value; kappa
 * when both sides gave one class throughout: `ItemAgreement.kappa_reason` says which).
 */

/** How an output is scored. `skip`: not scored even when a case expects it. */
export const METRIC_KINDS = ['label', 'exact', 'numeric', 'form', 'audit', 'set', 'text', 'skip'] as const;
export type MetricKind = (typeof METRIC_KINDS)[number];

/**
 * How a value is normalised before comparison:
 * - `text`: NFKC (full-width digits, letters and punctuation to half-width), trim, collapse whitespace (dropped
 *   beside Chinese characters), lower-case Latin;
 * - `phone`: `text`, Chinese digit readings as digits, then spaces, dashes, dots and brackets removed and a `+86`/`0086`/`86` prefix dropped;
 * - `number`: numeric strings read as numbers (`"３.0"` = 3);
 * - `none`: compared as given (JSON equality).
 */
export const NORMALIZERS = ['text', 'phone', 'number', 'none'] as const;
export type Normalizer = (typeof NORMALIZERS)[number];

/** Why the planner chose a kind, for the UI to explain the choice. */
export const PLAN_REASONS = [
  'override',
  'enum',
  'boolean',
  'number',
  'audit_shape',
  'audit_items',
  'object_fields',
  'open_object',
  'string_list',
  'list',
  'name_suggests_label',
  'name_suggests_id',
  'free_text',
  'untyped',
] as const;
export type PlanReason = (typeof PLAN_REASONS)[number];

/** One field of a form output and how its values are normalised. */
export interface FormFieldPlan {
  name: string;
  normalizer: Normalizer;
  /** True for list fields, compared as sorted lists of normalised elements. */
  list?: boolean;
}

/** The metric chosen for one end output. */
export interface OutputMetricPlan {
  output: string;
  kind: MetricKind;
  reason: PlanReason;
  /** Values (label/exact/set/text) are normalised this way before comparison. */
  normalizer: Normalizer;
  /** label: the declared classes, in their declared order (matrices list these first). */
  labels?: string[];
  /** form: the declared fields; an open form (no declared fields) scores the fields the cases expect. */
  fields?: FormFieldPlan[];
  /** numeric and audit score: an absolute difference at or under this counts as correct (default 0). */
  tolerance?: number;
  /** text: a similarity at or above this counts the case as correct (default 0.8). */
  passAt?: number;
}

/** Which metric fits each end output, in the end node's output order. */
export interface MetricPlan {
  outputs: OutputMetricPlan[];
}

/** A designer's change to the plan of one output (by output name). */
export const OutputOverrideSchema = z
  .object({
    kind: z.enum(METRIC_KINDS).optional(),
    normalizer: z.enum(NORMALIZERS).optional(),
    /** form: a normaliser per field name. */
    fields: z.record(z.string(), z.enum(NORMALIZERS)).optional(),
    tolerance: z.number().min(0).optional(),
    pass_at: z.number().min(0).max(1).optional(),
  })
  .strict();
export type OutputOverride = z.infer<typeof OutputOverrideSchema>;
export const MetricOverridesSchema = z.record(z.string().min(1).max(200), OutputOverrideSchema);

/** `PUT /api/eval-sets/:id/metrics`: how this set's runs score each output, where the type-based choice does not fit. */
export const MetricSettingsBodySchema = z.object({ overrides: MetricOverridesSchema }).strict();

/** One output's plan as `GET /api/eval-sets/:id/metrics` shows it (snake_case). */
export interface OutputPlanView {
  output: string;
  kind: MetricKind;
  reason: PlanReason;
  normalizer: Normalizer;
  labels?: string[];
  fields?: FormFieldPlan[];
  tolerance?: number;
  pass_at?: number;
}

/** `GET|PUT /api/eval-sets/:id/metrics`: the stored overrides, the plan the set's runs use now, and the plan without overrides. */
export interface MetricSettings {
  overrides: MetricOverrides;
  plan: OutputPlanView[];
  default_plan: OutputPlanView[];
}
export type MetricOverrides = z.infer<typeof MetricOverridesSchema>;

/** One case to score: what was expected (all outputs or only those that matter) and what the run gave. */
export interface ScoredCaseInput {
  id: string;
  expected: Record<string, unknown>;
  /** Absent (or `failed`) when the run failed: every expected output then counts as wrong. */
  actual?: Record<string, unknown> | null;
  failed?: boolean;
}

/** How one case did on one output. `score` is in [0, 1]: 1/0 for exact kinds, a similarity or agreement otherwise. */
export interface CaseOutputResult {
  correct: boolean;
  score: number;
  /** numeric / audit score: the absolute difference, when both values are numbers. */
  error?: number;
}

/** How one case did: per output it expects. */
export interface CaseResult {
  id: string;
  failed: boolean;
  outputs: Record<string, CaseOutputResult>;
}

/** Per-class precision, recall, F1 and support (the number of cases expecting the class). */
export interface ClassScore {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Averages over classes: macro (unweighted) or weighted by support. */
export interface AveragedScores {
  precision: number;
  recall: number;
  f1: number;
}

interface DetailBase {
  output: string;
  /** Cases that expect this output. */
  n: number;
  /** Of those, cases whose run failed (counted as wrong). */
  failed: number;
}

/** Exact match of enums, ids, booleans: `matrix[i][j]` counts cases expecting `labels[i]` that gave `labels[j]`. */
export interface LabelDetail extends DetailBase {
  kind: 'label' | 'exact';
  accuracy: number | null;
  /** label only: rows are expected, columns predicted; `missing[i]` counts failed cases expecting `labels[i]`. */
  labels?: string[];
  matrix?: number[][];
  missing?: number[];
  per_class?: ClassScore[];
  macro?: AveragedScores;
  weighted?: AveragedScores;
  kappa?: number | null;
}

export interface NumericDetail extends DetailBase {
  kind: 'numeric';
  tolerance: number;
  accuracy: number | null;
  mae: number | null;
  rmse: number | null;
}

export interface FieldScore {
  field: string;
  normalizer: Normalizer;
  /** Cases that list the field in their expected form. */
  n: number;
  /** Non-empty expected values, non-empty predicted values, and predicted values equal to a non-empty expected one. */
  expected: number;
  predicted: number;
  correct: number;
  precision: number;
  recall: number;
  f1: number;
  /** Share of the n cases whose normalised value equals the expected one (empty = empty counts). */
  exact_match: number;
}

export interface FormDetail extends DetailBase {
  kind: 'form';
  exact_match: number | null;
  precision: number;
  recall: number;
  f1: number;
  fields: FieldScore[];
}

/** Agreement between expected and predicted results on one audit item (or all pooled). */
export interface ItemAgreement {
  /** The item id, or `*` for all items pooled. */
  id: string;
  /** The item's name as the expected results give it (e.g. `开场问候并报工号`). */
  name?: string;
  n: number;
  agreement: number | null;
  kappa: number | null;
  /** Why kappa is null: `no_cases`, or `single_class` (both sides gave one and the same result throughout: chance agreement is 1). */
  kappa_reason?: 'no_cases' | 'single_class';
}

export interface AuditDetail extends DetailBase {
  kind: 'audit';
  overall: ItemAgreement;
  items: ItemAgreement[];
  score: { n: number; mae: number | null; rmse: number | null; tolerance: number };
  verdict: { n: number; accuracy: number | null };
}

export interface SetDetail extends DetailBase {
  kind: 'set';
  precision: number;
  recall: number;
  f1: number;
  exact_match: number | null;
}

/** Five-number summary of per-case scores. */
export interface Distribution {
  min: number;
  p25: number;
  median: number;
  p75: number;
  max: number;
}

export interface TextDetail extends DetailBase {
  kind: 'text';
  pass_at: number;
  similarity: number | null;
  rouge_l: number | null;
  pass_rate: number | null;
  distribution: Distribution | null;
  /** Cases per tenth of similarity: [0, 0.1), [0.1, 0.2) … [0.9, 1.0]. */
  histogram: number[];
}

export type OutputDetail = LabelDetail | NumericDetail | FormDetail | AuditDetail | SetDetail | TextDetail;

/** What scoring a set of cases gives. */
export interface EvalMetrics {
  /** Flat metric values by name (see the module comment for the scheme). */
  metrics: Record<string, number | null>;
  outputs: Record<string, OutputDetail>;
  per_case: CaseResult[];
  /** Cases scored, and of those, cases whose run failed. */
  cases: number;
  failed: number;
}

/** One metric in two results: `delta` is b − a (null when either is null or missing). */
export interface MetricDelta {
  metric: string;
  a: number | null;
  b: number | null;
  delta: number | null;
}

/** Cases whose outcome on an output flipped between result a and result b. */
export interface ChangedCases {
  output: string;
  rightToWrong: string[];
  wrongToRight: string[];
}

export interface EvalComparison {
  deltas: MetricDelta[];
  changed: ChangedCases[];
  /** Case ids scored in only one of the two results (e.g. different set revisions). */
  onlyInA: string[];
  onlyInB: string[];
}

/** A minimum a metric must reach (`--min <metric>=<value>`). */
export interface MetricBar {
  metric: string;
  min: number;
}

export interface BarFailure {
  metric: string;
  value: number | null;
  min: number;
}

export interface BarCheck {
  ok: boolean;
  failures: BarFailure[];
}
