import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GRAPH_FORMAT, type Graph } from '@shared/graph.js';
import { draftIn } from '../publish/stores.testing.js';
import { SLUG_CACHE_MS, scenariosChanged } from './slug-cache.js';
import type { DataStore } from './store.js';
import { storePairsUnderTest } from './testing-stores.js';
import { findBySlug, insertVersion, listVersions, setLiveVersion } from './versions.js';

const graph: Graph = { schema: GRAPH_FORMAT, name: 'a', nodes: [], edges: [] };
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** Two stores over one database: this server's, and another process's (the CLI) or another server's. */
const pairs = storePairsUnderTest('slugs');

/** Another process's write: through its own store, so this process's caches cannot hear of it. */
async function liveVersionBehindTheCache(store: DataStore, id: string, version: number): Promise<void> {
  await store.db.update(store.t.scenarios).set({ liveVersion: version }).where(eq(store.t.scenarios.id, id));
}

describe.each(pairs)('findBySlug through its cache on %s', (_name, open, skip) => {
  it.skipIf(skip)('sees this process’s publish, rollback and delete at once, another process’s within a second', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'performance'] });
    // lru-cache reads a start time of 0 as "no expiry": begin where a real clock would be.
    vi.advanceTimersByTime(60_000);
    const { a, b } = await open();
    expect(await findBySlug(a, 'audit')).toBeUndefined();
    const id = await draftIn(a, graph);
    await insertVersion(a, { scenarioId: id, slug: 'audit', graph, planHash: 'h', note: '', createdBy: 'test' });
    expect(await findBySlug(a, 'audit')).toEqual({ id, liveVersion: 1 });
    // Cached: answered at once, not as a promise.
    expect(findBySlug(a, 'audit')).toEqual({ id, liveVersion: 1 });
    await insertVersion(a, { scenarioId: id, slug: 'audit', graph, planHash: 'h', note: '', createdBy: 'test' });
    await setLiveVersion(a, id, 1);
    expect((await findBySlug(a, 'audit'))?.liveVersion).toBe(1);

    // A rollback to 2 from "another process": still 1 for under a second, then 2.
    await liveVersionBehindTheCache(b, id, 2);
    expect((await findBySlug(a, 'audit'))?.liveVersion).toBe(1);
    vi.advanceTimersByTime(SLUG_CACHE_MS + 1);
    expect((await findBySlug(a, 'audit'))?.liveVersion).toBe(2);

    await a.db.delete(a.t.scenarios).where(eq(a.t.scenarios.id, id));
    scenariosChanged();
    expect(await findBySlug(a, 'audit')).toBeUndefined();
  });

  it.skipIf(skip)('does not remember an owner read while a change in this process was under way', async () => {
    const { a } = await open();
    const id = await draftIn(a, graph);
    await insertVersion(a, { scenarioId: id, slug: 'race', graph, planHash: 'h', note: '', createdBy: 'test' });
    const reading = findBySlug(a, 'race');
    expect(reading).toBeInstanceOf(Promise);
    // A rollback lands (here: is announced) before the read's answer comes back.
    scenariosChanged();
    // Another lookup meanwhile brings the cache up to date with the change…
    await findBySlug(a, 'other');
    // …so the late answer, which may predate the change, must not be kept.
    await reading;
    expect(findBySlug(a, 'race')).toBeInstanceOf(Promise);
  });

  it.skipIf(skip || _name === 'SQLite')('numbers versions published at once by two servers 1, 2, … without a clash', async () => {
    const { a, b } = await open();
    const id = await draftIn(a, graph);
    const publish = (store: DataStore, n: number) => insertVersion(store, { scenarioId: id, slug: 'both', graph, planHash: `h${n}`, note: '', createdBy: `s${n}` });
    const rows = await Promise.all([publish(a, 1), publish(b, 2), publish(a, 3), publish(b, 4)]);
    expect(rows.map((r) => r.version).sort()).toEqual([1, 2, 3, 4]);
    expect((await listVersions(b, id)).map((r) => r.version)).toEqual([4, 3, 2, 1]);
  });
});
