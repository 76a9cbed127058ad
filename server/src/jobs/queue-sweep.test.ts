/**
 * The PostgreSQL queue's sweep (JobQueue.sweep, run by each runner at start and with every recovery
 * pass): items no live pg-boss slice covers are enqueued again, once, with two servers on one database.
 * A slice whose retries ran out (pg-boss's `failed`) leaves pending items: they still end and the job
 * completes. Pending items with no queue row at all (a job copied in by `migrate-store`) run once after
 * two servers start together; a running item of a gone server is taken over, or failed `interrupted`
 * when it has used every attempt.
 */
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { noServices } from '../engine/testing.js';
import { ScriptedModel } from '../model/scripted.js';
import { PublishedScenarios } from '../publish/registry.js';
import { ModelError } from '../model/types.js';
import { rawRows } from '../storage/dialect-sql.js';
import { JobStore } from '../storage/jobs.js';
import { postgresTestsRun } from '../storage/pg/testing.js';
import type { OpenDataStore } from '../storage/store.js';
import { ITEMS_QUEUE } from './item-queue.js';
import { items, queueTestKit, sleep, submit, until } from './queue-testing.js';

const { database, service } = queueTestKit('mofang_queue_sweep_test');

/** The slices of the items queue by pg-boss state. */
async function sliceStates(store: OpenDataStore): Promise<Record<string, number>> {
  const rows = await rawRows(store, sql`select state::text as "state", count(*)::int as "n" from pgboss.job where name = ${ITEMS_QUEUE} group by state`);
  return Object.fromEntries(rows.map((r) => [String(r.state), Number(r.n)]));
}

/** A model whose calls are counted by transcript; `failFirst(n)` says which items fail their first call (a 503: worth another attempt). */
function counted(calls: Map<string, number>, failFirst: (n: number) => boolean = () => false): ScriptedModel {
  return new ScriptedModel((r) => {
    const text = String(r.messages.at(-1)?.content);
    const seen = calls.get(text) ?? 0;
    calls.set(text, seen + 1);
    return failFirst(Number(/t(\d+)$/.exec(text)?.[1])) && seen === 0 ? { error: new ModelError('server_error', 'upstream 503', { status: 503 }) } : `ok:${text}`;
  });
}

describe.skipIf(!postgresTestsRun())('the PostgreSQL queue sweep, two servers on one database', () => {
  it('a slice out of retries (pg-boss failed) with items back to pending: the items still end, once, and the job completes', async () => {
    const [sa, sb] = await database();
    const calls = new Map<string, number>();
    const fifth = (n: number) => n % 5 === 0;
    // No retries at all: the first slice that sends an item back to pending ends `failed` in pg-boss.
    const timings = { leaseMs: 4000 };
    const a = service(sa, counted(calls, fifth), undefined, timings, { retryLimit: 0 });
    const b = service(sb, counted(calls, fifth), undefined, timings, { retryLimit: 0 });
    const ended: string[] = [];
    a.onJobEnded((j) => ended.push(j.id));
    b.onJobEnded((j) => ended.push(j.id));
    await Promise.all([a.start(), b.start()]);
    const job = await submit(a, 60);
    await until(async () => (await a.store.getJob(job.id))?.status === 'completed', 60_000);
    // The hole was there: pg-boss gave up on slices (no retry left) while their items were pending.
    expect((await sliceStates(sa)).failed).toBeGreaterThan(0);
    const rows = await items(sa, job.id);
    expect(rows.every((r) => r.status === 'succeeded')).toBe(true);
    expect(rows.filter((r) => r.attempts === 2).map((r) => r.seq).sort((x, y) => x - y)).toEqual([5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60]);
    expect(rows.filter((r) => r.attempts !== 1 && r.attempts !== 2)).toEqual([]);
    expect(new Set(rows.map((r) => r.runId)).size).toBe(60);
    // Each item's calls: one, or two for those that failed their first.
    for (const [text, n] of calls) expect(n, text).toBe(fifth(Number(/t(\d+)$/.exec(text)?.[1])) ? 2 : 1);
    expect(calls.size).toBe(60);
    await sleep(300);
    expect(ended).toEqual([job.id]);
  }, 90_000);

  it('items with no queue row (a job copied in) run once after two servers start together; a gone server\'s running items are taken over, or failed once out of attempts', async () => {
    const [sa, sb] = await database();
    // A running job written straight into the tables, as `migrate-store` copies one: nothing in pg-boss.
    const target = await new PublishedScenarios(sa, noServices).resolve('qq');
    if (!target || 'error' in target) throw new Error('scenario qq is not published');
    const jobs = new JobStore(sa);
    const jobId = 'copied-job';
    const long = Date.now() - 3_600_000;
    await jobs.beginJob({ id: jobId, scenarioId: target.scenarioId, slug: 'qq', version: target.version, owner: 'o', webhookUrl: null, createdAt: long });
    await jobs.addItems(jobId, Array.from({ length: 50 }, (_, i) => ({ seq: i + 1, itemId: `c${i + 1}`, inputs: JSON.stringify({ transcript: `客户：t${i + 1}` }) })));
    await jobs.finalize(jobId, 'o', 50, 'h', null);
    const { db, t } = sa;
    await db.update(t.jobs).set({ status: 'running', startedAt: long }).where(eq(t.jobs.id, jobId));
    // Item 7 was running on a server that is gone (attempt 1); item 8 too, at its last attempt (3 of 3).
    await db.update(t.jobItems).set({ status: 'running', attempts: 1, startedAt: long }).where(and(eq(t.jobItems.jobId, jobId), eq(t.jobItems.seq, 7)));
    await db.update(t.jobItems).set({ status: 'running', attempts: 3, startedAt: long }).where(and(eq(t.jobItems.jobId, jobId), eq(t.jobItems.seq, 8)));
    const calls = new Map<string, number>();
    const a = service(sa, counted(calls));
    const b = service(sb, counted(calls));
    const ended: string[] = [];
    a.onJobEnded((j) => ended.push(j.id));
    b.onJobEnded((j) => ended.push(j.id));
    await Promise.all([a.start(), b.start()]);
    await until(async () => (await a.store.getJob(jobId))?.status === 'completed', 60_000);
    const rows = (await items(sa, jobId)).sort((x, y) => x.seq - y.seq);
    expect(rows.filter((r) => r.status === 'succeeded')).toHaveLength(49);
    expect(rows.filter((r) => r.seq !== 7 && r.seq !== 8).every((r) => r.attempts === 1)).toBe(true);
    expect(rows[6]).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(rows[7]).toMatchObject({ status: 'failed', attempts: 3 });
    const [failed] = await db.select({ error: t.jobItems.error }).from(t.jobItems).where(and(eq(t.jobItems.jobId, jobId), eq(t.jobItems.seq, 8)));
    expect(JSON.parse(failed?.error ?? '{}')).toMatchObject({ code: 'interrupted' });
    // Run once each, on either server: the two sweeps at start enqueued the items once.
    expect(calls.size).toBe(49);
    expect([...calls.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(rows.map((r) => r.runId).filter((r) => r !== null)).size).toBe(49);
    expect(Object.values(await sliceStates(sa)).reduce((n, k) => n + k, 0)).toBe(Math.ceil(50 / 20));
    await sleep(300);
    expect(ended).toEqual([jobId]);
  }, 90_000);
});
