import { z } from 'zod';
import { UsageSchema } from './usage.js';

export const RunErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  nodeId: z.string().optional(),
  details: z.unknown().optional(),
});
export type RunError = z.infer<typeof RunErrorSchema>;

/** One model call as a node made it: what was sent and what came back, for the trace. */
export const ModelCallTraceSchema = z.object({
  model: z.string(),
  messages: z.array(z.object({ role: z.string(), content: z.string() })),
  response_format: z.string().optional(),
  raw: z.string(),
  latency_ms: z.number(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  /** The tokens were counted by Mofang because the endpoint reported none. */
  usage_estimated: z.boolean().optional(),
  /** Why the model stopped: `stop`, `length`, `content_filter`… */
  finish_reason: z.string().optional(),
  /** The model's reasoning, kept apart from the answer (never parsed for it). */
  reasoning: z.string().optional(),
  error: z.string().optional(),
  /** The alias the node named for this call, and the endpoint that took it. */
  alias: z.string().optional(),
  endpoint: z.string().optional(),
  /** Set on a call made on the node's fallback alias: the primary alias, its endpoint and why it failed. */
  fallback_from: z.object({ alias: z.string(), endpoint: z.string(), code: z.string(), error: z.string() }).optional(),
  /** The built-in simulator answered this call, not a model endpoint: its reply is made up. */
  simulated: z.boolean().optional(),
  /** A live session's update reused the answer of the same node's identical request earlier in the session: nothing was sent. */
  cached: z.boolean().optional(),
});
export type ModelCallTrace = z.infer<typeof ModelCallTraceSchema>;

/** Something a node did that a reviewer should know about, though the node succeeded. */
export const NodeWarningSchema = z.object({
  /** Stable: `truncated`, `keys_dropped`, `values_coerced`, `reply_repaired`, `usage_estimated`. */
  code: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
});
export type NodeWarning = z.infer<typeof NodeWarningSchema>;

const base = { run_id: z.string(), at: z.number() };

export const RunEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run.started'), ...base, scenario: z.string().optional(), inputs: z.unknown() }),
  z.object({ type: z.literal('node.started'), ...base, node_id: z.string(), kind: z.string(), attempt: z.number().int() }),
  z.object({
    type: z.literal('node.finished'),
    ...base,
    node_id: z.string(),
    kind: z.string(),
    inputs: z.unknown(),
    outputs: z.unknown(),
    branch: z.array(z.string()).optional(),
    latency_ms: z.number(),
    usage: UsageSchema,
    calls: z.array(ModelCallTraceSchema).optional(),
    /** The last model call's finish_reason; null for a node that called no model. */
    finish_reason: z.string().nullable().optional(),
    warnings: z.array(NodeWarningSchema).optional(),
  }),
  z.object({
    type: z.literal('node.failed'),
    ...base,
    node_id: z.string(),
    kind: z.string(),
    error: RunErrorSchema,
    attempt: z.number().int(),
    will_retry: z.boolean(),
    latency_ms: z.number(),
    calls: z.array(ModelCallTraceSchema).optional(),
  }),
  z.object({
    type: z.literal('node.skipped'),
    ...base,
    node_id: z.string(),
    kind: z.string(),
    /** `final_only`: deferred to a live session's final run (the node, or a node it waits for, is final-only); absent: its branch was not taken. */
    reason: z.literal('final_only').optional(),
  }),
  z.object({ type: z.literal('run.finished'), ...base, outputs: z.unknown(), usage: UsageSchema, latency_ms: z.number(), simulated: z.boolean().optional() }),
  z.object({ type: z.literal('run.failed'), ...base, error: RunErrorSchema, usage: UsageSchema, latency_ms: z.number(), simulated: z.boolean().optional() }),
]);
export type RunEvent = z.infer<typeof RunEventSchema>;
export type RunEventType = RunEvent['type'];
