/**
 * The {@link DataStore} on both dialects, with the same tests: queries awaited through the one
 * interface, transactions that commit, roll back, nest as savepoints, and (SQLite) wait for each other
 * on the one connection. PostgreSQL is the throwaway server of pg/testing.ts; skipped only off CI when
 * PostgreSQL is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { GRAPH_FORMAT } from '@shared/graph.js';
import { openStoreFile } from './db.js';
import { openPostgresStore } from './pg/store.js';
import { postgresTestsRun, startTestPostgres, type TestPostgres } from './pg/testing.js';
import { sqliteDataStore, type DataStore, type OpenDataStore } from './store.js';

let server: TestPostgres | undefined;
const opened: OpenDataStore[] = [];
const skipPg = !postgresTestsRun();

beforeAll(async () => {
  if (!skipPg) server = await startTestPostgres({ database: 'mofang_store_test' });
}, 60_000);
afterAll(async () => {
  for (const s of opened.splice(0)) await s.close();
  await server?.stop();
});

const makers: Array<[string, () => Promise<OpenDataStore>, boolean]> = [
  ['SQLite', async () => sqliteDataStore(openStoreFile(':memory:')), false],
  ['PostgreSQL', async () => openPostgresStore(await (server as TestPostgres).createDatabase(`s${opened.length}_${Date.now()}`)), skipPg],
];

const scenario = (id: string, name = id) => ({ id, name, graph: { schema: GRAPH_FORMAT, name, nodes: [], edges: [] }, createdAt: 1, updatedAt: 1 });

describe.each(makers)('the %s DataStore', (_name, make, skip) => {
  let store: DataStore;
  beforeAll(async () => {
    if (skip) return;
    const s = await make();
    opened.push(s);
    store = s;
  }, 60_000);

  const names = async () => (await store.db.select({ name: store.t.scenarios.name }).from(store.t.scenarios).orderBy(store.t.scenarios.name)).map((r) => r.name);

  it.skipIf(skip)('reads back what it writes, with the row types of the SQLite schema', async () => {
    const { t, db } = store;
    await db.insert(t.scenarios).values(scenario('a'));
    const [row] = await db.select().from(t.scenarios).where(eq(t.scenarios.id, 'a')).limit(1);
    expect(row).toMatchObject({ id: 'a', name: 'a', createdAt: 1, graph: { name: 'a', nodes: [] } });
    expect(typeof row?.createdAt).toBe('number');
  });

  it.skipIf(skip)('keeps a JSON object as written: its key order, nested, and the same text', async () => {
    const { t, db } = store;
    // jsonb would give {"a":2,"b":1,"aa":3,…}: keys by length, then bytes.
    const outputs = { b: 1, a: 2, aa: 3, 风险: { z: [{ k2: '二', k1: null }], y: 1.5 }, '10': true, '2': false };
    const text = JSON.stringify(outputs);
    await db.insert(t.runs).values({ id: 'r-order', kind: 'test', status: 'succeeded', outputs, createdAt: 1 });
    const [row] = await db.select({ outputs: t.runs.outputs }).from(t.runs).where(eq(t.runs.id, 'r-order')).limit(1);
    expect(JSON.stringify(row?.outputs)).toBe(text);
    // The stored text itself (what SQL readers and a dump see), in both dialects.
    const [raw] = await db.select({ text: sql<string>`${t.runs.outputs}${sql.raw(store.dialect === 'postgres' ? '::text' : '')}` }).from(t.runs).where(eq(t.runs.id, 'r-order'));
    expect(raw?.text).toBe(text);
  });

  it.skipIf(skip)('commits a transaction that resolves and rolls back one that throws', async () => {
    const { t } = store;
    await store.transaction(async (tx) => {
      await tx.db.insert(t.scenarios).values(scenario('b'));
    });
    await expect(
      store.transaction(async (tx) => {
        await tx.db.insert(t.scenarios).values(scenario('c'));
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(await names()).toEqual(['a', 'b']);
  });

  it.skipIf(skip)('nests as a savepoint: an inner failure caught leaves the outer work', async () => {
    const { t } = store;
    await store.transaction(async (tx) => {
      await tx.db.insert(t.scenarios).values(scenario('d'));
      await tx
        .transaction(async (inner) => {
          await inner.db.insert(t.scenarios).values(scenario('e'));
          throw new Error('inner');
        })
        .catch(() => undefined);
      // A transaction of the root store started inside this one joins it (no second connection, no wait on itself).
      await store.transaction(async (joined) => {
        await joined.db.insert(t.scenarios).values(scenario('f'));
      });
    });
    expect(await names()).toEqual(['a', 'b', 'd', 'f']);
  });

  it.skipIf(skip)('runs transactions started together one after another, each whole', async () => {
    const { t } = store;
    const bump = (i: number) =>
      store.transaction(async (tx) => {
        const [row] = await tx.db.select().from(t.scenarios).where(eq(t.scenarios.id, 'a')).limit(1);
        await new Promise((r) => setTimeout(r, 1));
        await tx.db.update(t.scenarios).set({ name: `${row?.name}+${i}` }).where(eq(t.scenarios.id, 'a'));
      });
    if (store.dialect === 'sqlite') {
      // One connection: the second waits for the first, so neither update is lost.
      await Promise.all([bump(1), bump(2)]);
      const [row] = await store.db.select().from(t.scenarios).where(eq(t.scenarios.id, 'a')).limit(1);
      expect(row?.name).toBe('a+1+2');
    } else {
      // READ COMMITTED on a pool: both commit (the lost update is the reader's to prevent, e.g. with `for update`).
      await Promise.all([bump(1), bump(2)]);
      const [row] = await store.db.select().from(t.scenarios).where(eq(t.scenarios.id, 'a')).limit(1);
      expect(row?.name).toMatch(/^a\+[12]/);
    }
  });
});
