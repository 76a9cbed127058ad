/**
 * PostgreSQL's dashboard reads a stored extraction of each item's outputs (`job_items.audit`, filled by a
 * dashboard read under a per-scenario advisory lock taken without waiting) and extracts what is not
 * stored yet itself: the answers are the same whether every row, none or some are stored; two servers
 * reading at once both answer; a fill that fails is logged and the read still answers; outputs
 * PostgreSQL's jsonb refuses as written (`\u0000`, a lone surrogate) read with U+FFFD and fail nothing. (Answers against SQLite's: dashboard-stores.test.ts.)
 */
import { describe, expect, it, vi } from 'vitest';
import { sql } from 'drizzle-orm';
import { GRAPH_FORMAT } from '@shared/graph.js';
import type { DrillBucket } from '@shared/dashboard.js';
import { rawRows } from '../storage/dialect-sql.js';
import type { DataStore } from '../storage/store.js';
import { storePairsUnderTest } from '../storage/testing-stores.js';
import { auditExtractor, computeDashboard } from './dashboard.js';
import { callsBehind } from './dashboard-calls.js';

const S = 'scn-pg';
const T0 = Date.UTC(2026, 10, 30, 8, 0, 0);

function outputsOf(i: number): Record<string, unknown> {
  const result = ['pass', 'fail', 'na'][i % 3];
  return {
    score: [100, 85, 60, 42.5, 0][i % 5],
    verdict: i % 4 === 0 ? 'fail' : 'pass',
    fatal: i % 6 === 0 ? ['abuse'] : [],
    items: [
      { id: 'greet', name: '问候', result, fatal: false, evidence: ['t1'], reason: i === 3 ? 'lone \ud800 surrogate' : 'ok' },
      { id: 'abuse', name: '红线', result: i % 6 === 0 ? 'fail' : 'pass', fatal: true, reason: i === 4 ? 'nul \u0000 here' : 'ok' },
    ],
    report: `r${i}`,
  };
}

async function fill(store: DataStore, from: number, to: number): Promise<void> {
  const { db, t } = store;
  if (from === 0) {
    await db.insert(t.scenarios).values({ id: S, name: 's', graph: { schema: GRAPH_FORMAT, name: 's', nodes: [], edges: [] }, createdAt: T0, updatedAt: T0 });
    await db.insert(t.jobs).values({ id: 'job-1', scenarioId: S, slug: 's', version: 1, owner: 'u', status: 'completed', total: 100, bodyHash: 'h', createdAt: T0 });
  }
  const items: Array<typeof t.jobItems.$inferInsert> = [];
  for (let i = from; i < to; i++) {
    items.push({ jobId: 'job-1', seq: i, itemId: `c${i}`, inputs: '{}', status: 'succeeded', runId: null, outputs: JSON.stringify(outputsOf(i)), error: null, finishedAt: T0 + i * 60_000, model: null });
  }
  await db.insert(t.jobItems).values(items);
}

async function answers(store: DataStore): Promise<unknown[]> {
  const scope = { scenarioId: S };
  const buckets: DrillBucket[] = [{ kind: 'score', from: 40, to: 50 }, { kind: 'item', id: 'greet', result: 'fail' }, { kind: 'fatal', id: 'abuse' }, { kind: 'verdict', verdict: 'fail' }];
  return [await computeDashboard(store, scope), ...(await Promise.all(buckets.map((b) => callsBehind(store, scope, b, 0, 20))))];
}

async function unstored(store: DataStore): Promise<number> {
  const [row] = await rawRows(store, sql`select count(*)::int as n from job_items where audit is null`);
  return Number(row?.n);
}

const pairs = storePairsUnderTest('dashboard_pg').filter(([name]) => name === 'PostgreSQL');

describe.each(pairs)('the dashboard on %s', (_name, open, skip) => {
  it.skipIf(skip)('answers the same from stored, unstored and partly stored extractions', async () => {
    const { a, b } = await open();
    await fill(a, 0, 30);
    expect(await unstored(a)).toBe(30);
    const first = await answers(a);
    expect(await unstored(a)).toBe(0);
    expect(first[0]).toMatchObject({ calls: 30, items: [{ id: 'greet' }, { id: 'abuse', fatal: true }] });
    expect(await answers(a)).toEqual(first);

    // Half the rows unstored, and another server filling this scenario (holding its lock): this read
    // extracts them itself and stores nothing.
    await rawRows(a, sql`update job_items set audit = null where seq % 2 = 0`);
    await b.transaction(async (tx) => {
      await rawRows(tx, sql`select pg_advisory_xact_lock(hashtext(${`mofang:dashboard-fill:${S}`}))`);
      expect(await answers(a)).toEqual(first);
      expect(await unstored(a)).toBe(15);
    });
    expect(await answers(a)).toEqual(first);
    expect(await unstored(a)).toBe(0);

    // Items finished after a read are stored by the next one.
    await fill(a, 30, 40);
    const more = await answers(a);
    expect(more[0]).toMatchObject({ calls: 40 });
    expect(await unstored(a)).toBe(0);
  }, 60_000);

  it.skipIf(skip)('stores the extraction of items as they succeed, so a first read finds them stored', async () => {
    const { a } = await open();
    await fill(a, 0, 30);
    const extract = auditExtractor(a);
    expect(extract).toBeDefined();
    // In batches as the runner tells of them, one named twice, one not succeeded (left), one unknown (nothing).
    await rawRows(a, sql`update job_items set status = 'failed' where seq = 29`);
    extract?.add(Array.from({ length: 20 }, (_, seq) => ({ jobId: 'job-1', seq })));
    extract?.add([...Array.from({ length: 10 }, (_, i) => ({ jobId: 'job-1', seq: 20 + i })), { jobId: 'job-1', seq: 3 }, { jobId: 'job-x', seq: 1 }]);
    await extract?.settled();
    expect(await unstored(a)).toBe(1);
    const [row] = await rawRows(a, sql`select audit from job_items where seq = 1`);
    expect(row?.audit).toMatchObject({ s: 85, v: 'pass', fl: 0, i: [{ id: 'greet', result: 'fail', f: 0 }, { id: 'abuse', f: 1 }] });
    await rawRows(a, sql`update job_items set status = 'succeeded' where seq = 29`);
    const stored = await answers(a);
    expect(stored[0]).toMatchObject({ calls: 30 });
    // The same answers as when every extraction is the read's own.
    await rawRows(a, sql`update job_items set audit = null`);
    expect(await answers(a)).toEqual(stored);
  }, 60_000);

  it.skipIf(skip)('stores the extraction of calls older than it, once, with two servers at it together', async () => {
    const { a, b } = await open();
    await fill(a, 0, 2500);
    // An evaluation job's items are not calls of the dashboard: left alone.
    await a.db.insert(a.t.jobs).values({ id: 'job-eval', scenarioId: S, slug: 's', version: 1, owner: 'u', purpose: 'evaluation', status: 'completed', total: 1, bodyHash: 'h', createdAt: T0 });
    await a.db.insert(a.t.jobItems).values({ jobId: 'job-eval', seq: 0, itemId: 'e0', inputs: '{}', status: 'succeeded', outputs: JSON.stringify(outputsOf(1)), finishedAt: T0 });
    const [x, y] = [auditExtractor(a), auditExtractor(b)];
    const counts = await Promise.all([x?.backfill(), y?.backfill()]);
    expect((counts[0] ?? 0) + (counts[1] ?? 0)).toBe(2500);
    expect(await unstored(a)).toBe(1);
    expect(await x?.backfill()).toBe(0);
    const stored = await answers(a);
    await rawRows(a, sql`update job_items set audit = null`);
    expect(await answers(a)).toEqual(stored);
    // An aborted backfill stores nothing more.
    await rawRows(a, sql`update job_items set audit = null`);
    expect(await x?.backfill(AbortSignal.abort())).toBe(0);
  }, 60_000);

  it.skipIf(skip)('two servers reading at once both answer, and store each extraction', async () => {
    const { a, b } = await open();
    await fill(a, 0, 40);
    const got = await Promise.all([answers(a), answers(b), answers(a), answers(b)]);
    for (const g of got) expect(g).toEqual(got[0]);
    expect(await unstored(b)).toBe(0);
  }, 60_000);

  it.skipIf(skip)('answers when storing the extraction fails, and logs why', async () => {
    const { a } = await open();
    await fill(a, 0, 20);
    const stored = await answers(a);
    await rawRows(a, sql`update job_items set audit = null`);
    await rawRows(a, sql.raw(`create function refuse_audit() returns trigger language plpgsql as $$ begin raise exception 'audit refused'; end $$`));
    await rawRows(a, sql.raw(`create trigger refuse_audit before update on job_items for each row execute function refuse_audit()`));
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await answers(a)).toEqual(stored);
      expect(logged.mock.calls.map((c) => String(c[0]))).toEqual(expect.arrayContaining([expect.stringContaining('audit refused')]));
    } finally {
      logged.mockRestore();
    }
    expect(await unstored(a)).toBe(20);
  }, 60_000);

  it.skipIf(skip)('reads `\\u0000` and lone surrogates in outputs as U+FFFD', async () => {
    const { a } = await open();
    await fill(a, 0, 8);
    const { db, t } = a;
    // Escapes outside what JSON.stringify writes: upper case, a pair, an escaped backslash before one.
    await db.insert(t.jobItems).values({ jobId: 'job-1', seq: 50, itemId: 'c50', inputs: '{}', status: 'succeeded', outputs: '{"score": 10, "verdict": "x\\uD800", "items": [{"id": "e\\ud83d\\ude00", "name": "\\\\ud800", "result": "fail"}, {"id": "low", "name": "a\\udc00b", "result": "pass"}]}', finishedAt: T0 });
    const [dashboard] = (await answers(a)) as [{ items: Array<{ id: string; name: string }>; verdicts: Array<{ verdict: string }> }];
    expect(dashboard.items.map((i) => [i.id, i.name])).toEqual([['e😀', '\\ud800'], ['greet', '问候'], ['abuse', '红线'], ['low', 'a\ufffdb']]);
    expect(dashboard.verdicts.map((v) => v.verdict)).toContain('x\ufffd');
    expect(await unstored(a)).toBe(0);
  }, 60_000);
});
