/**
 * The dashboard and the /api metrics give the same answers on SQLite and PostgreSQL: both stores are
 * filled alike (runs and job items with varied statuses, errors, usage, scores, verdicts, audit items,
 * times across hours and days, a `\u0000` escape in outputs and errors; on SQLite only, damaged JSON,
 * where PostgreSQL holds what SQLite reads it as) and every answer is compared.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { GRAPH_FORMAT } from '@shared/graph.js';
import type { DrillBucket } from '@shared/dashboard.js';
import type { DataStore } from '../storage/store.js';
import { storesUnderTest } from '../storage/testing-stores.js';
import { apiRunMetrics, listApiRuns } from '../metrics/queries.js';
import { computeDashboard } from './dashboard.js';
import { callDetail, callsBehind } from './dashboard-calls.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 30, 22, 0, 0);
const S = 'scn-1';

function outputsOf(i: number): unknown {
  const results = ['pass', 'fail', 'na', 'fail', 'other'];
  const items: unknown[] = [
    { id: 'greet', name: '问候', result: results[i % 5], fatal: i % 8 === 0, evidence: ['t1'], reason: i === 7 ? 'a\u0000b' : 'ok' },
    { id: 'privacy', name: 'Privacy', result: results[(i + 1) % 5], fatal: i % 4 === 0 ? true : 1 },
    { id: 'tone', name: i % 2 ? 'Tone' : 'tone', result: results[(i + 2) % 5], fatal: i === 3 ? 'yes' : false },
    'not an item',
    { name: 'no id', result: 'fail' },
  ];
  const score = i % 11 === 0 ? '90' : i % 13 === 0 ? undefined : [100, 95, 87.5, 60, 45, 0, 12, 70, 70, 33][i % 10];
  const verdict = i % 29 === 0 ? true : i % 9 === 0 ? null : i % 17 === 0 ? undefined : i % 3 === 0 ? 'fail' : i % 3 === 1 ? 'pass' : 'review';
  return { score, verdict, items: i % 19 === 0 ? 'none' : items, fatal: i % 5 === 0 ? ['privacy'] : i % 7 === 0 ? 'privacy' : [], report: `r${i}` };
}

async function fill(store: DataStore): Promise<void> {
  const { db, t } = store;
  const graph = { schema: GRAPH_FORMAT, name: 's', nodes: [], edges: [] };
  await db.insert(t.scenarios).values({ id: S, name: 's', graph, createdAt: T0, updatedAt: T0 });
  const job = (id: string, purpose: 'batch' | 'evaluation') => ({ id, scenarioId: S, slug: 's', version: 1, owner: 'u', purpose, status: 'completed' as const, total: 60, bodyHash: 'h', createdAt: T0 });
  await db.insert(t.jobs).values([job('job-a', 'batch'), job('job-b', 'batch'), job('job-e', 'evaluation')]);
  const items: Array<typeof t.jobItems.$inferInsert> = [];
  for (let i = 0; i < 60; i++) {
    const jobId = i % 6 === 5 ? 'job-e' : i % 2 ? 'job-b' : 'job-a';
    const status = i % 10 === 9 ? 'failed' : i % 23 === 22 ? 'running' : ('succeeded' as const);
    const finishedAt = status === 'running' ? null : T0 + i * 37 * 60_000 + (i % 4) * 1000;
    items.push({ jobId, seq: i, itemId: `c${i}`, inputs: JSON.stringify({ transcript: [{ id: 't1', role: 'customer', text: `hi ${i}` }] }), status, runId: i % 8 ? `r${i}` : null, outputs: status === 'succeeded' ? JSON.stringify(outputsOf(i)) : null, error: status === 'failed' ? '{"code":"x"}' : null, finishedAt, model: i % 3 ? null : 'm' });
  }
  items.push({ jobId: 'job-a', seq: 100, itemId: 'damaged', inputs: '{}', status: 'succeeded', runId: null, outputs: null, error: null, finishedAt: T0, model: null });
  await db.insert(t.jobItems).values(items);
  const runs: Array<typeof t.runs.$inferInsert & { createdAt: number }> = [];
  for (let i = 0; i < 50; i++) {
    const code = [undefined, 'deadline_exceeded', 'model_error', 'invalid_inputs', undefined][i % 5];
    runs.push({
      id: `r${i}`,
      scenarioId: S,
      kind: i % 12 === 11 ? ('test' as const) : ('api' as const),
      status: code ? ('failed' as const) : i % 7 === 6 ? ('running' as const) : ('succeeded' as const),
      error: code ? { code, message: i === 1 ? 'nul \u0000 here' : 'x' } : null,
      usage: i % 6 === 0 ? null : { model_calls: 1, prompt_tokens: i * 3, completion_tokens: i },
      latencyMs: i % 9 === 0 ? null : (i * 37) % 100,
      model: i % 2 ? 'sim' : 'qwen',
      version: 1 + (i % 2),
      apiKeyId: 'k',
      createdAt: T0 + Math.floor(i / 3) * 20 * 60_000 + (i % 3 === 2 ? 0 : i % 3),
    });
  }
  runs.push({ ...runs[4], id: 'r-damaged', usage: null, error: null, createdAt: runs[4].createdAt });
  await db.insert(t.runs).values(runs);
  if (store.dialect === 'sqlite') {
    // Damaged text where PostgreSQL holds what SQLite's readers make of it (null usage/error, no outputs).
    const raw = store.db as unknown as { run(q: unknown): unknown };
    raw.run(sql`update job_items set outputs = '{"score": 5, "items": [' where item_id = 'damaged'`);
    raw.run(sql`update runs set usage = '{"prompt_tokens": 9', error = '{oops' where id = 'r-damaged'`);
  }
}

/** Every answer of the dashboard and the metrics over the filled store. */
async function answers(store: DataStore): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const scopes = { all: { scenarioId: S }, jobA: { scenarioId: S, jobId: 'job-a' }, range: { scenarioId: S, from: T0 + 2 * HOUR, to: T0 + 20 * HOUR }, evaluation: { scenarioId: S, jobId: 'job-e' } };
  for (const [name, scope] of Object.entries(scopes)) {
    out[`dashboard ${name}`] = await computeDashboard(store, scope);
    out[`dashboard ${name} hour +480`] = await computeDashboard(store, scope, { interval: 'hour', tzMinutes: 480 });
    out[`dashboard ${name} day -300`] = await computeDashboard(store, scope, { interval: 'day', tzMinutes: -300 });
  }
  const buckets: DrillBucket[] = [
    ...[0, 10, 40, 60, 80, 90].map((from): DrillBucket => ({ kind: 'score', from, to: from + 10 })),
    ...['greet', 'privacy', 'tone'].flatMap((id) => (['fail', 'pass', 'na'] as const).map((result): DrillBucket => ({ kind: 'item', id, result }))),
    ...['greet', 'privacy', 'tone'].map((id): DrillBucket => ({ kind: 'fatal', id })),
    ...['fail', 'pass', 'review', 'none'].map((verdict): DrillBucket => ({ kind: 'verdict', verdict })),
    { kind: 'time', from: T0, to: T0 + 10 * HOUR },
  ];
  for (const bucket of buckets) {
    out[`calls ${JSON.stringify(bucket)}`] = await callsBehind(store, scopes.all, bucket, 0, 50);
    out[`calls ${JSON.stringify(bucket)} page 2`] = await callsBehind(store, scopes.jobA, bucket, 2, 3);
  }
  for (const id of ['c0', 'c7', 'c9', 'c22', 'c5', 'nope']) out[`call ${id}`] = await callDetail(store, S, id === 'c5' ? 'job-e' : Number(id.slice(1)) % 2 ? 'job-b' : 'job-a', id);
  out['call line 4'] = await callDetail(store, S, 'job-a', { line: 4 });
  let cursor: string | undefined;
  for (let page = 0; page < 8; page++) {
    const got = await listApiRuns(store, S, { limit: 7, cursor });
    out[`runs page ${page}`] = got;
    if (!got.next_cursor) break;
    cursor = got.next_cursor;
  }
  out['runs failed v2'] = await listApiRuns(store, S, { limit: 100, status: 'failed', version: 2 });
  out['runs range'] = await listApiRuns(store, S, { limit: 100, from: T0 + HOUR, to: T0 + 3 * HOUR });
  for (const bucket of ['minute', 'hour', 'day'] as const) out[`metrics ${bucket}`] = await apiRunMetrics(store, S, { from: T0 - HOUR, to: T0 + 2 * 86_400_000, bucket });
  return out;
}

const [[, openSqlite], [, openPostgres, skipPostgres]] = storesUnderTest('dashboard_stores');

describe('dashboard and metrics on both stores', () => {
  it.skipIf(skipPostgres)('answer the same for the same rows', async () => {
    const [lite, pg] = [await openSqlite(), await openPostgres()];
    await fill(lite);
    await fill(pg);
    const [a, b] = [await answers(lite), await answers(pg)];
    // Not empty answers that agree by accident.
    const all = a['dashboard all'] as { calls: number; failed_runs: number; items: unknown[]; verdicts: unknown[]; trend: { points: unknown[] } };
    expect(all.calls).toBeGreaterThan(30);
    expect(all.failed_runs).toBeGreaterThan(3);
    expect(all.items).toHaveLength(3);
    expect((a['dashboard all'] as { fatal: Array<{ id: string }> }).fatal.map((f) => f.id)).toEqual(['greet', 'privacy']);
    expect(all.verdicts.length).toBeGreaterThanOrEqual(4);
    expect(all.trend.points.length).toBeGreaterThan(10);
    expect((a['metrics hour'] as unknown[]).length).toBeGreaterThan(5);
    expect((a['runs page 1'] as { items: unknown[] }).items).toHaveLength(7);
    expect(a['call c7']).toMatchObject({ items: expect.arrayContaining([expect.objectContaining({ reason: 'a\u0000b' })]) });
    expect((a['runs failed v2'] as { items: Array<{ error_code: string | null }> }).items.map((r) => r.error_code)).toContain('deadline_exceeded');
    for (const key of Object.keys(a)) expect({ key, answer: b[key] }).toEqual({ key, answer: a[key] });
    // The same text too: objects' keys in the same order (the API's JSON).
    for (const key of Object.keys(a)) expect({ key, json: JSON.stringify(b[key]) }).toEqual({ key, json: JSON.stringify(a[key]) });
  }, 60_000);
});
