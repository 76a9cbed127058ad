import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { newId } from '../common/ids.js';
import { caseCountAt, caseRowsAt, commitCaseChange, deleteEvalSet, DuplicateCaseError, findEvalSetByName, getEvalSet, insertEvalSet, jobItemForCase, listEvalRevisions, listEvalSets, setEvalSetMetrics, UnknownCaseError } from './evaluation.js';
import type { DataStore } from './store.js';
import { storesUnderTest } from './testing-stores.js';
import { scenarioIn } from './eval-testing.js';


const write = (id: string | undefined, label: string) => ({ ...(id === undefined ? {} : { id }), inputs: { t: id ?? label }, expected: { label }, source: { kind: 'manual' } });

describe.each(storesUnderTest('evaluation'))('evaluation set storage on %s', (_name, open, skip) => {
  async function setUp() {
    const store = await open();
    const scenarioId = await scenarioIn(store);
    const set = await insertEvalSet(store, { scenarioId, name: 'set', description: '' });
    return { store, scenarioId, set };
  }
  const snapshot = async (store: DataStore, setId: string, revision: number) => (await caseRowsAt(store, setId, revision)).map((r) => ({ id: r.caseId, expected: r.expected }));

  it.skipIf(skip)('reads every revision back exactly after adds, edits and removals', async () => {
    const { store, set } = await setUp();
    expect(set.revision).toBe(0);
    expect(await caseRowsAt(store, set.id, 0)).toEqual([]);
    const r1 = await commitCaseChange(store, set.id, { upsert: [write('a', 'x'), write(undefined, 'y'), write('b', 'z')], remove: [], by: 'ann', change: 'upload' });
    expect(r1).toMatchObject({ revision: 1, added: 3, changed: 0, removed: 0, cases: 3, caseIds: ['a', 'c1', 'b'] });
    const r2 = await commitCaseChange(store, set.id, { upsert: [write('a', 'x2')], remove: [], by: 'ann', change: 'edit' });
    expect(r2).toMatchObject({ revision: 2, added: 0, changed: 1, cases: 3 });
    const r3 = await commitCaseChange(store, set.id, { upsert: [], remove: ['b'], by: 'bob', change: 'remove' });
    expect(r3).toMatchObject({ revision: 3, removed: 1, cases: 2 });
    const r4 = await commitCaseChange(store, set.id, { upsert: [write('b', 'back'), write(undefined, 'w')], remove: ['c1'], by: 'bob', change: 'upload' });
    expect(r4).toMatchObject({ revision: 4, added: 2, removed: 1, cases: 3, caseIds: ['b', 'c2'] });

    expect(await snapshot(store, set.id, 1)).toEqual([{ id: 'a', expected: { label: 'x' } }, { id: 'c1', expected: { label: 'y' } }, { id: 'b', expected: { label: 'z' } }]);
    expect(await snapshot(store, set.id, 2)).toEqual([{ id: 'c1', expected: { label: 'y' } }, { id: 'b', expected: { label: 'z' } }, { id: 'a', expected: { label: 'x2' } }]);
    expect(await snapshot(store, set.id, 3)).toEqual([{ id: 'c1', expected: { label: 'y' } }, { id: 'a', expected: { label: 'x2' } }]);
    expect(await snapshot(store, set.id, 4)).toEqual([{ id: 'a', expected: { label: 'x2' } }, { id: 'b', expected: { label: 'back' } }, { id: 'c2', expected: { label: 'w' } }]);
    expect(await Promise.all([1, 2, 3, 4].map((r) => caseCountAt(store, set.id, r)))).toEqual([3, 3, 2, 3]);
    expect((await listEvalRevisions(store, set.id)).map((r) => [r.revision, r.by, r.change, r.cases])).toEqual([
      [4, 'bob', 'upload', 3],
      [3, 'bob', 'remove', 2],
      [2, 'ann', 'edit', 3],
      [1, 'ann', 'upload', 3],
    ]);
    expect((await getEvalSet(store, set.id))?.revision).toBe(4);
  });

  it.skipIf(skip)('writes nothing for a change that removes an unknown case or names one id twice', async () => {
    const { store, set } = await setUp();
    await commitCaseChange(store, set.id, { upsert: [write('a', 'x')], remove: [], by: 'ann', change: 'upload' });
    await expect(commitCaseChange(store, set.id, { upsert: [write('n', 'y')], remove: ['zz'], by: 'ann', change: 'remove' })).rejects.toThrow(UnknownCaseError);
    await expect(commitCaseChange(store, set.id, { upsert: [write('d', 'y'), write('d', 'z')], remove: [], by: 'ann', change: 'upload' })).rejects.toThrow(DuplicateCaseError);
    expect((await getEvalSet(store, set.id))?.revision).toBe(1);
    expect(await snapshot(store, set.id, 1)).toEqual([{ id: 'a', expected: { label: 'x' } }]);
    expect(await listEvalRevisions(store, set.id)).toHaveLength(1);
    expect(await commitCaseChange(store, 'nope', { upsert: [], remove: [], by: 'a', change: 'edit' })).toBeUndefined();
  });

  it.skipIf(skip)('gives generated ids that skip ids the set already holds', async () => {
    const { store, set } = await setUp();
    await commitCaseChange(store, set.id, { upsert: [write('c1', 'x')], remove: [], by: 'a', change: 'upload' });
    const r = await commitCaseChange(store, set.id, { upsert: [write(undefined, 'y')], remove: [], by: 'a', change: 'upload' });
    expect(r?.caseIds).toEqual(['c2']);
  });

  it.skipIf(skip)('makes one revision per change when changes of one set run at once', async () => {
    const { store, set } = await setUp();
    const done = await Promise.all(Array.from({ length: 6 }, (_, i) => commitCaseChange(store, set.id, { upsert: [write(undefined, `v${i}`)], remove: [], by: 'a', change: 'add' })));
    expect(done.map((d) => d?.revision).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(done.flatMap((d) => d?.caseIds ?? []).sort()).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
    expect(await caseCountAt(store, set.id, 6)).toBe(6);
    expect((await listEvalRevisions(store, set.id)).map((r) => r.cases)).toEqual([6, 5, 4, 3, 2, 1]);
  });

  it.skipIf(skip)('lists a scenario\'s sets by name, finds one by name, stores its metrics', async () => {
    const { store, scenarioId, set } = await setUp();
    const other = await insertEvalSet(store, { scenarioId, name: 'a-first', description: 'd' });
    expect((await listEvalSets(store, scenarioId)).map((s) => s.name)).toEqual(['a-first', 'set']);
    expect((await findEvalSetByName(store, scenarioId, 'a-first'))?.id).toBe(other.id);
    expect(await findEvalSetByName(store, scenarioId, 'none')).toBeUndefined();
    await expect(insertEvalSet(store, { scenarioId, name: 'set', description: '' })).rejects.toThrow();
    expect(await setEvalSetMetrics(store, set.id, { intent: { kind: 'label' } })).toBe(true);
    expect((await getEvalSet(store, set.id))?.metrics).toEqual({ intent: { kind: 'label' } });
    expect(await setEvalSetMetrics(store, 'nope', null)).toBe(false);
  });

  it.skipIf(skip)('goes with its scenario, and can be deleted alone', async () => {
    const { store, scenarioId, set } = await setUp();
    const other = await insertEvalSet(store, { scenarioId, name: 'other', description: '' });
    await commitCaseChange(store, set.id, { upsert: [write('a', 'x')], remove: [], by: 'a', change: 'upload' });
    expect((await deleteEvalSet(store, other.id))?.name).toBe('other');
    expect(await deleteEvalSet(store, other.id)).toBeUndefined();
    expect(await getEvalSet(store, other.id)).toBeUndefined();
    await store.db.delete(store.t.scenarios).where(eq(store.t.scenarios.id, scenarioId));
    expect(await getEvalSet(store, set.id)).toBeUndefined();
    expect(await caseRowsAt(store, set.id, 1)).toEqual([]);
  });

  it.skipIf(skip)('reads a job item as a case starts from it', async () => {
    const { store, scenarioId } = await setUp();
    const jobId = newId();
    await store.db.insert(store.t.jobs).values({ id: jobId, scenarioId, slug: 's', version: 1, owner: 'u', status: 'completed', total: 1, bodyHash: 'h', createdAt: 1 });
    await store.db.insert(store.t.jobItems).values({ jobId, itemId: 'i1', seq: 1, status: 'succeeded', inputs: '{"t":"x"}', outputs: '{"label":"y"}', runId: 'r1' });
    expect(await jobItemForCase(store, jobId, 'i1')).toEqual({ scenarioId, status: 'succeeded', inputs: { t: 'x' }, outputs: { label: 'y' }, runId: 'r1' });
    expect(await jobItemForCase(store, jobId, 'i2')).toBeUndefined();
  });
});
