/**
 * Model endpoints as an admin resource (no HTTP here): the stored ones and the environment's, listed with
 * their health; adding, changing and removing stored ones, each change applied to the server's resolver
 * at once (for runs that start after it); a connection test that makes one real chat call.
 */
import type { CreateEndpointBody, EndpointHealth, EndpointTestReply, ModelAliasInfo, ModelEndpoint, ModelEndpointList, UpdateEndpointBody } from '@shared/model-endpoints.js';
import { displayUrl } from '../model/openai-client.js';
import { buildInnerClient, type EndpointConfig, type ModelConfig, type SimulatorEndpointConfig } from '../model/registry.js';
import { ReloadableModels } from '../model/reloadable.js';
import { splitReasoning } from '../model/reply/reasoning.js';
import { ModelError, type ModelClient } from '../model/types.js';
import type { DataStore } from '../storage/store.js';
import { DomainError } from '../common/domain-error.js';
import { combineModelConfig } from './config.js';
import type { SecretBox } from './secret-box.js';
import { deleteEndpoint, findEndpointByName, getEndpointRow, insertEndpoint, keyContext, listEndpointRows, updateEndpoint, type EndpointRow } from './store.js';

/** The variables that define the environment's endpoint (shown beside it: it is changed there, not in the UI). */
export const ENV_MODEL_VARIABLES = ['MOFANG_MODEL_BASE_URL', 'MOFANG_MODEL', 'MOFANG_MODEL_API_KEY', 'MOFANG_MODEL_MAX_CONCURRENCY', 'MOFANG_MODEL_TIMEOUT_MS', 'MOFANG_MODEL_JSON_SCHEMA', 'MOFANG_MODEL_STREAM'];

/** The prompt of a connection test: short, and answerable by any chat model. */
export const TEST_PROMPT = '请只回复“OK”。Reply with only: OK';
/** Longest a connection test waits, ms (less when the endpoint's own timeout is shorter). */
const TEST_TIMEOUT_MS = 30_000;

/** A request the endpoint list refuses: no such endpoint (404), a name in use or a change to a read-only one (409). */
export class EndpointError extends DomainError {
  declare readonly code: 'not_found' | 'name_taken' | 'read_only';
  constructor(code: 'not_found' | 'name_taken' | 'read_only', message: string) {
    super(code === 'not_found' ? 'not_found' : 'conflict', code, message);
    this.name = 'EndpointError';
  }
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The endpoints of the server: the store's, the environment's, and the resolver that calls them. */
export class EndpointService {
  /** The resolver every run uses; reloaded on each change. */
  readonly models: ReloadableModels;
  /** Stored endpoints whose key cannot be opened with this server's secret key (left out of the resolver). */
  private unreadable = new Set<string>();

  /**
   * The service over `store`, its resolver built from the stored endpoints read now. `env` is the
   * configuration from the environment (its endpoint is read-only; its simulator stands in when no
   * endpoint is configured anywhere); `box` seals and opens the stored keys.
   */
  static async open(store: DataStore, box: SecretBox, env: ModelConfig): Promise<EndpointService> {
    return new EndpointService(store, box, env, await listEndpointRows(store));
  }

  private constructor(
    private readonly store: DataStore,
    private readonly box: SecretBox,
    private readonly env: ModelConfig,
    rows: EndpointRow[],
  ) {
    this.models = new ReloadableModels(this.modelConfig(rows));
  }

  /**
   * Applies the stored endpoints to the resolver (after a change; runs under way keep their clients).
   * A change made on another server reaches this one's resolver at its next reload (or restart).
   */
  async reload(): Promise<void> {
    this.models.reload(this.modelConfig(await listEndpointRows(this.store)));
  }

  /** Every endpoint with its health, environment ones first; never a key. */
  async list(): Promise<ModelEndpointList> {
    const current = new Set(this.models.config.endpoints.map((e) => e.name));
    const envEndpoints = this.env.endpoints.filter((e) => e.kind !== 'simulator' || current.has(e.name));
    const shown: ModelEndpoint[] = envEndpoints.map((e, i) => this.shownEnv(e, i, current.has(e.name)));
    for (const row of await listEndpointRows(this.store)) shown.push(this.shownRow(row, current.has(row.name)));
    return { endpoints: shown, env_variables: ENV_MODEL_VARIABLES };
  }

  /** The aliases nodes may name, with the endpoint answering each. */
  aliases(): ModelAliasInfo[] {
    return this.models.aliases();
  }

  /** One endpoint as listed. Throws `not_found`. */
  async get(id: string): Promise<ModelEndpoint> {
    const found = (await this.list()).endpoints.find((e) => e.id === id);
    if (!found) throw new EndpointError('not_found', `no model endpoint with id "${id}"`);
    return found;
  }

  /**
   * Stores a new endpoint (not yet applied: call {@link reload}), in `store`'s transaction when given
   * (the audited change's). Throws `name_taken`.
   */
  async create(body: CreateEndpointBody, store: DataStore = this.store): Promise<EndpointRow> {
    await this.checkName(store, body.name);
    const row = await insertEndpoint(store, this.box, body);
    if (!row) throw new EndpointError('name_taken', `an endpoint named "${body.name}" exists`);
    return row;
  }

  /** Changes a stored endpoint. Throws `not_found`, `read_only` (an environment endpoint) or `name_taken`. */
  async update(id: string, body: UpdateEndpointBody, store: DataStore = this.store): Promise<{ before: EndpointRow; after: EndpointRow }> {
    await this.mustBeStored(store, id);
    if (body.name !== undefined) await this.checkName(store, body.name, id);
    const done = await updateEndpoint(store, this.box, id, body);
    if (done === 'not_found') throw new EndpointError('not_found', `no model endpoint with id "${id}"`);
    if (done === 'name_taken') throw new EndpointError('name_taken', `an endpoint named "${body.name}" exists`);
    return done;
  }

  /** Removes a stored endpoint. Throws `not_found` or `read_only`. */
  async remove(id: string, store: DataStore = this.store): Promise<EndpointRow> {
    await this.mustBeStored(store, id);
    const gone = await deleteEndpoint(store, id);
    if (!gone) throw new EndpointError('not_found', `no model endpoint with id "${id}"`);
    return gone;
  }

  /**
   * A real chat call to the endpoint with a short prompt, on `alias` (default: `default`, else its first
   * model): the reply's text, the model that answered and the latency; or the error's stable code. Works
   * for a disabled endpoint too. Throws `not_found`.
   */
  async test(id: string, alias?: string): Promise<EndpointTestReply> {
    const endpoint = await this.configOf(id);
    if ('error' in endpoint) return { ok: false, alias: null, latency_ms: 0, error: endpoint.error };
    const models = endpoint.models;
    const pick = alias ?? (Object.hasOwn(models, 'default') ? 'default' : Object.keys(models)[0]);
    if (pick === undefined || !Object.hasOwn(models, pick)) {
      return { ok: false, alias: pick ?? null, latency_ms: 0, error: { code: 'no_model', message: pick === undefined ? 'the endpoint names no model' : `the endpoint has no alias "${pick}"` } };
    }
    const client: ModelClient & { close?: () => Promise<void> } = buildInnerClient(endpoint, 1);
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const stream = endpoint.kind === 'simulator' ? false : (endpoint.stream ?? true);
      const timeoutMs = Math.min(TEST_TIMEOUT_MS, endpoint.kind === 'simulator' ? TEST_TIMEOUT_MS : (endpoint.timeoutMs ?? TEST_TIMEOUT_MS));
      const response = await client.chat({ model: models[pick], messages: [{ role: 'user', content: TEST_PROMPT }], maxTokens: 256, temperature: 0, stream, timeoutMs });
      const { answer } = splitReasoning(response.text, response.reasoning);
      if (!answer.trim()) return { ok: false, alias: pick, latency_ms: elapsed(), error: { code: 'empty_reply', message: `the endpoint answered with no text (finish_reason ${response.finishReason ?? 'not given'})` } };
      return { ok: true, reply: answer.trim().slice(0, 2000), model: response.model, alias: pick, latency_ms: elapsed() };
    } catch (error) {
      const code = error instanceof ModelError ? error.code : 'network';
      return { ok: false, alias: pick, latency_ms: elapsed(), error: { code, message: error instanceof Error ? error.message : String(error) } };
    } finally {
      await client.close?.().catch(() => {});
    }
  }

  /** Closes the resolver's clients (server shutdown). */
  close(): Promise<void> {
    return this.models.close();
  }

  /** Environment and stored endpoints together, as the resolver runs them. */
  private modelConfig(rows: EndpointRow[]): ModelConfig {
    const unreadable = new Set<string>();
    const stored: EndpointConfig[] = [];
    for (const row of rows) {
      if (!row.enabled) continue;
      const opened = this.openRow(row);
      if ('error' in opened) unreadable.add(row.id);
      else stored.push(opened);
    }
    this.unreadable = unreadable;
    return combineModelConfig(this.env, stored);
  }

  /** A stored row as a client's configuration, its key opened; an error when the key does not open. */
  private openRow(row: EndpointRow): EndpointConfig | { error: { code: string; message: string } } {
    let apiKey: string | undefined;
    if (row.apiKey !== null) {
      try {
        apiKey = this.box.open(row.apiKey, keyContext(row.id));
      } catch (error) {
        return { error: { code: 'secret_key_mismatch', message: `${row.name}: ${error instanceof Error ? error.message : String(error)}` } };
      }
    }
    return {
      name: row.name,
      baseUrl: row.baseUrl,
      apiKey,
      models: row.models,
      maxConcurrency: row.maxConcurrency ?? undefined,
      timeoutMs: row.timeoutMs ?? undefined,
      supportsJsonSchema: row.supportsJsonSchema,
      stream: row.stream,
    };
  }

  /** The configuration of a listed endpoint by id (`env`, `env-2`…, `simulator`, or a stored id). */
  private async configOf(id: string): Promise<EndpointConfig | SimulatorEndpointConfig | { error: { code: string; message: string } }> {
    const row = await getEndpointRow(this.store, id);
    if (row) return this.openRow(row);
    const envIndex = this.env.endpoints.findIndex((e, i) => envId(e, i) === id);
    if (envIndex >= 0) return this.env.endpoints[envIndex];
    throw new EndpointError('not_found', `no model endpoint with id "${id}"`);
  }

  private async mustBeStored(store: DataStore, id: string): Promise<void> {
    if (await getEndpointRow(store, id)) return;
    if (this.env.endpoints.some((e, i) => envId(e, i) === id)) {
      throw new EndpointError('read_only', 'this endpoint comes from the environment (MOFANG_MODEL_*); change it there and restart');
    }
    throw new EndpointError('not_found', `no model endpoint with id "${id}"`);
  }

  private async checkName(store: DataStore, name: string, ownId?: string): Promise<void> {
    const taken = this.env.endpoints.some((e) => e.name === name) || name === 'simulator';
    const other = await findEndpointByName(store, name);
    if (taken || (other && other.id !== ownId)) throw new EndpointError('name_taken', `an endpoint named "${name}" exists`);
  }

  private healthOf(name: string): EndpointHealth | null {
    const client = this.models.clientOf(name);
    if (!client) return null;
    const s = client.limiter.stats();
    const h = client.health.snapshot();
    return {
      limit: s.limit,
      in_flight: s.liveInFlight + s.batchInFlight,
      queued: s.liveQueued + s.batchQueued,
      recent_calls: h.recentCalls,
      error_rate: h.errorRate,
      last_error: h.lastError ? { at: new Date(h.lastError.at).toISOString(), code: h.lastError.code, message: h.lastError.message } : null,
      last_success_at: iso(h.lastSuccessAt),
    };
  }

  private shownEnv(e: EndpointConfig | SimulatorEndpointConfig, index: number, active: boolean): ModelEndpoint {
    const simulator = e.kind === 'simulator';
    return {
      id: envId(e, index),
      source: simulator ? 'simulator' : 'env',
      name: e.name,
      base_url: simulator ? null : displayUrl(e.baseUrl),
      api_key: simulator || !e.apiKey ? { set: false, last4: null } : { set: true, last4: e.apiKey.length > 8 ? e.apiKey.slice(-4) : null },
      models: e.models,
      max_concurrency: simulator ? null : (e.maxConcurrency ?? null),
      timeout_ms: simulator ? null : (e.timeoutMs ?? null),
      supports_json_schema: simulator ? true : (e.supportsJsonSchema ?? true),
      stream: simulator ? true : (e.stream ?? true),
      enabled: true,
      created_at: null,
      updated_at: null,
      active,
      problem: null,
      health: this.healthOf(e.name),
    };
  }

  private shownRow(row: EndpointRow, active: boolean): ModelEndpoint {
    return {
      id: row.id,
      source: 'db',
      name: row.name,
      base_url: displayUrl(row.baseUrl),
      api_key: { set: row.apiKey !== null, last4: row.keyLast4 },
      models: row.models,
      max_concurrency: row.maxConcurrency,
      timeout_ms: row.timeoutMs,
      supports_json_schema: row.supportsJsonSchema,
      stream: row.stream,
      enabled: row.enabled,
      created_at: iso(row.createdAt),
      updated_at: iso(row.updatedAt),
      active: active && row.enabled,
      problem: row.enabled && this.unreadable.has(row.id) ? 'secret_key_mismatch' : null,
      health: active ? this.healthOf(row.name) : null,
    };
  }
}

/** The id an environment endpoint is listed under: `simulator`, `env`, then `env-2`… */
function envId(e: EndpointConfig | SimulatorEndpointConfig, index: number): string {
  if (e.kind === 'simulator') return 'simulator';
  return index === 0 ? 'env' : `env-${index + 1}`;
}
