import { z } from 'zod';
import type { CaseOutputResult, EvalMetrics, MetricDelta } from './evaluation-metrics.js';
import { RunErrorSchema } from './events.js';

/**
 * Evaluation runs (issue 14 part 3): one revision of an evaluation set run on a scenario's draft or one
 * of its versions as a job at the endpoint's capacity, scored when it ends; two results compared. The
 * server is `server/src/evaluation/runs.ts`, the routes `/api/scenarios/:id/eval-runs` and `/api/eval-runs/…`.
 * Times are ISO 8601.
 */

/** What a run evaluates: a published version (any, not only the live one) or the draft as it is at the start. */
export const EvalRunTargetSchema = z.union([z.object({ version: z.number().int().min(1) }).strict(), z.object({ draft: z.literal(true) }).strict()]);
export type EvalRunTarget = z.infer<typeof EvalRunTargetSchema>;

/** `POST /api/scenarios/:id/eval-runs`: a set (and a revision of it, default the latest) and the target. */
export const StartEvalRunBodySchema = z.object({
  set_id: z.string().min(1).max(200),
  revision: z.number().int().min(0).optional(),
  target: EvalRunTargetSchema,
});
export type StartEvalRunBody = z.infer<typeof StartEvalRunBodySchema>;

/** `202` after a start: the run, its job and how many cases it runs. */
export const EvalRunStartedSchema = z.object({ id: z.string(), job_id: z.string(), total: z.number().int() });
export type EvalRunStarted = z.infer<typeof EvalRunStartedSchema>;

/** `queued` / `running` while the job runs (and is scored); `failed`: it could not be scored (`error` says why). */
export const EVAL_RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export const EvalRunStatusSchema = z.enum(EVAL_RUN_STATUSES);
export type EvalRunStatus = z.infer<typeof EvalRunStatusSchema>;

/** A run as lists show it; `metrics` are the flat values once completed (null before). */
export const EvalRunSummarySchema = z.object({
  id: z.string(),
  scenario_id: z.string(),
  set_id: z.string(),
  set_name: z.string(),
  set_revision: z.number().int(),
  /** The version run; null for the draft. */
  version: z.number().int().nullable(),
  graph_hash: z.string(),
  job_id: z.string(),
  status: EvalRunStatusSchema,
  total: z.number().int(),
  /** Cases run so far (succeeded or failed). */
  done: z.number().int(),
  /** Cases whose run failed so far (counted as wrong on every output they expect). */
  failed: z.number().int(),
  /** True when the built-in simulator answered a model call: the numbers say nothing about accuracy. */
  simulated: z.boolean(),
  metrics: z.record(z.string(), z.number().nullable()).nullable(),
  error: z.string().nullable(),
  created_by: z.string(),
  created_at: z.string(),
  finished_at: z.string().nullable(),
});
export type EvalRunSummary = z.infer<typeof EvalRunSummarySchema>;

/** `GET /api/scenarios/:id/eval-runs`: newest first. */
export const EvalRunListSchema = z.object({ runs: z.array(EvalRunSummarySchema) });
export type EvalRunList = z.infer<typeof EvalRunListSchema>;

/** `GET /api/eval-runs/:id`: the run, its progress (rate per second, seconds left) and, once scored, every metric's detail. */
export const EvalRunDetailSchema = EvalRunSummarySchema.extend({
  progress: z.object({ total: z.number().int(), succeeded: z.number().int(), failed: z.number().int(), pending: z.number().int(), rate_per_s: z.number().nullable(), eta_s: z.number().nullable() }).nullable(),
  result: z.custom<EvalMetrics>((v) => typeof v === 'object' && v !== null).nullable(),
});
export type EvalRunDetail = z.infer<typeof EvalRunDetailSchema>;

/** One case of a scored run: what was expected, what the run gave, and per expected output whether it was right. */
export const EvalRunCaseSchema = z.object({
  id: z.string(),
  /** The run of this case (its trace); null when it never ran. */
  run_id: z.string().nullable(),
  status: z.enum(['succeeded', 'failed', 'missing']),
  expected: z.record(z.string(), z.unknown()),
  actual: z.record(z.string(), z.unknown()).nullable(),
  error: RunErrorSchema.nullable(),
  outputs: z.record(z.string(), z.custom<CaseOutputResult>((v) => typeof v === 'object' && v !== null)),
});
export type EvalRunCase = z.infer<typeof EvalRunCaseSchema>;

/** `GET /api/eval-runs/:id/cases`. */
export const EvalRunCasesSchema = z.object({ cases: z.array(EvalRunCaseSchema) });
export type EvalRunCases = z.infer<typeof EvalRunCasesSchema>;

/** A case whose outcome flipped, with its run in each result (to open both traces). */
export const ChangedCaseSchema = z.object({ id: z.string(), a_run_id: z.string().nullable(), b_run_id: z.string().nullable() });
export type ChangedCase = z.infer<typeof ChangedCaseSchema>;

/**
 * `GET /api/eval-runs/compare?a=&b=`: two completed runs on one set. `delta` is b − a. With two revisions
 * of the set, `same_revision` is false and only the `common` cases are compared case by case (the
 * metrics are each run's own); `only_in_a` / `only_in_b` name the others.
 */
export const EvalRunComparisonSchema = z.object({
  a: EvalRunSummarySchema,
  b: EvalRunSummarySchema,
  same_revision: z.boolean(),
  common: z.number().int(),
  deltas: z.array(z.custom<MetricDelta>((v) => typeof v === 'object' && v !== null)),
  changed: z.array(z.object({ output: z.string(), right_to_wrong: z.array(ChangedCaseSchema), wrong_to_right: z.array(ChangedCaseSchema) })),
  only_in_a: z.array(z.string()),
  only_in_b: z.array(z.string()),
});
export type EvalRunComparison = z.infer<typeof EvalRunComparisonSchema>;
