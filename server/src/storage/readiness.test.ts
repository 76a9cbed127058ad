import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER, openStore, openStoreFile } from './db.js';
import { latestMigration, sqliteReadiness } from './readiness.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('sqliteReadiness', () => {
  it('is ready on a migrated store', async () => {
    const store = openStoreFile(':memory:');
    await expect(sqliteReadiness(store.db, MIGRATIONS_FOLDER)()).resolves.toBeUndefined();
    store.close();
  });

  it('says migrations_pending when the newest committed migration is not applied', async () => {
    const store = openStoreFile(':memory:');
    const latest = latestMigration(MIGRATIONS_FOLDER);
    expect(latest.when).toBeGreaterThan(0);
    store.db.run(sql`delete from __drizzle_migrations where created_at = ${latest.when}`);
    const problem = await sqliteReadiness(store.db, MIGRATIONS_FOLDER)();
    expect(problem).toMatchObject({ code: 'migrations_pending' });
    expect(problem?.message).toContain(latest.tag);
    store.db.run(sql`drop table __drizzle_migrations`);
    await expect(sqliteReadiness(store.db, MIGRATIONS_FOLDER)()).resolves.toMatchObject({ code: 'migrations_pending' });
    store.close();
  });

  it('says database_unavailable when the database does not answer', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mofang-ready-'));
    dirs.push(dir);
    const store = openStore(dir);
    const check = sqliteReadiness(store.db, MIGRATIONS_FOLDER);
    store.close();
    await expect(check()).resolves.toMatchObject({ code: 'database_unavailable' });
  });
});
