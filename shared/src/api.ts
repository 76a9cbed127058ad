/**
 * Bodies and replies of the designer's HTTP API (`/api/…`). The server validates with these schemas and
 * the client types its calls with them; they are not derived from database tables.
 */
import { z } from 'zod';
import { GraphSchema } from './graph.js';
import { RunErrorSchema, RunEventSchema } from './events.js';
import { UsageSchema } from './usage.js';
import { CompileProblemSchema } from './problems.js';

/** Every error reply: `{ error: { code, message, details? } }`. */
export const ApiErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;

const ScenarioName = z.string().trim().min(1, 'a name is required').max(200);
const ScenarioDescription = z.string().max(5000);

/** `POST /api/scenarios`: without a graph, the scenario starts as a connected start and end node. */
export const CreateScenarioBodySchema = z.object({
  name: ScenarioName,
  description: ScenarioDescription.optional(),
  graph: GraphSchema.optional(),
});
export type CreateScenarioBody = z.infer<typeof CreateScenarioBodySchema>;

/** `PUT /api/scenarios/:id`: a stale `revision` is refused with 409 so a second tab cannot overwrite work. */
export const UpdateScenarioBodySchema = z.object({
  name: ScenarioName.optional(),
  description: ScenarioDescription.optional(),
  graph: GraphSchema.optional(),
  revision: z.number().int().min(1).optional(),
});
export type UpdateScenarioBody = z.infer<typeof UpdateScenarioBodySchema>;

/** A stored scenario (a draft: its graph may not compile). Times are ISO 8601. */
export const ScenarioSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  graph: GraphSchema,
  created_at: z.string(),
  updated_at: z.string(),
  revision: z.number().int(),
  /** The published API's slug and the version it serves; null until first published. */
  slug: z.string().nullable(),
  live_version: z.number().int().nullable(),
});
export type Scenario = z.infer<typeof ScenarioSchema>;

/** One row of `GET /api/scenarios`. */
export const ScenarioSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  updated_at: z.string(),
  node_count: z.number().int(),
  revision: z.number().int(),
  slug: z.string().nullable(),
  live_version: z.number().int().nullable(),
});
export type ScenarioSummary = z.infer<typeof ScenarioSummarySchema>;

/** `POST /api/compile` and `POST /api/scenarios/:id/compile`. */
export const CompileReplySchema = z.object({ ok: z.boolean(), errors: z.array(CompileProblemSchema) });
export type CompileReply = z.infer<typeof CompileReplySchema>;

/** `POST /api/scenarios/:id/test-run`: the graph defaults to the saved draft. */
export const TestRunBodySchema = z.object({
  inputs: z.record(z.string(), z.unknown()).default({}),
  graph: z.unknown().optional(),
});
export type TestRunBody = z.infer<typeof TestRunBodySchema>;

/** `job`: the run of one item of a batch job (in the `/v1` run log beside the API runs). */
export const RunKindSchema = z.enum(['test', 'api', 'cli', 'job']);
export const RunStatusSchema = z.enum(['running', 'succeeded', 'failed']);

/** The result of one run, as the engine returns it and `test-run` replies (and SSE's last `result` event). */
export const RunResultSchema = z.object({
  run_id: z.string(),
  status: z.enum(['succeeded', 'failed']),
  outputs: z.record(z.string(), z.unknown()).optional(),
  error: RunErrorSchema.optional(),
  usage: UsageSchema,
  latency_ms: z.number(),
  model: z.string(),
  /** True when the built-in simulator answered a model call of the run: the outputs are made up. */
  simulated: z.boolean().optional(),
});

/** One row of `GET /api/scenarios/:id/runs`. */
export const RunSummarySchema = z.object({
  id: z.string(),
  scenario_id: z.string().nullable(),
  kind: RunKindSchema,
  status: RunStatusSchema,
  model: z.string().nullable(),
  /** True when the built-in simulator answered (the outputs are made up); absent from older servers. */
  simulated: z.boolean().optional(),
  latency_ms: z.number().nullable(),
  usage: UsageSchema.nullable(),
  error: RunErrorSchema.nullable(),
  created_at: z.string(),
  finished_at: z.string().nullable(),
  /**
   * When the transcript retention (`MOFANG_TRANSCRIPT_RETENTION_DAYS`) cleared the run's inputs and
   * events (its outputs, error and usage stay); null (or absent) while they are kept.
   */
  redacted_at: z.string().nullable().optional(),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

/** `GET /api/runs/:id`: the run with its inputs, outputs and every event in order. */
export const RunDetailSchema = RunSummarySchema.extend({
  inputs: z.unknown(),
  outputs: z.unknown().nullable(),
  events: z.array(RunEventSchema),
});
export type RunDetail = z.infer<typeof RunDetailSchema>;

/** One model endpoint's adaptive concurrency limit as it stands, for operators and load tests. */
export const EndpointLoadSchema = z.object({
  name: z.string(),
  limit: z.number().int(),
  in_flight: z.number().int(),
  queued: z.number().int(),
  /** The lowest latency baseline learnt (time to first token, ms); null before any call. */
  baseline_ms: z.number().nullable(),
});
export type EndpointLoad = z.infer<typeof EndpointLoadSchema>;
/** The code sandbox's worker pool as it stands (`MOFANG_CODE_WORKERS`, `…_PER_SCENARIO`, `MOFANG_CODE_QUEUE_MS`). */
export const SandboxLoadSchema = z.object({
  /** Worker threads ready (they start on demand, up to pool_size). */
  workers: z.number().int(),
  /** Worker threads starting. */
  starting: z.number().int(),
  pool_size: z.number().int(),
  per_scenario: z.number().int(),
  running: z.number().int(),
  queued: z.number().int(),
  queue_timeout_ms: z.number().int(),
});
export type SandboxLoad = z.infer<typeof SandboxLoadSchema>;
/**
 * `GET /api/health`. Without a session only `ok` and `version` (for load balancers); signed in, also
 * `model` (whatever the model registry's `describeModels` reports, never a password in a URL), the
 * simulator flag and the endpoints' and sandbox's load. `model_info` is the model behind `default` as data
 * (alias, model name, host:port, json_schema), null when the simulator answers: the UI words it.
 */
export const HealthSchema = z.object({
  ok: z.boolean(),
  model: z.unknown().optional(),
  model_info: z.object({ alias: z.string(), model: z.string(), host: z.string(), json_schema: z.boolean() }).nullable().optional(),
  simulator: z.boolean().optional(),
  version: z.string(),
  endpoints: z.array(EndpointLoadSchema).optional(),
  sandbox: SandboxLoadSchema.optional(),
  /** Where this server keeps its data: the SQLite file, or PostgreSQL (`MOFANG_DATABASE_URL`); signed-in only. */
  store: z.enum(['sqlite', 'postgres']).optional(),
});
export type Health = z.infer<typeof HealthSchema>;

const PortSummarySchema = z.object({ id: z.string(), label: z.string(), type: z.string() });

/** One entry of `GET /api/node-kinds`, for the palette; ports are those of the default config. */
export const NodeKindSummarySchema = z.object({
  kind: z.string(),
  version: z.number().int(),
  category: z.string(),
  label: z.object({ zh: z.string(), en: z.string() }),
  description: z.object({ zh: z.string(), en: z.string() }),
  defaults: z.unknown(),
  inputs: z.array(PortSummarySchema),
  outputs: z.array(PortSummarySchema),
});
export type NodeKindSummary = z.infer<typeof NodeKindSummarySchema>;
