import { z } from 'zod';

/**
 * The publish gate (issue 14 part 4): a scenario may require that a draft scores well enough on one of
 * its evaluation sets before it goes live. A gate names a flat metric (`<output>.<metric>`, see
 * `@shared/evaluation-metrics`), a minimum and/or how much worse than the live version the draft may be
 * (`max_drop`, in the metric's own unit: 0.02 on an accuracy = two points). Publishing evaluates first:
 * the draft (and the live version, for `max_drop`) on the set's latest revision, reusing a completed run of
 * the same plan on that revision; below the gate it is refused with the numbers and the worst cases. An
 * admin may publish anyway with a note, stored in the version and the audit log.
 *
 * Routes: `GET|PUT|DELETE /api/scenarios/:id/publish-gate`, `POST /api/scenarios/:id/publish-gate/check`,
 * and `POST /api/scenarios/:id/publish` (202 while the evaluation runs, 422 `gate_failed` below the gate,
 * 201 with `gate` once passed or overridden). Times are ISO 8601.
 */

/** A gate as set on a scenario. At least one of `min` / `max_drop`. */
export const PublishGateSchema = z
  .object({
    set_id: z.string().min(1).max(200),
    /** A flat metric name, higher is better (`mae`/`rmse` cannot be gated on). */
    metric: z.string().min(1).max(300),
    /** The draft's value must be at least this. */
    min: z.number().finite().nullable().default(null),
    /** The draft may be worse than the live version by at most this (≥ 0, the metric's unit). */
    max_drop: z.number().finite().min(0).nullable().default(null),
  })
  .strict()
  .refine((g) => g.min !== null || g.max_drop !== null, { message: 'a gate needs a minimum, a largest drop from the live version, or both', path: ['min'], params: { rule: 'gate_needs_bar' } });
export type PublishGate = z.infer<typeof PublishGateSchema>;

/** `GET /api/scenarios/:id/publish-gate`: the gate (null: none) and the metric names the draft can be gated on. */
export const PublishGateStateSchema = z.object({
  gate: PublishGateSchema.nullable(),
  set_name: z.string().nullable(),
  updated_by: z.string().nullable(),
  updated_at: z.string().nullable(),
  /** Metric names the draft's end outputs give (empty when the draft does not compile). */
  metrics: z.array(z.string()),
});
export type PublishGateState = z.infer<typeof PublishGateStateSchema>;

/** One side of a gate check: the draft or the live version, its evaluation run and its value. */
export const GateSideSchema = z.object({
  /** The version; null for the draft. */
  version: z.number().int().nullable(),
  /** The plan hash evaluated (the draft's as compiled now, or the live version's). */
  plan_hash: z.string(),
  run_id: z.string().nullable(),
  status: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']).nullable(),
  done: z.number().int(),
  total: z.number().int(),
  /** The gated metric's value once completed (null: not yet, or undefined for the data). */
  value: z.number().nullable(),
  simulated: z.boolean(),
});
export type GateSide = z.infer<typeof GateSideSchema>;

/** Why a gate refused: below its minimum, or worse than the live version by more than allowed. */
export const GateFailureSchema = z.object({
  rule: z.enum(['min', 'max_drop', 'undefined_value', 'run_failed', 'no_cases']),
  value: z.number().nullable(),
  /** `min`: the minimum; `max_drop`: the live value minus the largest drop. */
  bar: z.number().nullable(),
  live_value: z.number().nullable(),
  drop: z.number().nullable(),
});
export type GateFailure = z.infer<typeof GateFailureSchema>;

/** A case the draft gets wrong on the gated output: `regressed` when the live version got it right. */
export const GateCaseSchema = z.object({
  id: z.string(),
  run_id: z.string().nullable(),
  live_run_id: z.string().nullable(),
  regressed: z.boolean(),
  expected: z.unknown(),
  actual: z.unknown(),
});
export type GateCase = z.infer<typeof GateCaseSchema>;

/**
 * A gate check: `evaluating` while a run is under way (call again), `not_started` (a read that starts
 * nothing found no run of the draft yet: publishing starts it), `passed`, `failed` (with `failures` and
 * the `worst_cases`, regressions first; empty for a reader without `eval:read`), or `no_gate`.
 */
export const GateCheckSchema = z.object({
  status: z.enum(['no_gate', 'not_started', 'evaluating', 'passed', 'failed']),
  gate: PublishGateSchema.nullable(),
  set_name: z.string().nullable(),
  set_revision: z.number().int().nullable(),
  draft: GateSideSchema.nullable(),
  live: GateSideSchema.nullable(),
  failures: z.array(GateFailureSchema),
  worst_cases: z.array(GateCaseSchema),
  /** The compare link's two runs (live, draft) when both completed. */
  compare: z.object({ a: z.string(), b: z.string() }).nullable(),
});
export type GateCheck = z.infer<typeof GateCheckSchema>;

/** What a version remembers of the gate it went live through. */
export const VersionGateSchema = z.object({
  status: z.enum(['passed', 'overridden']),
  metric: z.string(),
  min: z.number().nullable(),
  max_drop: z.number().nullable(),
  set_id: z.string(),
  set_name: z.string().nullable(),
  set_revision: z.number().int().nullable(),
  value: z.number().nullable(),
  live_version: z.number().int().nullable(),
  live_value: z.number().nullable(),
  run_id: z.string().nullable(),
  /** Overridden: the check's status when the admin published anyway, their note and name. */
  check_status: z.enum(['not_started', 'evaluating', 'passed', 'failed']).optional(),
  override_note: z.string().optional(),
  override_by: z.string().optional(),
});
export type VersionGate = z.infer<typeof VersionGateSchema>;

/** Longest override note, characters. */
export const MAX_OVERRIDE_NOTE = 2000;

/** `override_gate` of a publish body: an admin publishes below (or before) the gate, saying why. */
export const GateOverrideSchema = z.object({ note: z.string().trim().min(1).max(MAX_OVERRIDE_NOTE) }).strict();
export type GateOverride = z.infer<typeof GateOverrideSchema>;

/** `202` of a publish while the gate's evaluation runs. */
export const PublishEvaluatingSchema = z.object({ status: z.literal('evaluating'), gate: GateCheckSchema });
export type PublishEvaluating = z.infer<typeof PublishEvaluatingSchema>;
