/**
 * The published runtime API (`/v1/…`) that contact-center systems call with an API key, and the run-log
 * and metrics replies the admin UI reads from `/api/scenarios/:id/api-runs` and `/metrics`.
 */
import { z } from 'zod';
import { RunErrorSchema, ModelCallTraceSchema } from './events.js';
import { UsageSchema } from './usage.js';

/** `POST /v1/scenarios/{slug}/run`. */
export const V1RunBodySchema = z.object({ inputs: z.record(z.string(), z.unknown()).default({}) });
export type V1RunBody = z.infer<typeof V1RunBodySchema>;

/** A successful synchronous run. */
export const V1RunResultSchema = z.object({
  run_id: z.string(),
  scenario: z.string(),
  version: z.number().int(),
  status: z.literal('succeeded'),
  outputs: z.record(z.string(), z.unknown()),
  usage: UsageSchema,
  latency_ms: z.number(),
  /** The model that answered; `simulator` when the built-in simulator stands in for an endpoint. */
  model: z.string(),
  /** True when the built-in simulator answered (no model endpoint): the outputs are made up, not a model's. */
  simulated: z.boolean(),
  /**
   * Present when the scenario's human-review rules put this result in the review queue (e.g. every
   * filled form, for the agent desk to confirm): the review page of the result, absolute.
   */
  review_url: z.string().optional(),
});
export type V1RunResult = z.infer<typeof V1RunResultSchema>;

/** The common error object: a stable code, a message, and details that depend on the code. */
export const V1ErrorObjectSchema = z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() });

/**
 * Every /v1 error: the common `{ error: { code, message, details? } }`. Replies of the run API also
 * carry the request's `run_id` at the top level (see {@link V1RunErrorSchema}); the jobs API's replies
 * concern no run and carry none unless the key check refused them first.
 */
export const V1ErrorSchema = z.object({
  error: V1ErrorObjectSchema,
  run_id: z.string().optional(),
});

/**
 * An error of `POST /v1/scenarios/{slug}/run` (and `…/run/stream`): the run id is always there (also
 * in `error.details.run_id` and the `X-Run-Id` header); a failed run adds what it used.
 */
export const V1RunErrorSchema = V1ErrorSchema.extend({
  run_id: z.string(),
  scenario: z.string().optional(),
  version: z.number().int().optional(),
  status: z.literal('failed').optional(),
  usage: UsageSchema.optional(),
  latency_ms: z.number().optional(),
  model: z.string().optional(),
  /** True when the built-in simulator answered the calls the failed run made. */
  simulated: z.boolean().optional(),
});
export type V1RunError = z.infer<typeof V1RunErrorSchema>;
export type V1Error = z.infer<typeof V1ErrorSchema>;

/** One node of a run's trace: what it received and produced, how long it took, its model calls. */
export const V1TraceNodeSchema = z.object({
  node_id: z.string(),
  kind: z.string(),
  status: z.enum(['finished', 'failed', 'skipped']),
  inputs: z.unknown().optional(),
  outputs: z.unknown().optional(),
  branch: z.array(z.string()).optional(),
  latency_ms: z.number().optional(),
  usage: UsageSchema.optional(),
  calls: z.array(ModelCallTraceSchema).optional(),
  error: RunErrorSchema.optional(),
});
export type V1TraceNode = z.infer<typeof V1TraceNodeSchema>;

/** `GET /v1/runs/{run_id}`. */
export const V1RunDetailSchema = z.object({
  run_id: z.string(),
  scenario: z.string(),
  version: z.number().int().nullable(),
  status: z.enum(['running', 'succeeded', 'failed']),
  inputs: z.unknown(),
  outputs: z.unknown().nullable(),
  error: RunErrorSchema.nullable(),
  usage: UsageSchema.nullable(),
  latency_ms: z.number().nullable(),
  model: z.string().nullable(),
  /** True when the built-in simulator answered (the outputs are made up); see also each call's `simulated`. */
  simulated: z.boolean(),
  created_at: z.string(),
  finished_at: z.string().nullable(),
  trace: z.array(V1TraceNodeSchema),
});
export type V1RunDetail = z.infer<typeof V1RunDetailSchema>;

/** One row of `GET /api/scenarios/:id/api-runs`. */
export const ApiRunSummarySchema = z.object({
  id: z.string(),
  version: z.number().int().nullable(),
  status: z.enum(['running', 'succeeded', 'failed']),
  error_code: z.string().nullable(),
  latency_ms: z.number().nullable(),
  usage: UsageSchema.nullable(),
  model: z.string().nullable(),
  /** True when the built-in simulator answered. */
  simulated: z.boolean(),
  api_key_id: z.string().nullable(),
  created_at: z.string(),
});
export type ApiRunSummary = z.infer<typeof ApiRunSummarySchema>;

/** `GET /api/scenarios/:id/api-runs`: newest first; pass `next_cursor` as `cursor` for the next page. */
export const ApiRunsPageSchema = z.object({ items: z.array(ApiRunSummarySchema), next_cursor: z.string().nullable() });
export type ApiRunsPage = z.infer<typeof ApiRunsPageSchema>;

export const MetricsBucketSizeSchema = z.enum(['minute', 'hour', 'day']);
export type MetricsBucketSize = z.infer<typeof MetricsBucketSizeSchema>;

/** One time bucket of `GET /api/scenarios/:id/metrics` (buckets without runs are left out). */
export const MetricsBucketSchema = z.object({
  /** Start of the bucket, ISO 8601 (UTC). */
  start: z.string(),
  runs: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  /** Runs that failed with `deadline_exceeded`. */
  timeouts: z.number().int(),
  /** Failed runs by error code. */
  errors: z.record(z.string(), z.number().int()),
  p50_ms: z.number().nullable(),
  p95_ms: z.number().nullable(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
});
export type MetricsBucket = z.infer<typeof MetricsBucketSchema>;

export const MetricsReplySchema = z.object({
  from: z.string(),
  to: z.string(),
  bucket: MetricsBucketSizeSchema,
  buckets: z.array(MetricsBucketSchema),
});
export type MetricsReply = z.infer<typeof MetricsReplySchema>;
