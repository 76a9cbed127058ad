import { dataStoreOf } from './store.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GRAPH_FORMAT, type Graph } from '@shared/graph.js';
import { openStore, type Store } from './db.js';
import { createScenarioNow } from './scenarios.testing.js';
import { getScenario } from './scenarios.js';
import { finishRun, getRun, listTestRuns, startRun, TEST_RUNS_KEPT } from './runs.js';

const graph: Graph = { schema: GRAPH_FORMAT, name: 'g', nodes: [], edges: [] };
const stores: Store[] = [];
const dirs: string[] = [];

function open(dir = mkdtempSync(path.join(tmpdir(), 'mofang-store-'))): Store {
  dirs.push(dir);
  const store = openStore(dir);
  stores.push(store);
  return store;
}

afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('storage', () => {
  // Scenarios themselves: ./scenarios.test.ts, on both stores.
  it('migrates idempotently and keeps data across reopen', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mofang-store-'));
    const first = open(dir);
    const s = createScenarioNow(first.db, { name: 'kept', graph });
    first.close();
    const second = open(dir);
    expect((await getScenario(dataStoreOf(second.db), s.id))?.name).toBe('kept');
  });

  it('stores runs with events and prunes old test runs', async () => {
    const { db } = open();
    const store = dataStoreOf(db);
    const s = createScenarioNow(db, { name: 'r', graph });
    const usage = { model_calls: 0, prompt_tokens: 0, completion_tokens: 0 };
    for (let i = 0; i < TEST_RUNS_KEPT + 3; i++) {
      await startRun(store, { id: `run${i}`, scenarioId: s.id, kind: 'test', inputs: { i } }, 1000 + i);
      await finishRun(store, `run${i}`, { status: 'succeeded', outputs: { i }, usage, latency_ms: 1, model: 'simulator' }, [
        { type: 'run.started', run_id: `run${i}`, at: 0, inputs: { i } },
        { type: 'run.finished', run_id: `run${i}`, at: 1, outputs: { i }, usage, latency_ms: 1 },
      ]);
    }
    const list = await listTestRuns(store, s.id);
    expect(list).toHaveLength(TEST_RUNS_KEPT);
    expect(list[0].id).toBe(`run${TEST_RUNS_KEPT + 2}`);
    expect(await getRun(store, 'run0')).toBeUndefined();
    const last = await getRun(store, `run${TEST_RUNS_KEPT + 2}`);
    expect(last?.events.map((e) => e.type)).toEqual(['run.started', 'run.finished']);
    expect(last?.outputs).toEqual({ i: TEST_RUNS_KEPT + 2 });
  });
});
