/**
 * A real server for /v1 tests: a temporary store, scenarios published into it (through the publishing
 * rules, as the CLI does, on a second connection to the same SQLite file) and keys made by the admin API.
 */
import { CreatedKeySchema, type CreateKeyBody } from '@shared/keys.js';
import type { Graph } from '@shared/graph.js';
import { noServices } from '../../server/src/engine/testing.js';
import type { RunningServer } from '../../server/src/http/server.js';
import { publishDraft } from '../../server/src/publish/publish.js';
import { openStore, type Store } from '../../server/src/storage/db.js';
import { createScenario } from '../../server/src/storage/scenarios.js';
import { updateScenario } from '../../server/src/storage/scenarios.js';
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
      const scenario = createScenario(store.db, { name: slug, graph });
      const reply = publishDraft(store.db, noServices, scenario.id, { slug, note: 'test' });
      return { scenarioId: scenario.id, version: reply.version };
    },
    republish(scenarioId, graph) {
      const updated = updateScenario(store.db, scenarioId, { graph });
      if (!updated.ok) throw new Error('could not update the draft');
      return publishDraft(store.db, noServices, scenarioId, { note: 'again' }).version;
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
