import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_FORMAT, type Graph } from '@shared/graph.js';
import { openPostgresStore } from './pg/store.js';
import { postgresTestsRun, startTestPostgres, type TestPostgres } from './pg/testing.js';
import { createScenario, deleteScenario, duplicateScenario, getScenario, listScenarios, updateScenario } from './scenarios.js';
import type { OpenDataStore } from './store.js';
import { storesUnderTest } from './testing-stores.js';

const graph: Graph = { schema: GRAPH_FORMAT, name: 'g', nodes: [], edges: [] };
const twoNodes: Graph = {
  ...graph,
  nodes: [
    { id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [] } },
    { id: 'end', kind: 'end', version: 1, position: { x: 1, y: 0 }, config: { outputs: [] } },
  ],
};

describe.each(storesUnderTest('scenarios'))('scenarios on %s', (_name, open, skip) => {
  it.skipIf(skip)('creates, searches, updates with revisions and deletes scenarios', async () => {
    const store = await open();
    const a = await createScenario(store, { name: 'Intent 路由', graph: twoNodes }, 1_000);
    await createScenario(store, { name: 'Audit 50%_off', description: 'for QA', graph }, 2_000);
    expect((await listScenarios(store, '路由')).map((s) => s.id)).toEqual([a.id]);
    // % and _ are matched as themselves, not as wildcards.
    expect((await listScenarios(store, '%_')).map((s) => s.name)).toEqual(['Audit 50%_off']);
    expect((await listScenarios(store, '0%x')).map((s) => s.name)).toEqual([]);
    // ASCII letters match either case, as SQLite's like does; the description is searched too.
    expect((await listScenarios(store, 'intent')).map((s) => s.id)).toEqual([a.id]);
    expect((await listScenarios(store, 'qa')).map((s) => s.name)).toEqual(['Audit 50%_off']);
    const all = await listScenarios(store);
    expect(all.map((s) => [s.name, s.node_count])).toEqual([
      ['Audit 50%_off', 0],
      ['Intent 路由', 2],
    ]);
    expect(all[1]).toMatchObject({ revision: 1, slug: null, live_version: null, updated_at: new Date(1_000).toISOString() });

    const ok = await updateScenario(store, a.id, { name: 'B', revision: 1 }, 3_000);
    expect(ok.ok && ok.scenario.revision).toBe(2);
    const stale = await updateScenario(store, a.id, { name: 'C', revision: 1 });
    expect(stale).toMatchObject({ ok: false, reason: 'conflict', current: { name: 'B', revision: 2 } });
    // Without a revision it applies on top; a clock set back never moves updated_at back.
    const later = await updateScenario(store, a.id, { description: 'd' }, 500);
    expect(later.ok && [later.scenario.revision, later.scenario.updated_at]).toEqual([3, new Date(3_000).toISOString()]);
    expect(await updateScenario(store, 'nope', { name: 'x' })).toEqual({ ok: false, reason: 'not_found' });
    expect((await getScenario(store, a.id))?.name).toBe('B');
    expect(await deleteScenario(store, a.id)).toBe(true);
    expect(await deleteScenario(store, a.id)).toBe(false);
    expect(await getScenario(store, a.id)).toBeUndefined();
  });

  it.skipIf(skip)('lists newest first with the id breaking ties, and duplicates', async () => {
    const store = await open();
    const made = [];
    for (const name of ['x', 'y', 'z']) made.push(await createScenario(store, { name, graph: twoNodes }, 5_000));
    const listed = (await listScenarios(store)).map((s) => s.id);
    expect(listed).toEqual(made.map((s) => s.id).sort().reverse());
    const copy = await duplicateScenario(store, made[0]?.id ?? '');
    expect(copy).toMatchObject({ name: 'x (copy)', graph: twoNodes, revision: 1 });
    expect((await duplicateScenario(store, made[0]?.id ?? '', 'named'))?.name).toBe('named');
    expect(await duplicateScenario(store, 'nope')).toBeUndefined();
  });
});

let server: TestPostgres | undefined;
const pg = postgresTestsRun();
beforeAll(async () => {
  if (pg) server = await startTestPostgres({ database: 'mofang_scenarios_two_test' });
}, 60_000);
const closing: OpenDataStore[] = [];
afterAll(async () => {
  for (const s of closing) await s.close();
  await server?.stop();
});

describe('scenario saves from two servers over one PostgreSQL', () => {
  async function two(): Promise<[OpenDataStore, OpenDataStore]> {
    const url = await (server as TestPostgres).createDatabase(`scen_${Math.random().toString(36).slice(2, 10)}`);
    const pair: [OpenDataStore, OpenDataStore] = [await openPostgresStore(url), await openPostgresStore(url)];
    closing.push(...pair);
    return pair;
  }

  it.skipIf(!pg)('lets one of two saves of the same revision through and reports the other as a conflict', async () => {
    const [a, b] = await two();
    const s = await createScenario(a, { name: 's', graph });
    for (let round = 1; round <= 5; round++) {
      const revision = (await getScenario(a, s.id))?.revision ?? 0;
      const outcomes = await Promise.all([updateScenario(a, s.id, { name: `a${round}`, revision }), updateScenario(b, s.id, { name: `b${round}`, revision })]);
      expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
      expect(outcomes.filter((o) => !o.ok && o.reason === 'conflict')).toHaveLength(1);
    }
    expect((await getScenario(b, s.id))?.revision).toBe(6);
  });

  it.skipIf(!pg)('applies every save that names no revision, each as its own revision', async () => {
    const [a, b] = await two();
    const s = await createScenario(a, { name: 's', graph });
    const saves = Array.from({ length: 8 }, (_, i) => updateScenario(i % 2 ? a : b, s.id, { description: `d${i}` }));
    const outcomes = await Promise.all(saves);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const revisions = outcomes.map((o) => (o.ok ? o.scenario.revision : 0)).sort((x, y) => x - y);
    expect(revisions).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
