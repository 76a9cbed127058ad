/**
 * Model endpoints as the admin API shows them (`/api/model-endpoints`) and the model aliases any designer
 * may pick from (`/api/models`). Keys travel only inward: a reply says whether a key is set and its last
 * four characters, never the key.
 */
import { z } from 'zod';

/** A name nodes use for a model (`default`, `fast`, `audit`): letters, digits, `_`, `-`, `.`. */
export const ModelAliasSchema = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/, 'an alias has letters, digits, _, - or . (at most 64)');

/** Where an endpoint comes from: the admin UI (stored), the environment (read-only), or the built-in simulator. */
export const ENDPOINT_SOURCES = ['db', 'env', 'simulator'] as const;
export type EndpointSource = (typeof ENDPOINT_SOURCES)[number];

/** The body of `POST /api/model-endpoints`. `api_key` is stored encrypted; absent or empty means none. */
export const CreateEndpointBodySchema = z.object({
  /** Not `simulator`: that name marks the built-in simulator's answers (shared/simulated.ts). */
  name: z.string().trim().min(1).max(100).refine((n) => n.toLowerCase() !== 'simulator', { message: 'the name "simulator" is reserved for the built-in simulator', params: { reserved: 'simulator' } }),
  base_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. http://10.0.0.5:8000/v1' }).max(2000),
  api_key: z.string().max(4096).optional(),
  /** alias → the endpoint's model name, e.g. `{ "default": "qwen2.5-72b-instruct", "fast": "qwen2.5-7b-instruct" }`. */
  models: z
    .record(ModelAliasSchema, z.string().trim().min(1).max(200))
    .refine((m) => Object.keys(m).length > 0, { message: 'name at least one model (e.g. default)', params: { rule: 'models_required' } })
    .refine((m) => Object.keys(m).length <= 50, { message: 'at most 50 models', params: { rule: 'models_too_many', maximum: 50 } }),
  /** Hard ceiling on calls in flight; null for the adaptive limit alone (up to 512). */
  max_concurrency: z.number().int().min(1).max(512).nullable().default(null),
  /** A call's timeout in ms when its node sets none; null for 60000. */
  timeout_ms: z.number().int().min(1000).max(600_000).nullable().default(null),
  supports_json_schema: z.boolean().default(true),
  stream: z.boolean().default(true),
  enabled: z.boolean().default(true),
});
export type CreateEndpointBody = z.infer<typeof CreateEndpointBodySchema>;

/**
 * The body of `PUT /api/model-endpoints/:id`: any fields to change. `api_key` absent keeps the stored key,
 * `""` removes it, any other text replaces it.
 */
export const UpdateEndpointBodySchema = z.object({
  name: CreateEndpointBodySchema.shape.name.optional(),
  base_url: CreateEndpointBodySchema.shape.base_url.optional(),
  api_key: z.string().max(4096).optional(),
  models: CreateEndpointBodySchema.shape.models.optional(),
  max_concurrency: z.number().int().min(1).max(512).nullable().optional(),
  timeout_ms: z.number().int().min(1000).max(600_000).nullable().optional(),
  supports_json_schema: z.boolean().optional(),
  stream: z.boolean().optional(),
  enabled: z.boolean().optional(),
});
export type UpdateEndpointBody = z.infer<typeof UpdateEndpointBodySchema>;

/** The last failed call of an endpoint in this process. */
export interface EndpointLastError {
  /** ISO 8601 */
  at: string;
  /** A model error code: `server_error`, `timeout`, `network`, `rate_limited`… */
  code: string;
  message: string;
}

/** An endpoint's health in this server process (kept in memory; a restart starts it afresh). */
export interface EndpointHealth {
  /** The adaptive concurrency limit now, and the calls in flight and waiting. */
  limit: number;
  in_flight: number;
  queued: number;
  /** Calls counted for the error rate (the last ones, at most 100). */
  recent_calls: number;
  /** Share of those calls that failed, 0–1; null before any call. */
  error_rate: number | null;
  last_error: EndpointLastError | null;
  /** ISO 8601 of the last call that succeeded. */
  last_success_at: string | null;
}

/** One endpoint as the admin list shows it. */
export interface ModelEndpoint {
  /** Stored endpoints: their id; environment ones: `env`; the simulator: `simulator`. */
  id: string;
  source: EndpointSource;
  name: string;
  /** Without any user name or password written into it; null for the simulator. */
  base_url: string | null;
  /** Whether a key is set, and its last four characters (never the key). */
  api_key: { set: boolean; last4: string | null };
  models: Record<string, string>;
  max_concurrency: number | null;
  timeout_ms: number | null;
  supports_json_schema: boolean;
  stream: boolean;
  enabled: boolean;
  /** ISO 8601; null for endpoints not stored. */
  created_at: string | null;
  updated_at: string | null;
  /** Whether calls go to it now (enabled, and its key readable). */
  active: boolean;
  /** Why a stored endpoint is not used although enabled: its key cannot be decrypted with this server's secret key. */
  problem: 'secret_key_mismatch' | null;
  /** Null until the endpoint has had a call in this process. */
  health: EndpointHealth | null;
}

/** `GET /api/model-endpoints`: every endpoint, environment ones first, and the variables that define those. */
export interface ModelEndpointList {
  endpoints: ModelEndpoint[];
  env_variables: string[];
}

/** Codes of a failed connection test: a model error code, or `no_model` when the endpoint names none. */
export type EndpointTestErrorCode = string;

/** `POST /api/model-endpoints/:id/test`: a real chat call with a short prompt. */
export type EndpointTestReply =
  | { ok: true; reply: string; model: string; alias: string; latency_ms: number }
  | { ok: false; alias: string | null; latency_ms: number; error: { code: EndpointTestErrorCode; message: string } };

/** The body of the test: which alias to call (default: `default`, else the first). */
export const EndpointTestBodySchema = z.object({ alias: ModelAliasSchema.optional() }).default({});

/** One alias a node may name, and the endpoint that answers it (the first endpoint that has it). */
export interface ModelAliasInfo {
  alias: string;
  endpoint: string;
  model: string;
  /** Whether the simulator answers it. */
  simulator: boolean;
}

/** `GET /api/models`: the aliases of the endpoints in use, for the node's model picker. */
export interface ModelAliasList {
  aliases: ModelAliasInfo[];
}
