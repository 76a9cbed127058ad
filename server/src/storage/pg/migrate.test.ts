/**
 * `migratePostgres` against a real PostgreSQL (the throwaway server of ./testing.ts): concurrent callers
 * apply each migration once, a second run is a no-op, the advisory lock makes a caller wait, and the
 * migrated database has exactly the tables, columns and indexes of the drizzle pg schema (so the
 * committed migrations cannot fall behind it). Skipped only off CI when PostgreSQL is not installed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { MIGRATION_LOCK_KEY, migratePostgres, PG_MIGRATIONS_FOLDER, PG_MIGRATIONS_SCHEMA, PG_MIGRATIONS_TABLE } from './migrate.js';
import { pgSchema } from './tables.js';
import { postgresTestsRun, queryPostgres, startTestPostgres, type TestPostgres } from './testing.js';


const journal: { entries: { tag: string }[] } = JSON.parse(readFileSync(path.join(PG_MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8'));
const tables = Object.values(pgSchema as Record<string, PgTable>).map((t) => getTableConfig(t));


const appliedSql = `select hash, created_at from "${PG_MIGRATIONS_SCHEMA}"."${PG_MIGRATIONS_TABLE}" order by id`;

describe.skipIf(!postgresTestsRun())('migratePostgres', { timeout: 60_000 }, () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('applies every migration once when three servers start at once, and nothing the second time', async () => {
    await Promise.all([migratePostgres(server.url), migratePostgres(server.url), migratePostgres(server.url)]);
    const applied = await queryPostgres<{ hash: string }>(server.url, appliedSql);
    expect(applied).toHaveLength(journal.entries.length);
    expect(new Set(applied.map((r) => r.hash)).size).toBe(journal.entries.length);
    const present = await queryPostgres<{ table_name: string }>(server.url, `select table_name from information_schema.tables where table_schema = 'public'`);
    expect(present.map((r) => r.table_name).sort()).toEqual(tables.map((t) => t.name).sort());

    await migratePostgres(server.url);
    expect(await queryPostgres(server.url, appliedSql)).toEqual(await queryPostgres(server.url, appliedSql));
    expect(await queryPostgres(server.url, appliedSql)).toHaveLength(journal.entries.length);
  });

  it('waits while another connection holds the migration lock', async () => {
    const url = await server.createDatabase('lock_wait');
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('select pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY.toString()]);
      let done = false;
      const migrating = migratePostgres(url).then(() => (done = true));
      await new Promise((r) => setTimeout(r, 500));
      expect(done).toBe(false);
      const before = await queryPostgres(url, `select 1 from information_schema.tables where table_name = 'scenarios'`);
      expect(before).toHaveLength(0);
      await holder.query('select pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY.toString()]);
      await migrating;
      expect(done).toBe(true);
      expect(await queryPostgres(url, `select 1 from information_schema.tables where table_name = 'scenarios'`)).toHaveLength(1);
    } finally {
      await holder.end();
    }
  });

  it('gives a database whose columns and indexes are the schema’s', async () => {
    const columns = await queryPostgres<{ table_name: string; column_name: string; is_nullable: string; data_type: string }>(
      server.url,
      `select table_name, column_name, is_nullable, data_type from information_schema.columns where table_schema = 'public'`,
    );
    const actual = columns.map((c) => `${c.table_name}.${c.column_name} ${c.data_type}${c.is_nullable === 'NO' ? ' not null' : ''}`).sort();
    const expected = tables.flatMap((t) => t.columns.map((c) => `${t.name}.${c.name} ${c.getSQLType()}${c.notNull || c.primary ? ' not null' : ''}`)).sort();
    // Composite primary keys make their columns not null in the database, as in the schema's notNull().
    expect(actual).toEqual(expected);
    // JSON columns are json (text kept as written), never jsonb (keys reordered, duplicates dropped), but
    // for the dashboard's extraction of outputs, which is never shown as written (docs/postgres.md).
    expect(actual).toContain('scenarios.graph json not null');
    expect(actual.filter((c) => c.includes(' jsonb'))).toEqual(['job_items.audit jsonb']);

    const indexes = await queryPostgres<{ name: string }>(
      server.url,
      `select c.relname as name from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and not i.indisprimary`,
    );
    expect(indexes.map((i) => i.name).sort()).toEqual(tables.flatMap((t) => t.indexes.map((i) => i.config.name ?? '')).sort());
  });

  it('reads rows back with the SQLite side’s JS types: ms times as numbers, flags as booleans, JSON as values', async () => {
    const pool = new pg.Pool({ connectionString: server.url });
    try {
      const db = drizzle(pool, { schema: pgSchema });
      const now = Date.now();
      const graph = { nodes: [{ label: '你好', id: 'n1' }], edges: [], b: 1, a: 2 };
      await db.insert(pgSchema.scenarios).values({ id: 's1', name: 'S', graph, createdAt: now, updatedAt: now });
      await db.insert(pgSchema.modelEndpoints).values({ id: 'e1', name: 'E', baseUrl: 'http://127.0.0.1:1', models: { fast: 'm' }, createdAt: now, updatedAt: now });
      const [row] = await db.select().from(pgSchema.scenarios).where(eq(pgSchema.scenarios.id, 's1'));
      expect(row).toMatchObject({ id: 's1', description: '', graph, createdAt: now, revision: 1, slug: null, liveVersion: null });
      expect(typeof row.createdAt).toBe('number');
      expect(JSON.stringify(row.graph)).toBe(JSON.stringify(graph));
      const [endpoint] = await db.select().from(pgSchema.modelEndpoints);
      expect(endpoint).toMatchObject({ models: { fast: 'm' }, apiKey: null, supportsJsonSchema: true, stream: true, enabled: true });
    } finally {
      await pool.end();
    }
  });

  it('keeps the audit log append-only, as SQLite does', async () => {
    await queryPostgres(server.url, `insert into audit_log (id, at, actor_type, action) values ('a1', 1, 'system', 'test')`);
    await expect(queryPostgres(server.url, `update audit_log set action = 'x'`)).rejects.toThrow(/append-only/);
    await expect(queryPostgres(server.url, `delete from audit_log`)).rejects.toThrow(/append-only/);
    await expect(queryPostgres(server.url, `truncate audit_log`)).rejects.toThrow(/append-only/);
    expect(await queryPostgres(server.url, `select action from audit_log`)).toEqual([{ action: 'test' }]);
  });
});
