/**
 * A real server for /v1 tests: a temporary store, scenarios published into it (on a second connection to
 * the same SQLite file, synchronously: {@link publishNow}) and keys made by the admin API.
 */
import { CreatedKeySchema, type CreateKeyBody } from '@shared/keys.js';
import type { Graph } from '@shared/graph.js';
import { noServices } from '../../server/src/engine/testing.js';
import type { RunningServer } from '../../server/src/http/server.js';
import { eq, max, sql } from 'drizzle-orm';
import { compileGraph } from '../../server/src/engine/index.js';
import { scenarios, scenarioVersions } from '../../server/src/storage/schema.js';
import { scenariosChanged } from '../../server/src/storage/slug-cache.js';
import { openStore, writeTransaction, type Db, type Store } from '../../server/src/storage/db.js';
import { createScenarioNow } from '../../server/src/storage/scenarios.testing.js';
import { call, removeDir, startTestServer, tempDir } from './helpers.js';

export interface V1Harness {
  server: RunningServer;
  store: Store;
  dir: string;
  /** Creates a scenario with this graph and publishes it under `slug`; returns its id. */
  publish(slug: string, graph: Graph): { scenarioId: string; version: number };
  /** Saves a new draft of a scenario and publishes it as the next version. */
  republish(scenarioId: string, graph: Graph): number;
  /** Creates a key through `POST /api/keys` and returns the secret and its id. */
  key(body?: Partial<CreateKeyBody>): Promise<{ key: string; id: string; prefix: string }>;
  /** A request to /v1 with the key as bearer (`null` for none). */
  v1(method: string, url: string, key: string | null, body?: unknown, headers?: Record<string, string>): ReturnType<typeof call>;
  close(): Promise<void>;
}

/** Starts a server with `env` (on top of the zero-latency simulator) and a second handle on its store. */
export async function startV1Harness(env: NodeJS.ProcessEnv = {}): Promise<V1Harness> {
  const dir = tempDir('mofang-v1-');
  const server = await startTestServer(dir, env);
  const store = openStore(dir);
  return {
    server,
    store,
    dir,
    publish(slug, graph) {
      const scenario = createScenarioNow(store.db, { name: slug, graph });
      return { scenarioId: scenario.id, version: publishNow(store.db, scenario.id, 'test', slug) };
    },
    republish(scenarioId, graph) {
      const updated = store.db.update(scenarios).set({ graph, updatedAt: Date.now(), revision: sql`${scenarios.revision} + 1` }).where(eq(scenarios.id, scenarioId)).run();
      if (updated.changes !== 1) throw new Error('could not update the draft');
      return publishNow(store.db, scenarioId, 'again');
    },
    async key(body = {}) {
      const res = await call(server.url, 'POST', '/api/keys', { name: 'test', ...body });
      if (res.status !== 201) throw new Error(`key creation failed: ${res.status} ${res.text}`);
      const created = CreatedKeySchema.parse(res.json);
      return { key: created.key, id: created.id, prefix: created.prefix };
    },
    v1(method, url, key, body, headers = {}) {
      return call(server.url, method, url, body, key === null ? headers : { authorization: `Bearer ${key}`, ...headers });
    },
    async close() {
      await server.close();
      store.close();
      removeDir(dir);
    },
  };
}

/** The error body without its per-request run id, to compare two replies. */
export function withoutRunId(json: unknown): unknown {
  return JSON.parse(JSON.stringify(json, (k, v: unknown) => (k === 'run_id' ? undefined : v)));
}

/**
 * Publishes a scenario's draft as its next version and makes it live, synchronously (the harness's
 * `publish` is used in hundreds of synchronous places): the draft must compile; the slug is kept once
 * set. The publishing rules themselves (slugs, nothing-changed, gates) are tested through the API and
 * server/src/publish/; this only stores what they would.
 */
export function publishNow(db: Db, scenarioId: string, note: string, slug?: string): number {
  const row = db.select().from(scenarios).where(eq(scenarios.id, scenarioId)).get();
  if (!row) throw new Error(`no scenario ${scenarioId}`);
  const compiled = compileGraph(row.graph, noServices);
  if (!compiled.ok) throw new Error(`the draft does not compile: ${compiled.errors.map((e) => e.message).join('; ')}`);
  const version = writeTransaction(db, (tx) => {
    const latest = tx.select({ n: max(scenarioVersions.version) }).from(scenarioVersions).where(eq(scenarioVersions.scenarioId, scenarioId)).get();
    const next = (latest?.n ?? 0) + 1;
    tx.insert(scenarioVersions).values({ scenarioId, version: next, graph: row.graph, planHash: compiled.plan.hash, note, createdBy: 'test', createdAt: Date.now(), gate: null }).run();
    tx.update(scenarios).set({ slug: row.slug ?? slug ?? null, liveVersion: next }).where(eq(scenarios.id, scenarioId)).run();
    return next;
  });
  scenariosChanged();
  return version;
}
