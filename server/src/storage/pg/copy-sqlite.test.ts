/**
 * `copySqliteToPostgres` on a SQLite file written with raw SQL (so it can hold what no API writes:
 * damaged JSON, NUL characters) and a throwaway PostgreSQL: batches, identity sequences, the damaged-JSON
 * rule, the NUL refusal, and refusals of a non-empty, malformed, unreachable or missing target, each
 * with its code and nothing left half-copied. Skipped only off CI when PostgreSQL is not installed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../db.js';
import { sqliteOf } from '../sqlite.js';
import { copySqliteToPostgres, MigrateStoreError } from './copy-sqlite.js';
import { postgresTestsRun, queryPostgres, startTestPostgres, type TestPostgres } from './testing.js';



/** A data dir whose mofang.db gets `sql` after the migrations; returns the file. */
function sqliteWith(dirs: string[], sql: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mofang-copy-'));
  dirs.push(dir);
  const store = openStore(dir);
  sqliteOf(store.db).exec(sql);
  store.close();
  return path.join(dir, 'mofang.db');
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MigrateStoreError) return error.code;
    throw error;
  }
  return 'resolved';
}

const graph = '{"schema":"mofang.graph/v1","name":"g","nodes":[],"edges":[]}';
const scenarioRows = Array.from({ length: 5 }, (_, i) => `('s${i}', 'S${i}', '${graph}', ${i}, ${i})`).join(', ');

describe.skipIf(!postgresTestsRun())('copySqliteToPostgres', { timeout: 60_000 }, () => {
  let server: TestPostgres;
  const dirs: string[] = [];
  beforeAll(async () => {
    server = await startTestPostgres({ database: 'copy_main' });
  });
  afterAll(async () => {
    await server?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('copies in batches, keeps JSON text, moves identity sequences, and copies damaged JSON as its marker', async () => {
    const file = sqliteWith(
      dirs,
      `insert into scenarios (id, name, graph, created_at, updated_at) values ${scenarioRows};
       insert into runs (id, scenario_id, kind, status, outputs, created_at) values
         ('r1', 's0', 'test', 'succeeded', '{"b":1,"a":2,"aa":3}', 1), ('r2', 's0', 'test', 'failed', '{"cut sh', 2);
       insert into api_keys (id, name, prefix, hash, scenarios, scopes, created_at) values ('k1', 'k', 'mf_a', 'h', '["s0"', 'nope', 1);
       insert into users (id, name, role, created_at, updated_at, password_must_change) values ('u1', 'ann', 'admin', 1, 1, 1);
       insert into audit_log (seq, id, at, actor_type, action) values (1, 'a1', 1, 'system', 'x'), (2, 'a2', 2, 'system', 'y'), (7, 'a7', 7, 'system', 'z');`,
    );
    const report = await copySqliteToPostgres(file, server.url, { batchRows: 2 });
    const counts = Object.fromEntries(report.tables.map((t) => [t.table, [t.sqliteRows, t.postgresRows]]));
    expect(counts).toMatchObject({ scenarios: [5, 5], runs: [2, 2], api_keys: [1, 1], users: [1, 1], audit_log: [3, 3], jobs: [0, 0] });
    // Referenced tables come first.
    const order = report.tables.map((t) => t.table);
    expect(order.indexOf('scenarios')).toBeLessThan(order.indexOf('runs'));
    expect(order.indexOf('users')).toBeLessThan(order.indexOf('sessions'));

    const runs = await queryPostgres<{ id: string; text: string | null }>(server.url, `select id, outputs::text as text from runs order by id`);
    expect(runs).toEqual([{ id: 'r1', text: '{"b":1,"a":2,"aa":3}' }, { id: 'r2', text: 'null' }]);
    // A damaged key scope list reads as none in SQLite ([]), never as every scenario (null): the copy keeps that.
    expect(await queryPostgres(server.url, `select scenarios::text as s, scopes::text as sc from api_keys`)).toEqual([{ s: '[]', sc: '[]' }]);
    expect(report.damagedJson).toEqual([
      { table: 'api_keys', column: 'scenarios', rows: 1, first: ['id="k1"'] },
      { table: 'api_keys', column: 'scopes', rows: 1, first: ['id="k1"'] },
      { table: 'runs', column: 'outputs', rows: 1, first: ['id="r2"'] },
    ]);
    expect(await queryPostgres(server.url, `select password_must_change from users`)).toEqual([{ password_must_change: true }]);
    // The next audit entry takes the seq after the largest copied one.
    const [next] = await queryPostgres<{ seq: string }>(server.url, `insert into audit_log (id, at, actor_type, action) values ('a8', 8, 'system', 'w') returning seq`);
    expect(Number(next?.seq)).toBe(8);
    // The target's drizzle bookkeeping is its own (the PostgreSQL migrations), not SQLite's.
    const applied = await queryPostgres<{ n: string }>(server.url, `select count(*) as n from drizzle.__drizzle_migrations`);
    const journal = JSON.parse(readFileSync(path.join(import.meta.dirname, '../../../drizzle-pg/meta/_journal.json'), 'utf8')) as { entries: unknown[] };
    expect(Number(applied[0]?.n)).toBe(journal.entries.length);
  });

  it('refuses a target that already holds Mofang data and leaves it as it was', async () => {
    const file = sqliteWith(dirs, `insert into scenarios (id, name, graph, created_at, updated_at) values ('other', 'O', '${graph}', 1, 1);`);
    await expect(copySqliteToPostgres(file, server.url)).rejects.toThrow(/already holds Mofang data \(scenarios, api_keys, audit_log, runs, users\)/);
    expect(await codeOf(copySqliteToPostgres(file, server.url))).toBe('target_not_empty');
    expect(await queryPostgres(server.url, `select count(*)::int as n from scenarios`)).toEqual([{ n: 5 }]);
  });

  it('refuses text with a NUL character, naming every value, and keeps nothing', async () => {
    const url = await server.createDatabase('copy_nul');
    const file = sqliteWith(
      dirs,
      `insert into scenarios (id, name, graph, created_at, updated_at) values ${scenarioRows};
       insert into scenarios (id, name, description, graph, created_at, updated_at) values ('n1', 'a' || char(0) || 'b', 'ok', '${graph}', 1, 1), ('n2', 'fine', char(0), '${graph}', 1, 1);`,
    );
    const error = await copySqliteToPostgres(file, url, { batchRows: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrateStoreError);
    expect(error).toMatchObject({ code: 'nul_in_text' });
    expect((error as Error).message).toContain('scenarios.name (id="n1"); scenarios.description (id="n2")');
    expect(await queryPostgres(url, `select count(*)::int as n from scenarios`)).toEqual([{ n: 0 }]);
  });

  it('names the table and rows of a batch PostgreSQL refuses (SQLite lets any column hold text), and keeps nothing', async () => {
    const url = await server.createDatabase('copy_refused');
    const file = sqliteWith(
      dirs,
      `insert into scenarios (id, name, graph, created_at, updated_at) values ${scenarioRows};
       insert into runs (id, scenario_id, kind, status, latency_ms, created_at) values ('r1', 's0', 'test', 'succeeded', 'slow', 1);`,
    );
    const error = await copySqliteToPostgres(file, url).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'copy_failed' });
    expect((error as Error).message).toMatch(/^the copy of runs failed \(rows id="r1" … id="r1"\) and nothing was kept: invalid input syntax for type integer: "slow"/);
    expect(await queryPostgres(url, `select count(*)::int as n from scenarios`)).toEqual([{ n: 0 }]);
  });

  it('says why it cannot reach a target: a malformed URL, no server, no such database', async () => {
    const file = sqliteWith(dirs, '');
    expect(await codeOf(copySqliteToPostgres(file, 'mysql://x@127.0.0.1/db'))).toBe('bad_target_url');
    expect(await codeOf(copySqliteToPostgres(file, 'not a url'))).toBe('bad_target_url');
    expect(await codeOf(copySqliteToPostgres(file, 'postgres://postgres@127.0.0.1:1/x'))).toBe('target_unreachable');
    const missing = server.url.replace(/\/[^/]+$/, '/no_such_db');
    await expect(copySqliteToPostgres(file, missing)).rejects.toThrow(/"no_such_db" does not exist \(create it first/);
  });
});
