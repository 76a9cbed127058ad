/**
 * Alerting over the DataStore, on both stores: rules read once and answered from cache, a change made
 * through the service seen at once, a delivery signed with the secret the change showed and retried; and
 * two services over one database (two servers) starting together over deliveries an earlier server left
 * pending (on PostgreSQL: rows with no pg-boss job, as made before the queue or copied in by
 * `migrate-store`): every delivery queued once and every attempt sent by one of them only. The queue's
 * own cases (two workers, a server stopped midway, the longest wait): ./alert-queue.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { SessionAlert } from '@shared/alerts.js';
import { SecretBox } from '../endpoints/secret-box.js';
import { noServices } from '../engine/testing.js';
import type { HttpRequester } from '../nodes/kit.js';
import { PublishedScenarios } from '../publish/registry.js';
import { PgQueue } from '../storage/pg-queue.js';
import { rawRows } from '../storage/dialect-sql.js';
import { getAlertDelivery, insertAlertDelivery } from '../storage/alert-settings.js';
import { sql } from 'drizzle-orm';
import { createScenario } from '../storage/scenarios.js';
import type { DataStore } from '../storage/store.js';
import { storePairsUnderTest, storesUnderTest } from '../storage/testing-stores.js';
import type { AlertWebhookOptions } from './alert-attempt.js';
import { AlertSettingsService } from './alert-settings.js';
import { createSessionAlerting } from './alert-webhook.js';
import type { SessionView } from './ports.js';

const HOOK = 'https://crm.example/hook';

/** A requester that records every request and answers 500 to the first attempt of each delivery, 200 after. */
function receiver(): HttpRequester & { sent: Array<{ id: string; body: string; headers: Record<string, string> }> } {
  const sent: Array<{ id: string; body: string; headers: Record<string, string> }> = [];
  return {
    sent,
    async request(req) {
      const id = req.headers['webhook-id'] ?? '';
      const first = !sent.some((s) => s.id === id);
      sent.push({ id, body: req.body ?? '', headers: req.headers });
      await new Promise((r) => setTimeout(r, 2));
      return { status: first ? 500 : 200, headers: {}, body: '' };
    },
  };
}

async function scenarioWithWebhook(store: DataStore, box: SecretBox): Promise<{ scenarioId: string; secret: string }> {
  const { id } = await createScenario(store, { name: 'desk', graph: { schema: 'mofang.graph/v1', name: 'desk', nodes: [], edges: [] } });
  const settings = new AlertSettingsService(store, box, new PublishedScenarios(store, noServices));
  const done = await settings.put(id, { rules: [{ name: '投诉', kind: 'keyword', words: ['投诉'] }], webhook_url: HOOK }, 'test');
  return { scenarioId: id, secret: done.after.webhook_secret ?? '' };
}

/** A server's alerting over `store` (on PostgreSQL with its own pg-boss queue over the database); `stop` closes both. */
function server(store: DataStore, http: HttpRequester, box: SecretBox, options: AlertWebhookOptions = {}) {
  const queue = store.dialect === 'postgres' ? new PgQueue(store) : undefined;
  const alerting = createSessionAlerting({ store, http, box, published: new PublishedScenarios(store, noServices), queue, options });
  return Object.assign(alerting, { stop: async () => (await alerting.close(), await queue?.stop()) });
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const view = (id: string, scenarioId: string) => ({ id, scenarioId, slug: 'desk', version: 1, callId: `call-${id}` }) as unknown as SessionView;
const alert = (id: string): SessionAlert => ({ id, rule_id: 'r1', name: '投诉', severity: 'warning', kind: 'keyword', output: null, value: '投诉', turn_id: 't1', at: new Date().toISOString() });

describe.each(storesUnderTest('alert_delivery'))('alerting on %s', (_name, open, skip) => {
  it.skipIf(skip)('checks cached rules, sees its own change at once, and delivers signed with the shown secret after a retry', async () => {
    const store = await open();
    const box = new SecretBox(randomBytes(32));
    const { scenarioId, secret } = await scenarioWithWebhook(store, box);
    const http = receiver();
    const alerting = server(store, http, box, { minTimeoutMs: 10 });
    expect(await alerting.ready).toBe(0);
    const input = { scenarioId, outputs: {}, newTurns: [{ id: 't1', role: 'customer', text: '我要投诉', seq: 1 }], raised: new Set<string>(), lastTurnId: 't1', now: Date.now() };
    expect((await alerting.check(input)).map((a) => a.rule_id)).toEqual(['r1']);
    // Cached: answered at once, not a promise.
    expect(alerting.check(input)).not.toBeInstanceOf(Promise);
    await alerting.settings.put(scenarioId, { rules: [{ id: 'r1', name: '投诉', kind: 'keyword', words: ['投诉'] }, { name: '退费', kind: 'keyword', words: ['退费'] }], webhook_url: HOOK, risk_output: null }, 'test');
    expect((await alerting.check({ ...input, newTurns: [{ id: 't2', role: 'customer', text: '投诉,退费', seq: 2 }] })).map((a) => a.rule_id)).toEqual(['r1', 'r2']);

    alerting.deliver(view('s1', scenarioId), alert('a1'), { level: 'high' });
    await until(async () => http.sent.length, (n) => n >= 2);
    const [id] = new Set(http.sent.map((s) => s.id));
    const row = await until(() => getAlertDelivery(store, id ?? ''), (r) => r?.status === 'delivered');
    await alerting.stop();
    expect(row).toMatchObject({ status: 'delivered', attempts: 2, lastStatus: 200, nextAttemptAt: null });
    expect(http.sent).toHaveLength(2);
    const last = http.sent[1];
    expect(new Webhook(secret).verify(last?.body ?? '', last?.headers ?? {})).toMatchObject({ session_id: 's1', alert: { id: 'a1' }, outputs: { level: 'high' } });
  });
});

describe.each(storePairsUnderTest('alert_servers'))('two servers alerting over one database on %s', (name, open, skip) => {
  it.skipIf(skip)('resume the deliveries an earlier server left pending together, each attempt sent by one of them', async () => {
    const { a, b } = await open();
    const box = new SecretBox(randomBytes(32));
    const { scenarioId } = await scenarioWithWebhook(a, box);
    const ids = Array.from({ length: 40 }, (_, i) => `d${String(i).padStart(2, '0')}`);
    const at = Date.now();
    for (const id of ids) await insertAlertDelivery(a, { id, scenarioId, sessionId: `s-${id}`, alertId: `a-${id}`, url: HOOK, payload: { id }, nextAttemptAt: at, createdAt: at });
    const http = receiver();
    const [one, two] = [server(a, http, box, { minTimeoutMs: 30, pollMs: 50 }), server(b, http, box, { minTimeoutMs: 30, pollMs: 50 })];
    expect(await Promise.all([one.ready, two.ready])).toEqual([40, 40]);
    const rows = await until(() => Promise.all(ids.map((id) => getAlertDelivery(a, id))), (r) => r.every((x) => x?.status === 'delivered'));
    await Promise.all([one.stop(), two.stop()]);
    if (name === 'PostgreSQL') {
      // Both servers queued every pending delivery: one pg-boss job each.
      const [jobs] = await rawRows(a, sql`select count(*)::int as n from pgboss.job where name = 'mofang-alert-webhooks'`);
      expect(jobs?.n).toBe(40);
    }
    expect(rows.map((r) => [r?.status, r?.attempts])).toEqual(ids.map(() => ['delivered', 2]));
    // Each delivery: one failed attempt and one delivered, never an attempt twice.
    const perId = new Map<string, number>();
    for (const s of http.sent) perId.set(s.id, (perId.get(s.id) ?? 0) + 1);
    expect([...perId.keys()].sort()).toEqual(ids);
    expect([...perId.values()].every((n) => n === 2)).toBe(true);
  });
});
