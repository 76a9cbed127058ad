/**
 * A job's items say whether the built-in simulator answered them, read from the model recorded with
 * each item's outcome (or, for items finished before that column, their runs' `model`): per results line,
 * and counted for the job detail in one grouped read. On both stores.
 */
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { resultLine } from '../jobs/results.js';
import { JobStore } from './jobs.js';
import type { DataStore } from './store.js';
import { storesUnderTest } from './testing-stores.js';

const T0 = Date.UTC(2026, 0, 1);

/** A job of five items: answered by the simulator, by a model and the simulator, by a model, never run, and not yet finished. */
async function seeded(store: DataStore): Promise<JobStore> {
  const { db, t } = store;
  await db.insert(t.scenarios).values({ id: 'sc', name: 's', graph: { nodes: [], edges: [] }, createdAt: T0, updatedAt: T0 });
  await db.insert(t.jobs).values({ id: 'j', scenarioId: 'sc', slug: 's', version: 1, owner: 'admin', status: 'running', total: 5, bodyHash: 'h', createdAt: T0 });
  const rows: Array<[string, 'succeeded' | 'failed' | 'running', string | null, string | null]> = [
    ['a', 'succeeded', 'r1', 'simulator'],
    ['b', 'succeeded', 'r2', 'qwen2.5-7b@10.0.0.5:8000, simulator'],
    ['c', 'succeeded', 'r3', 'qwen2.5-7b@10.0.0.5:8000'],
    ['d', 'failed', null, null],
    ['e', 'running', 'r5', 'simulator'],
  ];
  for (const [i, [id, status, runId, model]] of rows.entries()) {
    if (runId) await db.insert(t.runs).values({ id: runId, scenarioId: 'sc', kind: 'job', status: 'succeeded', model, createdAt: T0, finishedAt: T0 + 1 });
    await db.insert(t.jobItems).values({ jobId: 'j', seq: i + 1, itemId: id, inputs: '{}', status, attempts: 1, runId, outputs: status === 'succeeded' ? '{"score":1}' : null, finishedAt: status === 'running' ? null : T0 + 1 });
  }
  return new JobStore(store);
}

describe.each(storesUnderTest('jobs_simulated'))('simulated job items on %s', (_name, open, skip) => {
  it.skipIf(skip)('marks each results line by its run, and a line without a run as not simulated', async () => {
    const jobs = await seeded(await open());
    const lines = (await jobs.finishedPage('j', 0, 10)).map(resultLine);
    expect(lines.map((l) => [l.id, l.simulated])).toEqual([
      ['a', true],
      ['b', true],
      ['c', false],
      ['d', false],
    ]);
    expect((await jobs.failures('j', 0, 10)).rows.map((r) => r.model)).toEqual([null]);
  });

  it.skipIf(skip)('counts the finished items the simulator answered', async () => {
    const jobs = await seeded(await open());
    expect(await jobs.simulatedCount('j')).toBe(2);
    expect(await jobs.simulatedCount('other')).toBe(0);
  });

  it.skipIf(skip)('knows an item was simulated from its recorded outcome before its run is in the run log', async () => {
    const store = await open();
    const jobs = await seeded(store);
    const { db, t } = store;
    // Item e finishes now; the run log (written apart, maybe by a worker) has not stored run r6 yet.
    await db.update(t.jobItems).set({ runId: null }).where(eqSeq(store, 5));
    await jobs.record([{ jobId: 'j', seq: 5, attempt: 1, status: 'succeeded', runId: 'r6', outputs: { score: 1 }, latencyMs: 5, finishedAt: T0 + 2, model: 'simulator' }]);
    expect(await jobs.simulatedCount('j')).toBe(3);
    expect((await jobs.finishedPage('j', 0, 10)).map(resultLine).find((l) => l.id === 'e')?.simulated).toBe(true);
  });
});

function eqSeq(store: DataStore, seq: number) {
  return and(eq(store.t.jobItems.jobId, 'j'), eq(store.t.jobItems.seq, seq));
}
