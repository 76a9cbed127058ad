/**
 * A job's items say whether the built-in simulator answered them, read from the model recorded with
 * each item's outcome (or, for items finished before that column, their runs' `model`): per results line,
 * and counted for the job detail in one grouped read.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createScenarioNow } from './scenarios.testing.js';
import { GRAPH_FORMAT } from '@shared/graph.js';
import { resultLine } from '../jobs/results.js';
import { openStore, type Store } from './db.js';
import { JobStore } from './jobs.js';
import { sqliteOf } from './sqlite.js';

const T0 = Date.UTC(2026, 0, 1);
let store: Store | undefined;
let dir: string | undefined;

afterEach(() => {
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  store = dir = undefined;
});

/** A job of five items: answered by the simulator, by a model and the simulator, by a model, never run, and not yet finished. */
function seeded(): JobStore {
  dir = mkdtempSync(path.join(tmpdir(), 'mofang-jobs-sim-'));
  store = openStore(dir);
  const scenarioId = createScenarioNow(store.db, { name: 's', graph: { schema: GRAPH_FORMAT, name: 's', nodes: [], edges: [] } }).id;
  const sql = sqliteOf(store.db);
  sql.prepare(`insert into jobs (id, scenario_id, slug, version, owner, status, total, body_hash, created_at) values ('j', ?, 's', 1, 'admin', 'running', 5, 'h', ?)`).run(scenarioId, T0);
  const run = sql.prepare(`insert into runs (id, scenario_id, kind, status, model, created_at, finished_at) values (?, ?, 'job', 'succeeded', ?, ?, ?)`);
  const item = sql.prepare(`insert into job_items (job_id, seq, item_id, inputs, status, attempts, run_id, outputs, finished_at) values ('j', ?, ?, '{}', ?, 1, ?, ?, ?)`);
  const rows: Array<[string, 'succeeded' | 'failed' | 'running', string | null, string | null]> = [
    ['a', 'succeeded', 'r1', 'simulator'],
    ['b', 'succeeded', 'r2', 'qwen2.5-7b@10.0.0.5:8000, simulator'],
    ['c', 'succeeded', 'r3', 'qwen2.5-7b@10.0.0.5:8000'],
    ['d', 'failed', null, null],
    ['e', 'running', 'r5', 'simulator'],
  ];
  rows.forEach(([id, status, runId, model], i) => {
    if (runId) run.run(runId, scenarioId, model, T0, T0 + 1);
    item.run(i + 1, id, status, runId, status === 'succeeded' ? '{"score":1}' : null, status === 'running' ? null : T0 + 1);
  });
  return new JobStore(store.db);
}

describe('simulated job items', () => {
  it('marks each results line by its run, and a line without a run as not simulated', () => {
    const jobs = seeded();
    const lines = jobs.finishedPage('j', 0, 10).map(resultLine);
    expect(lines.map((l) => [l.id, l.simulated])).toEqual([
      ['a', true],
      ['b', true],
      ['c', false],
      ['d', false],
    ]);
    expect(jobs.failures('j', 0, 10).rows.map((r) => r.model)).toEqual([null]);
  });

  it('counts the finished items the simulator answered', () => {
    const jobs = seeded();
    expect(jobs.simulatedCount('j')).toBe(2);
    expect(jobs.simulatedCount('other')).toBe(0);
  });

  it('knows an item was simulated from its recorded outcome before its run is in the run log', () => {
    const jobs = seeded();
    const sql = sqliteOf(store!.db);
    // Item e finishes now; the run log (written apart, maybe by a worker) has not stored run r6 yet.
    sql.prepare(`update job_items set status = 'running', run_id = null where seq = 5`).run();
    jobs.record([{ jobId: 'j', seq: 5, status: 'succeeded', runId: 'r6', outputs: { score: 1 }, latencyMs: 5, finishedAt: T0 + 2, model: 'simulator' }]);
    expect(jobs.simulatedCount('j')).toBe(3);
    expect(jobs.finishedPage('j', 0, 10).map(resultLine).find((l) => l.id === 'e')?.simulated).toBe(true);
  });
});
