import { describe, expect, it } from 'vitest';
import { newId } from '../common/ids.js';
import { endEvalRun, evalRunOfJob, evalRunsOfPlan, getEvalRun, insertEvalRun, listEvalRuns, openEvalRuns } from './eval-runs.js';
import { insertEvalSet } from './evaluation.js';
import { scenarioIn } from './eval-testing.js';
import { storesUnderTest } from './testing-stores.js';

describe.each(storesUnderTest('eval_runs'))('evaluation run storage on %s', (_name, open, skip) => {
  async function setUp() {
    const store = await open();
    const scenarioId = await scenarioIn(store);
    const set = await insertEvalSet(store, { scenarioId, name: 'set', description: '' });
    const run = (createdAt: number, graphHash = 'h1') => insertEvalRun(store, { id: newId(), scenarioId, setId: set.id, setRevision: 1, version: null, graphHash, jobId: newId(), total: 2, createdBy: 'ann', createdAt });
    return { store, scenarioId, set, run };
  }

  it.skipIf(skip)('stores a run queued, lists runs newest first (ties by id), and finds a run by its job', async () => {
    const { store, scenarioId, run } = await setUp();
    const a = await run(10);
    const b = await run(20);
    const c = await run(20);
    expect(await getEvalRun(store, a.id)).toEqual(a);
    expect(a).toMatchObject({ status: 'queued', metrics: null, results: null, simulated: false, error: null, finishedAt: null });
    const tied = [b, c].sort((x, y) => (x.id < y.id ? 1 : -1)).map((r) => r.id);
    expect((await listEvalRuns(store, scenarioId)).map((r) => r.id)).toEqual([...tied, a.id]);
    expect((await listEvalRuns(store, scenarioId, 1)).map((r) => r.id)).toEqual([tied[0]]);
    expect((await evalRunOfJob(store, b.jobId))?.id).toBe(b.id);
    expect(await evalRunOfJob(store, 'nope')).toBeUndefined();
    expect((await openEvalRuns(store)).map((r) => r.id)).toEqual([a.id, ...[b, c].map((r) => r.id).sort()]);
  });

  it.skipIf(skip)('ends a run once, with its result, even when two ends race', async () => {
    const { store, run } = await setUp();
    const a = await run(10);
    const ends = await Promise.all([
      endEvalRun(store, a.id, { status: 'completed', metrics: { m: 1 }, results: [{ id: 'x' }], simulated: true, finishedAt: 50 }),
      endEvalRun(store, a.id, { status: 'failed', error: 'late', finishedAt: 60 }),
    ]);
    expect(ends.filter(Boolean)).toHaveLength(1);
    const ended = await getEvalRun(store, a.id);
    expect(ended).toMatchObject(ends[0] ? { status: 'completed', metrics: { m: 1 }, results: [{ id: 'x' }], simulated: true, error: null, finishedAt: 50 } : { status: 'failed', metrics: null, error: 'late', finishedAt: 60 });
    expect(await endEvalRun(store, a.id, { status: 'cancelled', finishedAt: 70 })).toBe(false);
    expect(await endEvalRun(store, 'nope', { status: 'cancelled', finishedAt: 70 })).toBe(false);
    expect(await openEvalRuns(store)).toEqual([]);
  });

  it.skipIf(skip)('finds the runs of one plan on one revision, newest first', async () => {
    const { store, set, run } = await setUp();
    const a = await run(10);
    await run(20, 'h2');
    const c = await run(30);
    expect((await evalRunsOfPlan(store, { setId: set.id, setRevision: 1, graphHash: 'h1' })).map((r) => r.id)).toEqual([c.id, a.id]);
    expect(await evalRunsOfPlan(store, { setId: set.id, setRevision: 2, graphHash: 'h1' })).toEqual([]);
  });
});
