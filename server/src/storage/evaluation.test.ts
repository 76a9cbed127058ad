import { afterEach, describe, expect, it } from 'vitest';
import { createScenarioNow } from './scenarios.testing.js';
import { dataStoreOf } from './store.js';
import { GRAPH_FORMAT } from '@shared/graph.js';
import { openStoreFile, type Store } from './db.js';
import { deleteScenario } from './scenarios.js';
import { caseCountAt, caseRowsAt, commitCaseChange, deleteEvalSet, DuplicateCaseError, getEvalSet, insertEvalSet, listEvalRevisions, UnknownCaseError } from './evaluation.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function setUp() {
  const store = openStoreFile(':memory:');
  stores.push(store);
  const scenario = createScenarioNow(store.db, { name: 's', graph: { schema: GRAPH_FORMAT, name: 'g', nodes: [], edges: [] } });
  const set = insertEvalSet(store.db, { scenarioId: scenario.id, name: 'set', description: '' });
  return { db: store.db, scenario, set };
}

const snapshot = (db: Store['db'], setId: string, revision: number) => caseRowsAt(db, setId, revision).map((r) => ({ id: r.caseId, expected: r.expected }));
const write = (id: string | undefined, label: string) => ({ ...(id === undefined ? {} : { id }), inputs: { t: id ?? label }, expected: { label }, source: { kind: 'manual' } });

describe('evaluation set storage', () => {
  it('reads every revision back exactly after adds, edits and removals', () => {
    const { db, set } = setUp();
    expect(set.revision).toBe(0);
    expect(caseRowsAt(db, set.id, 0)).toEqual([]);
    const r1 = commitCaseChange(db, set.id, { upsert: [write('a', 'x'), write(undefined, 'y'), write('b', 'z')], remove: [], by: 'ann', change: 'upload' });
    expect(r1).toMatchObject({ revision: 1, added: 3, changed: 0, removed: 0, cases: 3, caseIds: ['a', 'c1', 'b'] });
    const r2 = commitCaseChange(db, set.id, { upsert: [write('a', 'x2')], remove: [], by: 'ann', change: 'edit' });
    expect(r2).toMatchObject({ revision: 2, added: 0, changed: 1, cases: 3 });
    const r3 = commitCaseChange(db, set.id, { upsert: [], remove: ['b'], by: 'bob', change: 'remove' });
    expect(r3).toMatchObject({ revision: 3, removed: 1, cases: 2 });
    const r4 = commitCaseChange(db, set.id, { upsert: [write('b', 'back'), write(undefined, 'w')], remove: ['c1'], by: 'bob', change: 'upload' });
    expect(r4).toMatchObject({ revision: 4, added: 2, removed: 1, cases: 3, caseIds: ['b', 'c2'] });

    expect(snapshot(db, set.id, 1)).toEqual([{ id: 'a', expected: { label: 'x' } }, { id: 'c1', expected: { label: 'y' } }, { id: 'b', expected: { label: 'z' } }]);
    expect(snapshot(db, set.id, 2)).toEqual([{ id: 'c1', expected: { label: 'y' } }, { id: 'b', expected: { label: 'z' } }, { id: 'a', expected: { label: 'x2' } }]);
    expect(snapshot(db, set.id, 3)).toEqual([{ id: 'c1', expected: { label: 'y' } }, { id: 'a', expected: { label: 'x2' } }]);
    expect(snapshot(db, set.id, 4)).toEqual([{ id: 'a', expected: { label: 'x2' } }, { id: 'b', expected: { label: 'back' } }, { id: 'c2', expected: { label: 'w' } }]);
    expect([1, 2, 3, 4].map((r) => caseCountAt(db, set.id, r))).toEqual([3, 3, 2, 3]);
    expect(listEvalRevisions(db, set.id).map((r) => [r.revision, r.by, r.change, r.cases])).toEqual([
      [4, 'bob', 'upload', 3],
      [3, 'bob', 'remove', 2],
      [2, 'ann', 'edit', 3],
      [1, 'ann', 'upload', 3],
    ]);
    expect(getEvalSet(db, set.id)?.revision).toBe(4);
  });

  it('writes nothing for a change that removes an unknown case or names one id twice', () => {
    const { db, set } = setUp();
    commitCaseChange(db, set.id, { upsert: [write('a', 'x')], remove: [], by: 'ann', change: 'upload' });
    expect(() => commitCaseChange(db, set.id, { upsert: [write('n', 'y')], remove: ['zz'], by: 'ann', change: 'remove' })).toThrow(UnknownCaseError);
    expect(() => commitCaseChange(db, set.id, { upsert: [write('d', 'y'), write('d', 'z')], remove: [], by: 'ann', change: 'upload' })).toThrow(DuplicateCaseError);
    expect(getEvalSet(db, set.id)?.revision).toBe(1);
    expect(snapshot(db, set.id, 1)).toEqual([{ id: 'a', expected: { label: 'x' } }]);
    expect(commitCaseChange(db, 'nope', { upsert: [], remove: [], by: 'a', change: 'edit' })).toBeUndefined();
  });

  it('gives generated ids that skip ids the set already holds', () => {
    const { db, set } = setUp();
    commitCaseChange(db, set.id, { upsert: [write('c1', 'x')], remove: [], by: 'a', change: 'upload' });
    const r = commitCaseChange(db, set.id, { upsert: [write(undefined, 'y')], remove: [], by: 'a', change: 'upload' });
    expect(r?.caseIds).toEqual(['c2']);
  });

  it('goes with its scenario, and can be deleted alone', async () => {
    const { db, scenario, set } = setUp();
    const other = insertEvalSet(db, { scenarioId: scenario.id, name: 'other', description: '' });
    commitCaseChange(db, set.id, { upsert: [write('a', 'x')], remove: [], by: 'a', change: 'upload' });
    expect(deleteEvalSet(db, other.id)?.name).toBe('other');
    expect(getEvalSet(db, other.id)).toBeUndefined();
    await deleteScenario(dataStoreOf(db), scenario.id);
    expect(getEvalSet(db, set.id)).toBeUndefined();
    expect(caseRowsAt(db, set.id, 1)).toEqual([]);
  });
});
