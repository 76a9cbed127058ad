/**
 * The PostgreSQL job queue (pg-boss, ./item-queue.ts) with two JobServices ("servers") on one database:
 * every item recorded once and the job completed once; a server stopped abruptly midway (no drain) has
 * its items finished by the other after pg-boss's expiry; transient failures retried by pg-boss with
 * backoff; a completion webhook delivered once when both servers start together.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lineGraph, noServices } from '../engine/testing.js';
import { ScriptedModel } from '../model/scripted.js';
import { ModelError } from '../model/types.js';
import type { HttpRequester } from '../nodes/kit.js';
import { publishDraft } from '../publish/publish.js';
import { PublishedScenarios } from '../publish/registry.js';
import type { JobRow } from '../storage/jobs.js';
import { openPostgresStore } from '../storage/pg/store.js';
import { postgresTestsRun, startTestPostgres, type TestPostgres } from '../storage/pg/testing.js';
import { createScenario } from '../storage/scenarios.js';
import type { OpenDataStore } from '../storage/store.js';
import { JobService } from './service.js';

let server: TestPostgres | undefined;
const open: Array<{ close(): Promise<void> }> = [];
beforeAll(async () => {
  if (postgresTestsRun()) server = await startTestPostgres({ database: 'mofang_queue_test' });
}, 60_000);
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});
afterAll(async () => {
  await server?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const graph = lineGraph([{ id: 'n', kind: 'llm', config: { user: '{{ start.transcript.text }}', retries: 0 } }], [{ name: 'r', value: '{{ n.text }}' }]);

/** One PostgreSQL database with a published scenario `q`: two stores over it (two servers). */
async function database(): Promise<[OpenDataStore, OpenDataStore]> {
  if (!server) throw new Error('no PostgreSQL');
  const url = await server.createDatabase(`queue_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`);
  const a = await openPostgresStore(url);
  const b = await openPostgresStore(url);
  open.push(a, b);
  const scenarioId = (await createScenario(a, { name: 'q', graph })).id;
  await publishDraft(a, noServices, scenarioId, { slug: 'qq' });
  return [a, b];
}

/** A server: a JobService over `store` whose model answers with `answer`, short queue timings. */
function service(store: OpenDataStore, model: ScriptedModel, http: HttpRequester = noServices.http, runner: { leaseMs?: number; deadlineMs?: number } = {}): JobService {
  const jobs = new JobService(store, new PublishedScenarios(store, noServices), model.resolver(), { ...noServices, http }, {
    runner: { flushMs: 5, pollMs: 50, targetInFlight: () => 40, ...runner },
    queue: { retryDelaySeconds: 1, maintenanceIntervalSeconds: 1, webhookPollSeconds: 0.5 },
    webhook: { minTimeoutMs: 1000, retries: 3 },
  });
  let stopped = false;
  open.push({ close: async () => (stopped ? undefined : ((stopped = true), jobs.stop())) });
  return jobs;
}

/** Submits `n` items (`t1`…) through `jobs`, as the API does. */
async function submit(jobs: JobService, n: number, webhook?: string): Promise<JobRow> {
  const body = Array.from({ length: n }, (_, i) => JSON.stringify({ id: `c${i + 1}`, inputs: { transcript: `客户：t${i + 1}` } })).join('\n');
  const target = await jobs.published.resolve('qq');
  if (!target || 'error' in target) throw new Error('scenario qq is not published');
  const { job } = await jobs.submit((await import('node:stream')).Readable.from([Buffer.from(body)]), { contentType: 'application/x-ndjson', contentEncoding: undefined, idempotencyKey: null, webhookUrl: webhook }, target, 'o');
  return job;
}

async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error('timed out');
}

/** Item rows of a job: status, attempts, run id. */
async function items(store: OpenDataStore, jobId: string) {
  const { db, t } = store;
  const { eq } = await import('drizzle-orm');
  return db.select({ seq: t.jobItems.seq, status: t.jobItems.status, attempts: t.jobItems.attempts, runId: t.jobItems.runId, outputs: t.jobItems.outputs }).from(t.jobItems).where(eq(t.jobItems.jobId, jobId));
}

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
    const { eq } = await import('drizzle-orm');
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
