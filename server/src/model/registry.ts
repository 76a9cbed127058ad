import { z } from 'zod';
import { SIMULATOR_MODEL, SimulatorConfigSchema, type SimulatorConfigInput } from '../simulator/config.js';
import { SimulatorClient } from '../simulator/client.js';
import { displayUrl, OpenAICompatibleClient } from './openai-client.js';
import { innerClient, LimitedModelClient } from './limiter/limited-client.js';
import type { CallHealth } from './limiter/call-health.js';
import type { ModelClient, ModelResolver } from './types.js';

/** An OpenAI-compatible endpoint and the model names it serves under Mofang's aliases. */
export interface EndpointConfig {
  kind?: 'openai';
  name: string;
  baseUrl: string;
  apiKey?: string;
  /** alias → the endpoint's model name, e.g. `{ default: 'qwen2.5-72b-instruct', fast: 'qwen2.5-7b-instruct' }` */
  models: Record<string, string>;
  maxConcurrency?: number;
  timeoutMs?: number;
  supportsJsonSchema?: boolean;
  /** Stream calls so the adaptive limit can time the first token (default true; turn off for an endpoint that cannot stream). */
  stream?: boolean;
}

/** The built-in simulator, in process, standing in for an endpoint. */
export interface SimulatorEndpointConfig {
  kind: 'simulator';
  name: string;
  models: Record<string, string>;
  simulator: SimulatorConfigInput;
}

/** Every endpoint Mofang may call, and the one whose `default` model answers unknown aliases. */
export interface ModelConfig {
  endpoints: Array<EndpointConfig | SimulatorEndpointConfig>;
  /** Name of the default endpoint. */
  default: string;
}

/** An alias a node may name, with the endpoint and model that answer it. */
export interface ResolvedAlias {
  alias: string;
  endpoint: string;
  model: string;
  simulator: boolean;
}

/** A resolver that also lists its clients (to close pools, show them in the admin UI) and its aliases. */
export interface ConfiguredModelResolver extends ModelResolver {
  readonly config: ModelConfig;
  clients(): ModelClient[];
  /** Every alias an endpoint serves, each once, with the endpoint that answers it (the one resolve picks). */
  aliases(): ResolvedAlias[];
}

/** Most calls in flight to one endpoint when its configuration sets no maxConcurrency. */
export const ADAPTIVE_MAX_LIMIT = 512;
/** Where the adaptive limit starts: low, so the first latencies seen are unqueued ones (the baseline). */
export const ADAPTIVE_INITIAL_LIMIT = 16;

export const SIMULATOR_HINT = 'simulator (no model endpoint configured: set MOFANG_MODEL_BASE_URL)';

/**
 * The bare client of one endpoint (no limiter): the simulator, or an OpenAI-compatible client whose pool
 * opens at most `maxConcurrency` connections.
 */
export function buildInnerClient(endpoint: EndpointConfig | SimulatorEndpointConfig, maxConcurrency: number): SimulatorClient | OpenAICompatibleClient {
  if (endpoint.kind === 'simulator') return new SimulatorClient(endpoint.simulator);
  const { name, baseUrl, apiKey, timeoutMs, supportsJsonSchema } = endpoint;
  return new OpenAICompatibleClient({ name, baseUrl, apiKey, maxConcurrency, timeoutMs, supportsJsonSchema });
}

/**
 * The client of one endpoint: its own connection pool, behind an adaptive limiter (a configured
 * maxConcurrency is the hard ceiling; below it the limiter finds the capacity). `health` keeps the
 * endpoint's recent outcomes (pass the same one to keep them across a rebuilt client).
 */
export function buildClient(endpoint: EndpointConfig | SimulatorEndpointConfig, health?: CallHealth): LimitedModelClient {
  const ceiling = (endpoint.kind === 'simulator' ? undefined : endpoint.maxConcurrency) ?? ADAPTIVE_MAX_LIMIT;
  const inner = buildInnerClient(endpoint, ceiling);
  const measureFirstToken = endpoint.kind === 'simulator' ? true : (endpoint.stream ?? true);
  return new LimitedModelClient(inner, { maxLimit: ceiling, initialLimit: Math.min(ceiling, ADAPTIVE_INITIAL_LIMIT), measureFirstToken }, health);
}

/**
 * Builds a resolver over the configured endpoints. Clients (and their connection pools) are created
 * once per endpoint, on first use (by `clientFor` when given: the reloadable resolver keeps clients
 * across configurations). An alias no endpoint knows falls back to the default endpoint's `default`
 * model (or its first model).
 */
export function createModelResolver(config: ModelConfig, options: { clientFor?: (endpoint: EndpointConfig | SimulatorEndpointConfig) => ModelClient } = {}): ConfiguredModelResolver {
  const fallback = config.endpoints.find((e) => e.name === config.default) ?? config.endpoints[0];
  if (!fallback) throw new Error('model configuration lists no endpoint');
  const clients = new Map<string, ModelClient>();
  const clientFor = (endpoint: EndpointConfig | SimulatorEndpointConfig): ModelClient => {
    let client = clients.get(endpoint.name);
    if (!client) {
      client = options.clientFor ? options.clientFor(endpoint) : buildClient(endpoint);
      clients.set(endpoint.name, client);
    }
    return client;
  };
  // The default endpoint is searched first so that a shared alias such as `default` means its model.
  const ordered = [fallback, ...config.endpoints.filter((e) => e !== fallback)];
  return {
    config,
    clients: () => [...clients.values()],
    aliases() {
      const seen = new Map<string, ResolvedAlias>();
      for (const e of ordered) {
        for (const [alias, model] of Object.entries(e.models)) if (!seen.has(alias)) seen.set(alias, { alias, endpoint: e.name, model, simulator: e.kind === 'simulator' });
      }
      return [...seen.values()];
    },
    resolve(alias: string) {
      const endpoint = ordered.find((e) => Object.hasOwn(e.models, alias));
      if (endpoint) return { client: clientFor(endpoint), model: endpoint.models[alias] };
      const model = fallback.models.default ?? Object.values(fallback.models)[0] ?? SIMULATOR_MODEL;
      return { client: clientFor(fallback), model };
    },
  };
}

const blank = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

function positiveInt(env: NodeJS.ProcessEnv, key: string): number | undefined {
  const value = blank(env[key]);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${key} must be a positive whole number, got "${value}"`);
  return n;
}

const SIM_ENV: Record<string, keyof SimulatorConfigInput> = {
  MOFANG_SIM_TTFT_MS: 'ttftMs',
  MOFANG_SIM_PER_TOKEN_MS: 'perTokenMs',
  MOFANG_SIM_CAPACITY: 'capacity',
  MOFANG_SIM_LOAD_FACTOR: 'loadFactor',
  MOFANG_SIM_MAX_QUEUE: 'maxQueue',
  MOFANG_SIM_ERROR_RATE: 'errorRate',
  MOFANG_SIM_TIMEOUT_RATE: 'timeoutRate',
  MOFANG_SIM_MALFORMED_RATE: 'malformedRate',
  MOFANG_SIM_RATE_LIMIT_RATE: 'rateLimitRate',
  MOFANG_SIM_HANG_MS: 'hangMs',
  MOFANG_SIM_SEED: 'seed',
};

function simulatorFromEnv(env: NodeJS.ProcessEnv): SimulatorConfigInput {
  const raw: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(SIM_ENV)) {
    const value = blank(env[key]);
    if (value !== undefined) raw[field] = Number(value);
  }
  const jsonSchema = blank(env.MOFANG_SIM_JSON_SCHEMA);
  if (jsonSchema !== undefined) raw.supportsJsonSchema = !/^(0|false|no|off)$/i.test(jsonSchema);
  const reasoning = blank(env.MOFANG_SIM_REASONING);
  if (reasoning !== undefined) raw.reasoning = /^(1|true|yes|on)$/i.test(reasoning);
  const parsed = SimulatorConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const names = new Map<string, string>(Object.entries(SIM_ENV).map(([k, v]) => [v, k]));
    throw new Error(parsed.error.issues.map((i) => `${names.get(String(i.path[0])) ?? i.path.join('.')}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

/**
 * The model configuration from the environment: `MOFANG_MODEL_BASE_URL`, `MOFANG_MODEL_API_KEY`,
 * `MOFANG_MODEL` (the model for alias `default`), `MOFANG_MODEL_MAX_CONCURRENCY`, `MOFANG_MODEL_TIMEOUT_MS`,
 * `MOFANG_MODEL_JSON_SCHEMA=0`, `MOFANG_MODEL_STREAM=0` (for an endpoint that cannot stream). Without a base URL: the in-process simulator, tuned by `MOFANG_SIM_*`.
 * Throws an Error naming the variable when a value is invalid.
 */
export function modelConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ModelConfig {
  const baseUrl = blank(env.MOFANG_MODEL_BASE_URL);
  if (baseUrl === undefined) {
    return { default: 'simulator', endpoints: [{ kind: 'simulator', name: 'simulator', models: { default: SIMULATOR_MODEL }, simulator: simulatorFromEnv(env) }] };
  }
  if (!z.url({ protocol: /^https?$/ }).safeParse(baseUrl).success) throw new Error(`MOFANG_MODEL_BASE_URL must be an http(s) URL, got "${baseUrl}"`);
  const model = blank(env.MOFANG_MODEL);
  if (model === undefined) throw new Error('MOFANG_MODEL must name the endpoint\'s model (e.g. qwen2.5-7b-instruct) when MOFANG_MODEL_BASE_URL is set');
  const jsonSchema = blank(env.MOFANG_MODEL_JSON_SCHEMA);
  const host = new URL(baseUrl).host;
  return {
    default: 'default',
    endpoints: [
      {
        name: `${model}@${host}`,
        baseUrl,
        apiKey: blank(env.MOFANG_MODEL_API_KEY),
        models: { default: model },
        maxConcurrency: positiveInt(env, 'MOFANG_MODEL_MAX_CONCURRENCY'),
        timeoutMs: positiveInt(env, 'MOFANG_MODEL_TIMEOUT_MS'),
        supportsJsonSchema: jsonSchema === undefined ? true : !/^(0|false|no|off)$/i.test(jsonSchema),
        stream: !/^(0|false|no|off)$/i.test(blank(env.MOFANG_MODEL_STREAM) ?? 'true'),
      },
    ],
  };
}

/**
 * The model behind `default` as data, for a reader's language (/api/health `model_info`): the alias, the
 * endpoint's model name, where it answers (host and port of its URL, no credentials; the client's name
 * for another kind) and whether it takes `json_schema`. Null when the simulator answers.
 */
export function defaultModelInfo(resolver: ModelResolver): { alias: string; model: string; host: string; json_schema: boolean } | null {
  const resolved = resolver.resolve('default');
  const client = innerClient(resolved.client);
  if (client instanceof SimulatorClient) return null;
  const host = client instanceof OpenAICompatibleClient ? hostOf(client.baseUrl) : client.name;
  return { alias: 'default', model: resolved.model, host, json_schema: client.supportsJsonSchema };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return displayUrl(url);
  }
}

/** A short English line naming the model behind `default`, for the server's start banner, logs and tools. */
export function describeModels(resolver: ModelResolver): string {
  const resolved = resolver.resolve('default');
  const { model } = resolved;
  const client = innerClient(resolved.client);
  if (client instanceof SimulatorClient) return SIMULATOR_HINT;
  const json = client.supportsJsonSchema ? 'json_schema' : 'schema in prompt';
  return `${model} at ${client instanceof OpenAICompatibleClient ? displayUrl(client.baseUrl) : client.name} (${json})`;
}
