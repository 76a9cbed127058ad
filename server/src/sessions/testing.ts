/** Fixtures of the session manager's tests (./manager-store.test.ts, ./cluster.test.ts): an echo scenario, a manager over a store. */
import type { Graph } from '@shared/graph.js';
import { compileGraph } from '../engine/compile/index.js';
import { PgQueue } from '../storage/pg-queue.js';
import { noServices } from '../engine/testing.js';
import type { PublishedScenarios } from '../publish/registry.js';
import type { ApiRunRecord } from '../storage/run-log.js';
import type { OpenDataStore } from '../storage/store.js';
import { SessionManager, type SessionManagerOptions } from './manager.js';

/** A scenario whose output `t` is the transcript's text. */
export const echoGraph: Graph = {
  schema: 'mofang.graph/v1',
  name: 'echo',
  nodes: [
    { id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [{ name: 'transcript', type: 'transcript' }] } },
    { id: 'end', kind: 'end', version: 1, position: { x: 0, y: 0 }, config: { outputs: [{ name: 't', value: '{{ start.transcript.text }}' }] } },
  ],
  edges: [{ id: 'e', source: 'start', sourcePort: 'out', target: 'end', targetPort: 'in' }],
};

/** The echo scenario (or `graph`) published as `echo` v1 (scenario `sc1`). */
export function echoPublished(graph: Graph = echoGraph): PublishedScenarios {
  const compiled = compileGraph(graph);
  if (!compiled.ok) throw new Error('does not compile');
  const resolved = { scenarioId: 'sc1', slug: 'echo', version: 1, plan: compiled.plan, graph };
  return { resolve: (slug: string) => (slug === 'echo' ? resolved : { error: 'unknown_scenario' as const }) } as unknown as PublishedScenarios;
}

/**
 * A manager of the echo scenario over `store`; final runs go to `runs`. On PostgreSQL it has its own
 * pg-boss (as a server has), stopped by its `close` (an abandoned manager's too), polling every 0.5 s.
 */
export function echoManager(store: OpenDataStore, runs: ApiRunRecord[] = [], options: Partial<SessionManagerOptions> = {}): SessionManager {
  const queue = store.dialect === 'postgres' && !options.queue ? new PgQueue(store) : undefined;
  const manager = new SessionManager({
    store,
    published: echoPublished(),
    models: { resolve: () => { throw new Error('no model in this graph'); } },
    services: noServices,
    runLog: { writeIn: async (_tx, record) => void runs.push(record) },
    deadlineMs: 10_000,
    idleTimeoutMs: 60_000,
    maxDurationMs: 3_600_000,
    followPollMs: 50,
    finalRunPollSeconds: 0.5,
    queue,
    ...options,
  });
  if (queue) {
    const close = manager.close.bind(manager);
    manager.close = async () => {
      await close();
      await queue.stop();
    };
  }
  return manager;
}

/** The store with the echo scenario's row. */
export async function withEchoScenario(store: OpenDataStore): Promise<OpenDataStore> {
  await store.db.insert(store.t.scenarios).values({ id: 'sc1', name: 'echo', graph: echoGraph, createdAt: 1, updatedAt: 1 });
  return store;
}

/** Waits until `check` holds (every 20 ms), or throws after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
