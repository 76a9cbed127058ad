/**
 * `mofang migrate-store` end to end: a data directory filled through the real server (scenarios and
 * published versions, an API key, /v1 runs, a finished job, users and their sessions, audit entries, an
 * evaluation set, a live call session with turns) plus a job left running, the server stopped, the
 * command run into a throwaway PostgreSQL; then every table's rows, read through each dialect's drizzle
 * schema (the types repositories see), are the same on both sides, and every JSON column holds the same
 * text; a server on the copy (`MOFANG_DATABASE_URL`) gives the same API answers and completes the job
 * left running (its items have no pg-boss rows: the server's queue sweep enqueues them). Refusals are
 * one line with a stable code and no stack trace.
 */
import { sqliteOnly } from './test-store.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, getTableName, is } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { PgTable } from 'drizzle-orm/pg-core';
import { SQLiteTable } from 'drizzle-orm/sqlite-core';
import pg from 'pg';
import { V1SessionCreatedSchema } from '@shared/sessions.js';
import { openStore, schema } from '../../server/src/storage/db.js';
import { copyPlan, quoteIdent } from '../../server/src/storage/pg/copy-plan.js';
import { pgSchema } from '../../server/src/storage/pg/tables.js';
import { postgresTestsRun, startTestPostgres, type TestPostgres } from '../../server/src/storage/pg/testing.js';
import { sqliteOf } from '../../server/src/storage/sqlite.js';
import { mofang, mofangBin } from './cli-helpers.js';
import { call, echoGraph, removeDir, signInAdmin, signInAs, startBareServer, tempDir } from './helpers.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { resultLines, waitForJob } from './jobs-helpers.js';
import { JobStore } from '../../server/src/storage/jobs.js';
import type { OpenDataStore } from '../../server/src/storage/store.js';
import { startV1Harness } from './v1-helpers.js';


/** The answers a user and a key get for the migrated data: scenario list and detail, versions, keys, users, sets, a job and its results. */
async function readAnswers(base: string, key: string, scenarioId: string, jobId: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const asKey = { authorization: `Bearer ${key}` };
  for (const url of ['/api/scenarios', `/api/scenarios/${scenarioId}`, `/api/scenarios/${scenarioId}/versions`, '/api/keys', '/api/users', `/api/scenarios/${scenarioId}/eval-sets`]) {
    const res = await call(base, 'GET', url);
    out[url] = [res.status, res.json ?? res.text];
  }
  for (const url of [`/v1/jobs/${jobId}`, `/v1/jobs/${jobId}/results`]) {
    const res = await call(base, 'GET', url, undefined, asKey, { as: null });
    out[url] = [res.status, res.json ?? res.text];
  }
  // Times of use change by reading: the key's (stamped after a request) and the admin's sign-in (again, on the copy).
  for (const url of ['/api/keys', '/api/users']) {
    const [status, body] = out[url] as [number, unknown];
    out[url] = [status, JSON.parse(JSON.stringify(body), (k, v: unknown) => (k === 'last_used_at' || k === 'last_login_at' ? undefined : v))];
  }
  // A job's rate and ETA are measured by the server that ran it, not stored.
  const progress = out[`/v1/jobs/${jobId}`] as [number, Record<string, unknown>];
  out[`/v1/jobs/${jobId}`] = [progress[0], { ...progress[1], rate_per_s: undefined, eta_s: undefined }];
  return out;
}

const inputs = { transcript: '坐席：您好\n客户：宽带断了' };

/**
 * Writes into the SQLite store a job like `doneJobId` (same scenario, version and owner) that is still
 * running, as a server that went down midway leaves one: items r1…r5, r3 running (its first attempt,
 * claimed an hour ago), the others pending. Returns its id.
 */
async function leaveRunningJob(store: OpenDataStore, doneJobId: string): Promise<string> {
  const jobs = new JobStore(store);
  const done = await jobs.getJob(doneJobId);
  if (!done) throw new Error('no finished job to copy');
  const id = 'job-left-running';
  const at = Date.now() - 3_600_000;
  await jobs.beginJob({ id, scenarioId: done.scenarioId, slug: done.slug, version: done.version, owner: done.owner, webhookUrl: null, createdAt: at });
  await jobs.addItems(id, [1, 2, 3, 4, 5].map((seq) => ({ seq, itemId: `r${seq}`, inputs: JSON.stringify(inputs) })));
  await jobs.finalize(id, done.owner, 5, 'left-running', null);
  const { db, t } = store;
  await db.update(t.jobs).set({ status: 'running', startedAt: at }).where(eq(t.jobs.id, id));
  await db.update(t.jobItems).set({ status: 'running', attempts: 1, startedAt: at }).where(and(eq(t.jobItems.jobId, id), eq(t.jobItems.seq, 3)));
  return id;
}
/** Rows in a stable order, for comparing two reads of one table. */
const sorted = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();

// Copies a SQLite data directory into PostgreSQL: it starts from the SQLite store (skipped on the PostgreSQL pass).
describe.skipIf(!postgresTestsRun() || sqliteOnly)('mofang migrate-store', { timeout: 120_000 }, () => {
  let server: TestPostgres;
  let dir = '';
  let answers: Record<string, unknown> = {};
  let answerArgs = { key: '', scenarioId: '', jobId: '' };
  let runningJobId = '';
  beforeAll(async () => {
    server = await startTestPostgres({ database: 'migrate_store' });
    const h = await startV1Harness();
    dir = h.dir;
    const base = h.server.url;
    const { scenarioId } = await h.publish('echo', echoGraph('echo'));
    const v2 = echoGraph('echo');
    v2.nodes[1] = { ...v2.nodes[1], config: { system: '你是电信客服助手（第二版）。', user: '{{ start.transcript.text }}' } } as (typeof v2.nodes)[number];
    await h.republish(scenarioId, v2);
    const { key } = await h.key({ name: '质检', scenarios: ['echo'] });
    for (let i = 0; i < 3; i++) expect((await h.v1('POST', '/v1/scenarios/echo/run', key, { inputs })).status).toBe(200);
    const job = await h.v1('POST', '/v1/scenarios/echo/jobs', key, { items: [{ id: 'a', inputs }, { id: 'b', inputs }] });
    expect(job.status, job.text).toBe(202);
    await waitForJob(base, `/v1/jobs/${(job.json as { job_id: string }).job_id}`, { authorization: `Bearer ${key}` });
    await signInAs(base, 'designer', 'designer-1');
    const set = await call(base, 'POST', `/api/scenarios/${scenarioId}/eval-sets`, { name: '回归', description: 'd' });
    expect(set.status, set.text).toBe(201);
    const cases = await call(base, 'POST', `/api/eval-sets/${(set.json as { id: string }).id}/cases`, { cases: [{ inputs, expected: { reply: 'a' } }, { inputs, expected: { reply: 'b' } }] });
    expect(cases.status, cases.text).toBeLessThan(300);
    const created = await h.v1('POST', '/v1/scenarios/echo/sessions', key, { call_id: 'call-1' });
    expect(created.status, created.text).toBe(201);
    const session = V1SessionCreatedSchema.parse(created.json);
    expect((await h.v1('POST', `/v1/sessions/${session.session_id}/turns`, key, { turns: [{ id: 'c1', role: 'customer', text: '宽带断了' }] })).status).toBe(202);
    await new Promise((r) => setTimeout(r, 300));
    // What the API answers from the SQLite store, to compare with a server on the copy.
    const jobId = (job.json as { job_id: string }).job_id;
    const runs = await call(base, 'GET', `/api/scenarios/${scenarioId}/runs`);
    answers = await readAnswers(base, key, scenarioId, jobId);
    answerArgs = { key, scenarioId, jobId };
    expect(runs.status).toBe(200);
    // Stop the server (its run log written out) but keep the data directory.
    await h.server.close();
    // A job still running when the server went down (as after a crash): items pending, one left running.
    runningJobId = await leaveRunningJob(h.store, jobId);
    h.store.close();
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) removeDir(dir);
  });

  it('copies every table; each one reads the same through both schemas, JSON text included', async () => {
    const result = await mofang(['migrate-store', '--to', server.url, '--from', dir, '--batch-rows', '3']);
    // Progress lines only (printed when a copy takes over 2 s, as on a loaded machine).
    expect(result.stderr.replace(/^mofang: \w+: \d+ rows copied\n/gm, '')).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^table\s+sqlite\s+postgres\s+seconds\n/);
    expect(result.stdout).toMatch(/row counts match\n$/);

    const store = openStore(dir);
    const pool = new pg.Pool({ connectionString: server.url });
    try {
      const pgDb = drizzle(pool, { schema: pgSchema });
      const pgTables = new Map(Object.values(pgSchema as Record<string, unknown>).filter((t): t is PgTable => is(t, PgTable)).map((t) => [getTableName(t), t]));
      const nonEmpty: string[] = [];
      for (const table of Object.values(schema as Record<string, unknown>).filter((t): t is SQLiteTable => is(t, SQLiteTable))) {
        const name = getTableName(table);
        const twin = pgTables.get(name);
        if (!twin) throw new Error(`no PostgreSQL table ${name}`);
        const fromSqlite = store.db.select().from(table).all();
        const fromPg = await pgDb.select().from(twin);
        expect(sorted(fromPg), name).toEqual(sorted(fromSqlite));
        expect(result.stdout, name).toMatch(new RegExp(`\\n${name}\\s+${fromSqlite.length}\\s+${fromSqlite.length}\\s`));
        if (fromSqlite.length > 0) nonEmpty.push(name);
      }
      expect(nonEmpty).toEqual(expect.arrayContaining(['scenarios', 'scenario_versions', 'api_keys', 'runs', 'jobs', 'job_items', 'users', 'sessions', 'audit_log', 'eval_sets', 'eval_cases', 'call_sessions', 'call_session_turns']));

      // JSON columns: the very text SQLite holds (key order, spacing), not a re-serialisation.
      const sqlite = sqliteOf(store.db);
      for (const t of copyPlan()) {
        const json = t.columns.filter((c) => c.kind === 'json').map((c) => quoteIdent(c.name));
        if (json.length === 0) continue;
        const keys = t.key.map((i) => quoteIdent(t.columns[i]?.name ?? ''));
        const left = sqlite.prepare(`select ${[...keys, ...json].join(', ')} from ${quoteIdent(t.name)}`).raw(true).all();
        const right = (await pool.query({ text: `select ${[...keys, ...json.map((c) => `${c}::text`)].join(', ')} from ${quoteIdent(t.name)}`, rowMode: 'array' })).rows;
        expect(sorted(right.map((r: unknown[]) => r.map((v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v)))), t.name).toEqual(sorted(left));
      }
    } finally {
      store.close();
      await pool.end();
    }
  });

  it('a server on the copy (MOFANG_DATABASE_URL) gives the same API answers as the SQLite one did, and completes the job left running', async () => {
    const copyDir = tempDir('mofang-migrated-');
    // The copy's endpoint secrets were sealed with the data directory's key: the PostgreSQL servers take it as MOFANG_SECRET_KEY.
    const secretKey = readFileSync(path.join(dir, 'secret.key'), 'utf8').trim();
    const onCopy = await startBareServer(copyDir, { MOFANG_DATABASE_URL: server.url, MOFANG_SECRET_KEY: secretKey });
    try {
      await signInAdmin(onCopy.url);
      expect((await call(onCopy.url, 'GET', '/api/health')).json).toMatchObject({ store: 'postgres' });
      expect(await readAnswers(onCopy.url, answerArgs.key, answerArgs.scenarioId, answerArgs.jobId)).toEqual(answers);
      // The job the SQLite server left running had no pg-boss rows: the PostgreSQL server's sweep at start enqueues its items.
      const asKey = { authorization: `Bearer ${answerArgs.key}` };
      const progress = await waitForJob(onCopy.url, `/v1/jobs/${runningJobId}`, asKey);
      expect(progress).toMatchObject({ status: 'completed', total: 5, succeeded: 5, failed: 0 });
      const results = await call(onCopy.url, 'GET', `/v1/jobs/${runningJobId}/results`, undefined, asKey, { as: null });
      const lines = resultLines(results.text);
      expect(lines.map((l) => [l.id, l.status])).toEqual(['r1', 'r2', 'r3', 'r4', 'r5'].map((id) => [id, 'succeeded']));
    } finally {
      await onCopy.close();
      removeDir(copyDir);
    }
  });

  it('runs as the compiled CLI too (bin/mofang.mjs finds the PostgreSQL migrations and the driver)', async () => {
    const url = await server.createDatabase('migrate_store_bin');
    const result = await mofangBin(['migrate-store', '--to', url], { MOFANG_DATA_DIR: dir });
    // Progress lines only (printed when a copy takes over 2 s, as on a loaded machine).
    expect(result.stderr.replace(/^mofang: \w+: \d+ rows copied\n/gm, '')).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\nscenario_versions\s+2\s+2\s/);
    const again = await mofangBin(['migrate-store', '--to', url], { MOFANG_DATA_DIR: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^mofang: target_not_empty: [^\n]*\n$/);
  });

  it('refuses, in one line with a code and no stack trace: a target with data, a bad URL, no server, no data directory', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--to', server.url, '--from', dir], /^mofang: target_not_empty: the target database already holds Mofang data/],
      [['--to', 'http://127.0.0.1/x', '--from', dir], /^mofang: bad_target_url: /],
      [['--to', 'postgres://postgres@127.0.0.1:1/mofang', '--from', dir], /^mofang: target_unreachable: cannot connect to PostgreSQL/],
      [['--to', server.url, '--from', tempDir('mofang-empty-')], /^mofang: source_missing: no Mofang data in /],
    ];
    for (const [args, message] of cases) {
      const result = await mofang(['migrate-store', ...args]);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stdout).toBe('');
    }
  });
});
