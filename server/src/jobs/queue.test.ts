/**
 * The PostgreSQL job queue (pg-boss, ./item-queue.ts) with two JobServices ("servers") on one database:
 * every item recorded once and the job completed once; a server stopped abruptly midway (no drain) has
 * its items finished by the other after pg-boss's expiry; transient failures retried by pg-boss with
 * backoff; a completion webhook delivered once when both servers start together.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ScriptedModel } from '../model/scripted.js';
import { ModelError } from '../model/types.js';
import type { HttpRequester } from '../nodes/kit.js';
import { postgresTestsRun } from '../storage/pg/testing.js';
import { items, queueTestKit, sleep, submit, until } from './queue-testing.js';

const { database, service } = queueTestKit('mofang_queue_test');

describe.skipIf(!postgresTestsRun())('the PostgreSQL job queue (pg-boss), two servers on one database', () => {
  it('runs a 500-item job on both: every item recorded once, the job completed once', async () => {
    const [sa, sb] = await database();
    const slow = () => new ScriptedModel(async (r) => (await sleep(5), `ok:${r.messages.at(-1)?.content}`));
    const [ma, mb] = [slow(), slow()];
    const a = service(sa, ma);
    const b = service(sb, mb);
    const ended: string[] = [];
    a.onJobEnded((j) => ended.push(`a:${j.id}`));
    b.onJobEnded((j) => ended.push(`b:${j.id}`));
    await Promise.all([a.start(), b.start()]);
    const started = Date.now();
    const job = await submit(a, 500);
    await until(async () => (await a.store.getJob(job.id))?.status === 'completed', 60_000);
    const seconds = (Date.now() - started) / 1000;
    const rows = await items(sa, job.id);
    expect(rows).toHaveLength(500);
    expect(rows.every((r) => r.status === 'succeeded' && r.attempts === 1)).toBe(true);
    expect(new Set(rows.map((r) => r.runId)).size).toBe(500);
    // Each item ran once in all: the two models' calls add up to the items.
    expect(ma.requests.length + mb.requests.length).toBe(500);
    expect(ma.requests.length).toBeGreaterThan(0);
    expect(mb.requests.length).toBeGreaterThan(0);
    await sleep(300);
    expect(ended).toHaveLength(1);
    console.log(`[queue test] 500 items on two servers: ${seconds.toFixed(1)} s, ${Math.round(500 / seconds)} items/s (a: ${ma.requests.length}, b: ${mb.requests.length})`);
  }, 90_000);

  it('items a live server holds longer than the lease (a slow model) are never taken over: their claims are renewed', async () => {
    const [sa, sb] = await database();
    const slow = () => new ScriptedModel(async (r) => (await sleep(6000), `ok:${r.messages.at(-1)?.content}`));
    const [ma, mb] = [slow(), slow()];
    // Each item takes 3 leases; pg-boss expires its slice after one lease and the other server fetches it.
    const timings = { leaseMs: 2000, deadlineMs: 10_000 };
    const a = service(sa, ma, undefined, timings);
    const b = service(sb, mb, undefined, timings);
    await Promise.all([a.start(), b.start()]);
    const job = await submit(a, 60);
    await until(async () => (await a.store.getJob(job.id))?.status === 'completed', 60_000);
    const rows = await items(sa, job.id);
    expect(rows.every((r) => r.status === 'succeeded')).toBe(true);
    expect(rows.filter((r) => r.attempts !== 1).map((r) => r.seq)).toEqual([]);
    expect(ma.requests.length + mb.requests.length).toBe(60);
  }, 90_000);

  it('a server stopped abruptly midway: the other finishes every item after pg-boss expires its slices', async () => {
    const [sa, sb] = await database();
    const slow = () => new ScriptedModel(async (r) => (await sleep(40), `ok:${r.messages.at(-1)?.content}`));
    const [ma, mb] = [slow(), slow()];
    const timings = { leaseMs: 2000, deadlineMs: 1000 };
    const a = service(sa, ma, undefined, timings);
    const b = service(sb, mb, undefined, timings);
    const ended: string[] = [];
    a.onJobEnded((j) => ended.push(j.id));
    b.onJobEnded((j) => ended.push(j.id));
    await Promise.all([a.start(), b.start()]);
    const job = await submit(a, 500);
    await until(async () => (await a.store.counts(job.id)).succeeded >= 120, 60_000);
    // No drain: a's items in flight are aborted and left running, its slices stay active in pg-boss.
    await a.stop();
    const leftRunning = (await items(sa, job.id)).filter((r) => r.status === 'running').length;
    await until(async () => (await b.store.getJob(job.id))?.status === 'completed', 90_000);
    const rows = await items(sb, job.id);
    expect(rows.every((r) => r.status === 'succeeded')).toBe(true);
    expect(new Set(rows.map((r) => r.runId)).size).toBe(500);
    // Items a left running were taken over by b at their next attempt.
    // (leftRunning counts b's items in flight at that moment too.)
    expect(rows.filter((r) => r.attempts === 2).length).toBeGreaterThan(0);
    expect(leftRunning).toBeGreaterThan(0);
    await sleep(300);
    expect(ended).toEqual([job.id]);
  }, 120_000);

  it('retries a transient failure through pg-boss, after a backoff', async () => {
    const [sa, sb] = await database();
    const calls = new Map<string, number[]>();
    const flaky = () => new ScriptedModel((r) => {
      const text = String(r.messages.at(-1)?.content);
      const seen = calls.get(text) ?? [];
      calls.set(text, [...seen, Date.now()]);
      // Every fifth item fails its first call (a model error: worth another attempt).
      return Number(/t(\d+)$/.exec(text)?.[1]) % 5 === 0 && seen.length === 0 ? { error: new ModelError('server_error', 'upstream 503', { status: 503 }) } : `ok:${text}`;
    });
    const a = service(sa, flaky());
    const b = service(sb, flaky());
    await Promise.all([a.start(), b.start()]);
    const job = await submit(a, 40);
    await until(async () => (await a.store.getJob(job.id))?.status === 'completed', 60_000);
    const rows = await items(sa, job.id);
    expect(rows.every((r) => r.status === 'succeeded')).toBe(true);
    expect(rows.filter((r) => r.attempts === 2).map((r) => r.seq).length).toBe(8);
    for (const [text, at] of calls) {
      if (Number(/t(\d+)$/.exec(text)?.[1]) % 5 !== 0) continue;
      expect(at).toHaveLength(2);
      // pg-boss's first retry waits retryDelay × (1 + jitter): at least a second.
      expect(at[1] - at[0]).toBeGreaterThanOrEqual(900);
    }
  }, 90_000);

  it('delivers a completion webhook once when two servers start together', async () => {
    const [sa, sb] = await database();
    const posts: string[] = [];
    const http: HttpRequester = { request: async (r) => (posts.push(r.url), { status: 200, headers: {}, body: '' }) };
    const model = new ScriptedModel(() => 'ok');
    const first = service(sa, model, http);
    await first.start();
    const job = await submit(first, 3, 'http://hooks.example/done');
    await until(async () => (await first.store.getJob(job.id))?.status === 'completed', 30_000);
    await until(async () => posts.length === 1, 30_000);
    // The job ended once more, and its webhook is not delivered yet: two servers start together.
    await first.stop();
    const { db, t } = sa;
    await db.update(t.jobs).set({ webhookDeliveredAt: null, finishedAt: Date.now() }).where(eq(t.jobs.id, job.id));
    posts.length = 0;
    const a = service(sa, model, http);
    const b = service(sb, model, http);
    await Promise.all([a.start(), b.start()]);
    await until(async () => posts.length >= 1, 30_000);
    await sleep(2500);
    expect(posts).toEqual(['http://hooks.example/done']);
    expect((await a.store.getJob(job.id))?.webhookDeliveredAt).not.toBeNull();
  }, 90_000);
});
