/**
 * The server's model resolver when endpoints can change while it runs (admins add, edit, disable them):
 * `reload(config)` swaps the configuration for calls resolved after it, without a restart. A call already
 * under way keeps the client it resolved; an endpoint's client is kept while its settings stay the same
 * (its adaptive limit goes on learning), and a client whose endpoint changed or went away is closed once
 * its last call has finished.
 */
import { buildClient, createModelResolver, type ConfiguredModelResolver, type EndpointConfig, type ModelConfig, type ResolvedAlias, type SimulatorEndpointConfig } from './registry.js';
import { CallHealth } from './limiter/call-health.js';
import { LimitedModelClient } from './limiter/limited-client.js';
import type { ModelClient } from './types.js';

/** How often a retired client is checked for calls still in flight, ms. */
const RETIRE_POLL_MS = 250;
/** A retired client is closed after this long even with calls in flight (they then fail), ms. */
const RETIRE_MAX_MS = 15 * 60_000;

/** What decides whether an endpoint's client can be kept: everything but its aliases. */
function fingerprint(endpoint: EndpointConfig | SimulatorEndpointConfig): string {
  const { models: _models, ...rest } = endpoint;
  return JSON.stringify(rest);
}

function busy(client: ModelClient): boolean {
  if (!(client instanceof LimitedModelClient)) return false;
  const s = client.limiter.stats();
  return s.liveInFlight + s.batchInFlight + s.liveQueued + s.batchQueued > 0;
}

async function closeClient(client: ModelClient): Promise<void> {
  if ('close' in client && typeof client.close === 'function') await client.close();
}

/** A {@link ConfiguredModelResolver} whose configuration can be replaced while calls go on. */
export class ReloadableModels implements ConfiguredModelResolver {
  private current: ConfiguredModelResolver;
  private readonly live = new Map<string, { fingerprint: string; client: LimitedModelClient }>();
  private readonly health = new Map<string, CallHealth>();
  private readonly retiring = new Map<ModelClient, ReturnType<typeof setInterval>>();

  constructor(config: ModelConfig) {
    this.current = this.build(config);
  }

  get config(): ModelConfig {
    return this.current.config;
  }

  resolve(alias: string): { client: ModelClient; model: string } {
    return this.current.resolve(alias);
  }

  aliases(): ResolvedAlias[] {
    return this.current.aliases();
  }

  /** The clients in use and those still finishing calls of an earlier configuration. */
  clients(): ModelClient[] {
    return [...[...this.live.values()].map((e) => e.client), ...this.retiring.keys()];
  }

  /** The client of the endpoint named `name` in the current configuration, once it has been used. */
  clientOf(name: string): LimitedModelClient | undefined {
    return this.live.get(name)?.client;
  }

  /**
   * Replaces the configuration: calls resolved from now on use it. Clients of endpoints that are gone or
   * whose settings changed are closed when their calls in flight have finished. Throws (and keeps the
   * old configuration) when `config` lists no endpoint.
   */
  reload(config: ModelConfig): void {
    const next = this.build(config);
    const wanted = new Map(config.endpoints.map((e) => [e.name, fingerprint(e)]));
    for (const [name, entry] of [...this.live]) {
      if (wanted.get(name) === entry.fingerprint) continue;
      this.live.delete(name);
      this.retire(entry.client);
    }
    for (const name of [...this.health.keys()]) if (!wanted.has(name)) this.health.delete(name);
    this.current = next;
  }

  /** Closes every client now (server shutdown). */
  async close(): Promise<void> {
    const all = this.clients();
    for (const timer of this.retiring.values()) clearInterval(timer);
    this.retiring.clear();
    this.live.clear();
    await Promise.all(all.map(closeClient));
  }

  private build(config: ModelConfig): ConfiguredModelResolver {
    return createModelResolver(config, {
      clientFor: (endpoint) => {
        const print = fingerprint(endpoint);
        const kept = this.live.get(endpoint.name);
        if (kept?.fingerprint === print) return kept.client;
        if (kept) this.retire(kept.client);
        let health = this.health.get(endpoint.name);
        if (!health) this.health.set(endpoint.name, (health = new CallHealth()));
        const client = buildClient(endpoint, health);
        this.live.set(endpoint.name, { fingerprint: print, client });
        return client;
      },
    });
  }

  /** Closes `client` once it has no call in flight or waiting (at most {@link RETIRE_MAX_MS} later). */
  private retire(client: ModelClient): void {
    if (this.retiring.has(client)) return;
    const since = Date.now();
    const done = () => {
      const timer = this.retiring.get(client);
      if (timer) clearInterval(timer);
      this.retiring.delete(client);
      void closeClient(client).catch(() => {});
    };
    if (!busy(client)) {
      void closeClient(client).catch(() => {});
      return;
    }
    const timer = setInterval(() => {
      if (!busy(client) || Date.now() - since > RETIRE_MAX_MS) done();
    }, RETIRE_POLL_MS);
    timer.unref();
    this.retiring.set(client, timer);
  }
}
