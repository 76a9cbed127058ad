/**
 * Alert webhook deliveries through pg-boss (./alert-queue.ts) with two servers' alerting over ONE
 * PostgreSQL database and a scripted receiver: deliveries raised on both, each failing once, sent exactly
 * twice and recorded delivered at 2 attempts, the retry waiting pg-boss's backoff cut to `maxTimeoutMs`
 * and the row's `next_attempt_at` the time it came; a server stopped midway has the attempts it was
 * making handed back and made by the other; a delivery left pending with no job (made before the queue)
 * queued at start, at its next attempt time, and one whose job ended queued again; a delivery failing
 * every attempt given up at the last.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SessionAlert } from '@shared/alerts.js';
import { SecretBox } from '../endpoints/secret-box.js';
import { noServices } from '../engine/testing.js';
import { PgQueue } from '../storage/pg-queue.js';
import type { HttpRequester } from '../nodes/kit.js';
import { PublishedScenarios } from '../publish/registry.js';
import { getAlertDelivery, insertAlertDelivery, recentAlertDeliveries } from '../storage/alert-settings.js';
import { rawRows } from '../storage/dialect-sql.js';
import { openPostgresStore } from '../storage/pg/store.js';
import { postgresTestsRun, startTestPostgres, type TestPostgres } from '../storage/pg/testing.js';
import { createScenario } from '../storage/scenarios.js';
import type { DataStore, OpenDataStore } from '../storage/store.js';
import type { AlertWebhookOptions } from './alert-attempt.js';
import { AlertSettingsService } from './alert-settings.js';
import { ALERTS_QUEUE, alertJobId } from './alert-queue.js';
import { createSessionAlerting } from './alert-webhook.js';
import type { SessionView } from './ports.js';

const HOOK = 'https://crm.example/hook';
let pg: TestPostgres | undefined;
const open: Array<{ close(): Promise<void> }> = [];
beforeAll(async () => {
  if (postgresTestsRun()) pg = await startTestPostgres({ database: 'mofang_alert_queue_test' });
}, 60_000);
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});
afterAll(async () => {
  await pg?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const box = new SecretBox(randomBytes(32));

/** Two stores over one new database (two servers) with a scenario whose webhook is {@link HOOK}. */
async function database(): Promise<{ a: OpenDataStore; b: OpenDataStore; scenarioId: string }> {
  if (!pg) throw new Error('no PostgreSQL');
  const url = await pg.createDatabase(`alertq_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`);
  const a = await openPostgresStore(url);
  const b = await openPostgresStore(url);
  open.push(a, b);
  const { id } = await createScenario(a, { name: 'desk', graph: { schema: 'mofang.graph/v1', name: 'desk', nodes: [], edges: [] } });
  await new AlertSettingsService(a, box, new PublishedScenarios(a, noServices)).put(id, { rules: [{ name: '投诉', kind: 'keyword', words: ['投诉'] }], webhook_url: HOOK }, 'test');
  return { a, b, scenarioId: id };
}

/** A server's alerting over `store` with its own pg-boss over the database; stopped after the test unless the test stops it. */
function server(store: DataStore, http: HttpRequester, options: AlertWebhookOptions = {}) {
  const queue = new PgQueue(store);
  const alerting = createSessionAlerting({ store, http, box, published: new PublishedScenarios(store, noServices), queue, options: { pollMs: 100, ...options } });
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= (async () => (await alerting.stopWorker(), await alerting.close(), await queue.stop()))());
  open.push({ close: stop });
  return Object.assign(alerting, { stop });
}

interface Sent {
  id: string;
  server: string;
  at: number;
  /** The reply, or `aborted`. */
  status: number | 'aborted';
}

/** The receiver both servers POST to; `answer` gives each request's status from what was sent before. */
function receiver(answer: (id: string, before: Sent[]) => number, delayMs = 2) {
  const sent: Sent[] = [];
  const as = (server: string): HttpRequester => ({
    async request(req) {
      const id = req.headers['webhook-id'] ?? '';
      const status = answer(id, sent.filter((s) => s.id === id && s.status !== 'aborted'));
      const entry: Sent = { id, server, at: Date.now(), status };
      try {
        await new Promise<void>((resolve, reject) => {
          const onAbort = () => (clearTimeout(timer), reject(new Error('aborted')));
          const timer = setTimeout(() => (req.signal?.removeEventListener('abort', onAbort), resolve()), delayMs);
          req.signal?.addEventListener('abort', onAbort, { once: true });
        });
      } catch (error) {
        sent.push({ ...entry, status: 'aborted' });
        throw error;
      }
      sent.push(entry);
      return { status, headers: {}, body: '' };
    },
  });
  return { sent, as };
}

async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error('timed out');
}

const view = (id: string, scenarioId: string) => ({ id, scenarioId, slug: 'desk', version: 1, callId: `call-${id}` }) as unknown as SessionView;
const alert = (id: string): SessionAlert => ({ id, rule_id: 'r1', name: '投诉', severity: 'warning', kind: 'keyword', output: null, value: '投诉', turn_id: 't1', at: new Date().toISOString() });
const rows = (store: DataStore, scenarioId: string) => recentAlertDeliveries(store, scenarioId, 1000);

describe.skipIf(!postgresTestsRun())('alert webhook deliveries through pg-boss, two servers on one database', () => {
  it('deliveries raised on both, each failing once: 2 requests each, delivered at 2 attempts, the retry at most maxTimeoutMs later', async () => {
    const { a, b, scenarioId } = await database();
    const hook = receiver((_id, before) => (before.length === 0 ? 500 : 200));
    // pg-boss would wait 1–2 s before the retry (retryDelay 1 s); maxTimeoutMs cuts it to 300 ms.
    const options = { minTimeoutMs: 1000, maxTimeoutMs: 300 };
    const one = server(a, hook.as('a'), options);
    const two = server(b, hook.as('b'), options);
    await Promise.all([one.ready, two.ready]);
    const n = 30;
    for (let i = 0; i < n; i++) (i % 2 === 0 ? one : two).deliver(view(`s${i}`, scenarioId), alert(`a${i}`), {});
    await until(async () => (await rows(a, scenarioId)).filter((r) => r.status === 'delivered').length === n, 20_000);
    await sleep(500);
    const done = await rows(a, scenarioId);
    expect(done).toHaveLength(n);
    expect(done.every((r) => r.status === 'delivered' && r.attempts === 2 && r.lastStatus === 200 && r.nextAttemptAt === null)).toBe(true);
    expect(hook.sent).toHaveLength(2 * n);
    for (const r of done) {
      const [first, second] = hook.sent.filter((s) => s.id === r.id);
      expect([first?.status, second?.status]).toEqual([500, 200]);
      const gap = (second?.at ?? 0) - (first?.at ?? 0);
      expect(gap).toBeGreaterThanOrEqual(250);
      expect(gap).toBeLessThan(1000);
    }
    // Both servers' workers took deliveries.
    expect(new Set(hook.sent.map((s) => s.server))).toEqual(new Set(['a', 'b']));
  }, 40_000);

  it('records next_attempt_at as the time pg-boss takes the retry up, and gives up at the last attempt', async () => {
    const { a, b, scenarioId } = await database();
    const hook = receiver(() => 503);
    const one = server(a, hook.as('a'), { attempts: 3, minTimeoutMs: 1000, maxTimeoutMs: 60_000 });
    await one.ready;
    one.deliver(view('s1', scenarioId), alert('a1'), {});
    await until(async () => (await rows(b, scenarioId))[0]?.attempts === 1, 10_000);
    const [pending] = await rows(b, scenarioId);
    const [job] = await rawRows(b, sql`select start_after, retry_count, state from pgboss.job where name = 'mofang-alert-webhooks'`);
    expect(job?.state).toBe('retry');
    expect(pending).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 503, lastError: 'HTTP 503' });
    expect(pending?.nextAttemptAt).toBe(new Date(job?.start_after as string).getTime());
    // pg-boss's first wait: retryDelay (1 s) × (1 + jitter).
    const firstAt = hook.sent[0]?.at ?? 0;
    expect(pending?.nextAttemptAt).toBeGreaterThanOrEqual(firstAt + 900);
    expect(pending?.nextAttemptAt).toBeLessThanOrEqual(firstAt + 2500);
    await until(async () => (await rows(b, scenarioId))[0]?.status === 'failed', 20_000);
    await sleep(300);
    expect((await rows(b, scenarioId))[0]).toMatchObject({ status: 'failed', attempts: 3, lastStatus: 503, nextAttemptAt: null });
    expect(hook.sent.map((s) => s.status)).toEqual([503, 503, 503]);
    const [ended] = await rawRows(b, sql`select state from pgboss.job where name = 'mofang-alert-webhooks'`);
    expect(ended?.state).toBe('completed');
  }, 40_000);

  it('a server stopped midway: the attempts it was making go back to pg-boss and the other server makes them', async () => {
    const { a, b, scenarioId } = await database();
    // Every request takes 600 ms: the first server is stopped with requests in flight.
    const hook = receiver(() => 200, 600);
    const one = server(a, hook.as('a'));
    await one.ready;
    const n = 20;
    for (let i = 0; i < n; i++) one.deliver(view(`s${i}`, scenarioId), alert(`a${i}`), {});
    await until(async () => (await rawRows(a, sql`select count(*)::int as n from pgboss.job where state = 'active'`))[0]?.n === 10, 10_000);
    await sleep(100);
    await one.stop();
    const aborted = hook.sent.filter((s) => s.status === 'aborted').map((s) => s.id);
    expect(aborted.length).toBeGreaterThan(0);
    // Nothing recorded for an attempt not made.
    for (const id of aborted) expect((await getAlertDelivery(b, id))?.attempts).toBe(0);
    const two = server(b, hook.as('b'));
    await two.ready;
    await until(async () => (await rows(b, scenarioId)).every((r) => r.status === 'delivered'), 20_000);
    await sleep(300);
    const done = await rows(b, scenarioId);
    expect(done).toHaveLength(n);
    expect(done.every((r) => r.status === 'delivered' && r.attempts === 1)).toBe(true);
    // One made request per delivery, the ones the stopped server was making made by the other.
    const made = hook.sent.filter((s) => s.status === 200);
    expect(made.map((s) => s.id).sort()).toEqual(done.map((r) => r.id).sort());
    for (const id of aborted) expect(made.find((s) => s.id === id)?.server).toBe('b');
  }, 40_000);

  it('queues at start, once with two servers starting, a delivery left pending with no job or an ended one, at its next attempt time', async () => {
    const { a, b, scenarioId } = await database();
    const at = Date.now();
    // Made before the queue (or copied in by migrate-store): one attempt failed, the next due in 1.5 s.
    await insertAlertDelivery(a, { id: 'old', scenarioId, sessionId: 's', alertId: 'x', url: HOOK, payload: { old: true }, nextAttemptAt: at, createdAt: at });
    await a.db.update(a.t.alertDeliveries).set({ attempts: 1, lastStatus: 500, lastError: 'HTTP 500', nextAttemptAt: at + 1500 });
    // Pending, but its job ended (its server stopped during the job's last try).
    const queue = new PgQueue(a);
    await queue.start();
    await queue.createQueue(ALERTS_QUEUE);
    await insertAlertDelivery(a, { id: 'ended', scenarioId, sessionId: 's', alertId: 'y', url: HOOK, payload: {}, nextAttemptAt: at, createdAt: at + 1 });
    await queue.boss.send(ALERTS_QUEUE, { id: 'ended', attempts: 8 }, { id: alertJobId('ended') });
    await rawRows(a, sql`update pgboss.job set state = 'failed', completed_on = now() where name = ${ALERTS_QUEUE}`);
    await queue.stop();
    const hook = receiver(() => 200);
    const [one, two] = [server(a, hook.as('a')), server(b, hook.as('b'))];
    expect(await Promise.all([one.ready, two.ready])).toEqual([2, 2]);
    // One job each (the ended one replaced), the old delivery's at its next attempt time.
    const jobs = await rawRows(a, sql`select id, state, start_after from pgboss.job where name = ${ALERTS_QUEUE} order by start_after`);
    expect(jobs.map((j) => j.id)).toEqual([alertJobId('ended'), alertJobId('old')]);
    expect(jobs[0]?.state).not.toBe('failed');
    expect(new Date(jobs[1]?.start_after as string).getTime()).toBe(at + 1500);
    await until(async () => (await getAlertDelivery(a, 'old'))?.status === 'delivered', 10_000);
    await sleep(300);
    expect(await getAlertDelivery(a, 'old')).toMatchObject({ status: 'delivered', attempts: 2, lastStatus: 200 });
    expect(await getAlertDelivery(a, 'ended')).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 200 });
    expect(hook.sent.map((s) => s.id).sort()).toEqual(['ended', 'old']);
    expect(hook.sent.find((s) => s.id === 'old')?.at).toBeGreaterThanOrEqual(at + 1500);
  }, 40_000);

  it('queues every pending delivery at start, past the first page (1,200 left pending with no job)', async () => {
    const { a, scenarioId } = await database();
    const at = Date.now() + 3_600_000;
    await a.db.insert(a.t.alertDeliveries).values(Array.from({ length: 1200 }, (_, i) => ({ id: `bulk-${i}`, scenarioId, sessionId: 's', alertId: `a${i}`, url: HOOK, payload: {}, status: 'pending' as const, attempts: 0, nextAttemptAt: at, createdAt: Date.now() - 1000 + (i % 7) })));
    const one = server(a, receiver(() => 200).as('a'));
    expect(await one.ready).toBe(1200);
    const [row] = await rawRows(a, sql`select count(*)::int as n from pgboss.job where name = ${ALERTS_QUEUE} and state = 'created'`);
    expect(row?.n).toBe(1200);
  }, 40_000);
});
