/**
 * A real server for /v1 tests: a temporary store, scenarios published into it (on a second handle on the
 * same store: {@link publishNow}) and keys made by the admin API.
 */
import { CreatedKeySchema, type CreateKeyBody } from '@shared/keys.js';
import type { Graph } from '@shared/graph.js';
import { noServices } from '../../server/src/engine/testing.js';
import type { RunningServer } from '../../server/src/http/server.js';
import { eq, max, sql } from 'drizzle-orm';
import { compileGraph } from '../../server/src/engine/index.js';
import { scenariosChanged } from '../../server/src/storage/slug-cache.js';
import { createScenario } from '../../server/src/storage/scenarios.js';
import type { DataStore, OpenDataStore } from '../../server/src/storage/store.js';
import { openTestStore } from './test-store.js';
import { call, removeDir, startTestServer, tempDir } from './helpers.js';

export interface V1Harness {
  server: RunningServer;
  /** A second handle on the server's store (SQLite file or, in the PostgreSQL pass, its database): ./test-store.ts. */
  store: OpenDataStore;
  dir: string;
  /** Creates a scenario with this graph and publishes it under `slug`; returns its id. */
  publish(slug: string, graph: Graph): Promise<{ scenarioId: string; version: number }>;
  /** Saves a new draft of a scenario and publishes it as the next version. */
  republish(scenarioId: string, graph: Graph): Promise<number>;
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
  const store = await openTestStore(dir);
  return {
    server,
    store,
    dir,
    async publish(slug, graph) {
      const scenario = await createScenario(store, { name: slug, graph });
      return { scenarioId: scenario.id, version: await publishNow(store, scenario.id, 'test', slug) };
    },
    async republish(scenarioId, graph) {
      const t = store.t;
      const updated = await store.db.update(t.scenarios).set({ graph, updatedAt: Date.now(), revision: sql`${t.scenarios.revision} + 1` }).where(eq(t.scenarios.id, scenarioId)).returning({ id: t.scenarios.id });
      if (updated.length !== 1) throw new Error('could not update the draft');
      return publishNow(store, scenarioId, 'again');
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
      await store.close();
      removeDir(dir);
    },
  };
}

/** The error body without its per-request run id, to compare two replies. */
export function withoutRunId(json: unknown): unknown {
  return JSON.parse(JSON.stringify(json, (k, v: unknown) => (k === 'run_id' ? undefined : v)));
}

/**
 * Publishes a scenario's draft as its next version and makes it live, straight into the store (a
 * second handle beside the server's): the draft must compile; the slug is kept once set. The publishing
 * rules themselves (slugs, nothing-changed, gates) are tested through the API and server/src/publish/;
 * this only stores what they would. The server's slug cache is told through `scenariosChanged` when it
 * shares this process (the PostgreSQL servers' registry also reads the live version per call).
 */
export async function publishNow(store: DataStore, scenarioId: string, note: string, slug?: string): Promise<number> {
  const { t } = store;
  const [row] = await store.db.select().from(t.scenarios).where(eq(t.scenarios.id, scenarioId)).limit(1);
  if (!row) throw new Error(`no scenario ${scenarioId}`);
  const compiled = compileGraph(row.graph, noServices);
  if (!compiled.ok) throw new Error(`the draft does not compile: ${compiled.errors.map((e) => e.message).join('; ')}`);
  const version = await store.transaction(async (tx) => {
    const [latest] = await tx.db.select({ n: max(t.scenarioVersions.version) }).from(t.scenarioVersions).where(eq(t.scenarioVersions.scenarioId, scenarioId));
    const next = (latest?.n ?? 0) + 1;
    await tx.db.insert(tx.t.scenarioVersions).values({ scenarioId, version: next, graph: row.graph, planHash: compiled.plan.hash, note, createdBy: 'test', createdAt: Date.now(), gate: null });
    await tx.db.update(tx.t.scenarios).set({ slug: row.slug ?? slug ?? null, liveVersion: next }).where(eq(tx.t.scenarios.id, scenarioId));
    return next;
  });
  scenariosChanged();
  return version;
}
