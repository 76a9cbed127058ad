/**
 * Tests of a repository on both stores: `describe.each(storesUnderTest('scenarios'))('… on %s', (_name,
 * open, skip) => { it.skipIf(skip)('…', async () => { const store = await open(); … }) })`.
 *
 * Registers, in the calling test file, a `beforeAll` that starts one throwaway PostgreSQL for the file
 * (./pg/testing.ts; skipped off CI when PostgreSQL is not installed) and an `afterAll` that closes every
 * store opened and stops it. `open()` gives a new, empty, migrated store each call: a SQLite file in a
 * temp folder (removed after), or a new database on the file's PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openStore } from './db.js';
import { openPostgresStore } from './pg/store.js';
import { postgresTestsRun, startTestPostgres, type TestPostgres } from './pg/testing.js';
import { sqliteDataStore, type OpenDataStore } from './store.js';

/** Opens a new empty store of one dialect. */
export type OpenTestStore = () => Promise<OpenDataStore>;

/** Opens two stores over one new database: a server's and another process's (the CLI) or another server's. */
export type OpenTestStorePair = () => Promise<{ a: OpenDataStore; b: OpenDataStore }>;

/** `[dialect name, open, skip]` rows for `describe.each`: SQLite always, PostgreSQL when its tests run. */
export function storesUnderTest(label: string): Array<[string, OpenTestStore, boolean]> {
  return storeRows(label).map(([name, open, skip]) => [name, async () => (await open(1))[0], skip]);
}

/**
 * {@link storesUnderTest} for tests of two processes over one database: each `open()` gives two stores
 * on one new SQLite file (two connections, as the CLI beside a server) or one new PostgreSQL database
 * (two pools, as two servers).
 */
export function storePairsUnderTest(label: string): Array<[string, OpenTestStorePair, boolean]> {
  return storeRows(label).map(([name, open, skip]) => [name, async () => {
    const [a, b] = await open(2);
    return { a, b };
  }, skip]);
}

function storeRows(label: string): Array<[string, (n: number) => Promise<OpenDataStore[]>, boolean]> {
  const pg = postgresTestsRun();
  let server: TestPostgres | undefined;
  const cleanup: Array<() => unknown> = [];
  let made = 0;
  beforeAll(async () => {
    if (pg) server = await startTestPostgres({ database: `mofang_${label.replace(/\W/g, '_')}_test` });
  }, 60_000);
  afterAll(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
    await server?.stop();
  });
  const sqlite = async (n: number): Promise<OpenDataStore[]> => {
    const dir = mkdtempSync(path.join(tmpdir(), `mofang-${label}-`));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    return Array.from({ length: n }, () => {
      const store = sqliteDataStore(openStore(dir));
      cleanup.push(() => store.close());
      return store;
    });
  };
  const postgres = async (n: number): Promise<OpenDataStore[]> => {
    if (!server) throw new Error('PostgreSQL was not started (its tests are skipped here)');
    const url = await server.createDatabase(`${label.replace(/\W/g, '_')}_${++made}_${Date.now().toString(36)}`);
    const stores: OpenDataStore[] = [];
    for (let i = 0; i < n; i++) {
      const store = await openPostgresStore(url);
      cleanup.push(() => store.close());
      stores.push(store);
    }
    return stores;
  };
  return [
    ['SQLite', sqlite, false],
    ['PostgreSQL', postgres, !pg],
  ];
}
