/**
 * Live alert settings over real HTTP (issue 15 part 3): rules checked against the live version's outputs
 * with coded refusals, ids made and kept, the permission matrix, the webhook secret shown once and sealed
 * at rest (never in the database file or the audit log); then webhook delivery to a receiver on 127.0.0.1
 * that answers 500 first: retried, delivered, signed per Standard Webhooks, listed with its attempts, and
 * a delivery left pending by a stopped server resumed by the next one.
 */
import { eq } from 'drizzle-orm';
import { onPostgres, TEST_SECRET_KEY } from './test-store.js';
import { readFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertDeliverySchema, AlertSettingsSchema, AlertWebhookPayloadSchema, type SessionAlert } from '@shared/alerts.js';
import { V1SessionCreatedSchema, V1SessionSchema } from '@shared/sessions.js';
import { openSecretBox } from '../../server/src/endpoints/secret-box.js';
import { PublishedScenarios } from '../../server/src/publish/registry.js';
import { noServices } from '../../server/src/engine/testing.js';
import { JobQueue } from '../../server/src/jobs/item-queue.js';
import { createSafeHttp } from '../../server/src/services/safe-http.js';
import { createSessionAlerting, type AlertWebhooks } from '../../server/src/sessions/alert-webhook.js';
import type { SessionView } from '../../server/src/sessions/ports.js';
import { call, signInAs, type TestSession } from './helpers.js';
import { reviewGraph } from './review-fixture.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

let h: V1Harness;
let scenarioId: string;
let viewer: TestSession;
let inspector: TestSession;
let designer: TestSession;
const secrets: string[] = [];
const base = () => h.server.url;
const url = () => `/api/scenarios/${scenarioId}/alert-rules`;
const put = (body: unknown, as?: TestSession) => call(base(), 'PUT', url(), body, {}, as ? { as } : {});

/** What the receiver saw, and how it answers the next request. */
const received: Array<{ headers: Record<string, string>; body: string }> = [];
let answers: number[] = [];
let receiver: http.Server;
let hookUrl = '';

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), body });
      res.statusCode = answers.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;
  // The server's own alerting may POST to the receiver on 127.0.0.1.
  h = await startV1Harness({ MOFANG_HTTP_ALLOW: '127.0.0.1' });
  scenarioId = (await h.publish('alert-desk', reviewGraph())).scenarioId;
  viewer = await signInAs(base(), 'viewer');
  inspector = await signInAs(base(), 'inspector');
  designer = await signInAs(base(), 'designer', 'designer-li');
});
afterAll(async () => {
  await h.close();
  await new Promise((r) => receiver.close(r));
});

const RULES = [
  { name: '红线', kind: 'red_line', output: 'fatal', severity: 'critical' },
  { name: '置信度低', kind: 'at_most', output: 'confidence', value: 0.3 },
  { name: '客户投诉', kind: 'keyword', words: ['投诉', '12300'] },
];

describe('alert rules: GET and PUT', () => {
  it('starts empty, offering the live version\'s outputs', async () => {
    const res = await call(base(), 'GET', url(), undefined, {}, { as: viewer });
    expect(res.status, res.text).toBe(200);
    const settings = AlertSettingsSchema.parse(res.json);
    expect(settings).toMatchObject({ rules: [], risk_output: null, webhook_url: null, webhook_secret_set: false, checked_against: { kind: 'live', version: 1 } });
    expect(settings.available.map((o) => o.path)).toEqual(expect.arrayContaining(['confidence', 'model_level', 'form', 'fatal']));
    expect((await call(base(), 'GET', '/api/scenarios/no-such/alert-rules')).status).toBe(404);
  });

  it('refuses rules that do not fit, with a code naming the rule and the output', async () => {
    const unknown = await put({ rules: [{ name: '升级投诉', kind: 'equals', output: 'escalation', value: 'yes' }] });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toMatchObject({ error: { code: 'unknown_alert_output', details: { path: 'rules.0.output', rule: '升级投诉', output: 'escalation' } } });
    expect((unknown.json as { error: { message: string } }).error.message).toMatch(/升级投诉.*escalation/);
    expect((await put({ rules: [{ name: 'x', kind: 'sometimes', output: 'fatal' }] })).json).toMatchObject({ error: { code: 'invalid_body' } });
    expect((await put({ rules: [{ name: 'x', kind: 'red_line', output: 'confidence' }] })).json).toMatchObject({ error: { code: 'alert_output_not_audit' } });
    expect((await put({ rules: [], risk_output: 'risk' })).json).toMatchObject({ error: { code: 'unknown_alert_output', details: { path: 'risk_output' } } });
    expect((await put({ rules: [], webhook_url: 'ftp://crm.example/x' })).json).toMatchObject({ error: { code: 'invalid_webhook_url' } });
  });

  it('lets designers and admins change them, not inspectors or viewers', async () => {
    expect((await put({ rules: RULES }, viewer)).status).toBe(403);
    expect((await put({ rules: RULES }, inspector)).status).toBe(403);
    expect((await call(base(), 'GET', url(), undefined, {}, { as: inspector })).status).toBe(200);
  });

  it('makes ids and a secret shown once; keeps ids across edits; rotates on request', async () => {
    const first = await put({ rules: RULES, risk_output: 'model_level', webhook_url: hookUrl }, designer);
    expect(first.status, first.text).toBe(200);
    const made = AlertSettingsSchema.parse(first.json);
    expect(made.rules.map((r) => r.id)).toEqual(['r1', 'r2', 'r3']);
    expect(made).toMatchObject({ risk_output: 'model_level', webhook_url: hookUrl, webhook_secret_set: true, updated_by: 'designer-li' });
    const secret = made.webhook_secret ?? '';
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    secrets.push(secret);

    const read = AlertSettingsSchema.parse((await call(base(), 'GET', url())).json);
    expect(read.webhook_secret).toBeUndefined();
    expect(read.webhook_secret_set).toBe(true);

    // An edit sends the rules back with their ids, drops r2 and adds one: r2 is not reused.
    const edited = AlertSettingsSchema.parse((await put({ rules: [read.rules[0], read.rules[2], { name: '要求主管', kind: 'keyword', words: ['找你们领导'] }], risk_output: 'model_level', webhook_url: hookUrl })).json);
    expect(edited.rules.map((r) => r.id)).toEqual(['r1', 'r3', 'r4']);
    expect(edited.webhook_secret).toBeUndefined();

    const rotated = AlertSettingsSchema.parse((await put({ rules: edited.rules, risk_output: 'model_level', webhook_url: hookUrl, rotate_secret: true })).json);
    expect(rotated.webhook_secret).toMatch(/^whsec_/);
    expect(rotated.webhook_secret).not.toBe(secret);
    secrets.push(rotated.webhook_secret ?? '');
  });

  it('keeps the secret sealed at rest and out of the audit log', async () => {
    const file = path.join(h.dir, 'mofang.db');
    // The SQLite file itself (with its WAL) holds no secret in the clear; on PostgreSQL, the row is read.
    const stored = onPostgres ? '' : [file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f).toString('latin1')).join('');
    if (!onPostgres) expect(stored.length).toBeGreaterThan(0);
    const [row] = await h.store.db.select({ webhook_secret: h.store.t.alertSettings.webhookSecret }).from(h.store.t.alertSettings).where(eq(h.store.t.alertSettings.scenarioId, scenarioId));
    expect(row.webhook_secret).toMatch(/^v1:/);
    const audit = (await call(base(), 'GET', '/api/audit.csv')).text + JSON.stringify((await call(base(), 'GET', '/api/audit?action=scenario.alert_rules')).json);
    expect(audit).toContain('scenario.alert_rules');
    for (const secret of secrets) {
      for (const part of [secret, secret.slice('whsec_'.length)]) {
        expect(stored).not.toContain(part);
        expect(audit).not.toContain(part);
        expect(row.webhook_secret).not.toContain(part);
      }
    }
  });
});

describe('alert rules: what a reader sees', () => {
  it('shows a reader who cannot change them the webhook URL without its query', async () => {
    const current = AlertSettingsSchema.parse((await call(base(), 'GET', url())).json);
    const body = { rules: current.rules, risk_output: current.risk_output, webhook_url: `${hookUrl}?token=receiver-token` };
    expect((await put(body)).status).toBe(200);
    expect(AlertSettingsSchema.parse((await call(base(), 'GET', url(), undefined, {}, { as: viewer })).json).webhook_url).toBe(hookUrl);
    expect(AlertSettingsSchema.parse((await call(base(), 'GET', url(), undefined, {}, { as: designer })).json).webhook_url).toBe(body.webhook_url);
    const restored = AlertSettingsSchema.parse((await put({ ...body, webhook_url: hookUrl })).json);
    expect(restored.webhook_secret).toBeUndefined();
  });
});

const session = (id: string): SessionView =>
  ({ id, scenarioId, slug: 'alert-desk', version: 1, callId: `call-${id}`, apiKeyId: null, meta: null, status: 'active', turnCount: 3, updateCount: 2, outputs: null, alerts: [], simulated: false, createdAt: Date.now(), lastTurnAt: null, endedAt: null, endReason: null, finalRunId: null, finalRun: null, confirmation: null }) as unknown as SessionView;
const alert = (id: string): SessionAlert => ({ id, rule_id: 'r1', name: '红线', severity: 'critical', kind: 'red_line', output: 'fatal', value: ['abuse'], turn_id: 't3', at: new Date().toISOString() });

/**
 * Alerting over a second connection to the server's store, with the server's secret key and a guard that
 * lets 127.0.0.1 through. On PostgreSQL with its own pg-boss over the database, on a queue of its own (the
 * server's worker, whose guard differs, takes none of these deliveries); `maxTimeoutMs` cuts pg-boss's
 * waits (1 s and up) to keep the test short.
 */
function alerting(minTimeoutMs: number, allow: string[] = ['127.0.0.1']): { alerts: AlertWebhooks; close: () => Promise<void> } {
  const requester = createSafeHttp({ allow });
  const queue = onPostgres ? new JobQueue(h.store, { expireInSeconds: 30, retryLimit: 3 }) : undefined;
  const options = { minTimeoutMs, attempts: 4, ...(onPostgres ? { maxTimeoutMs: minTimeoutMs, queueName: 'test-alert-rules', pollMs: 100 } : {}) };
  const alerts = createSessionAlerting({ store: h.store, http: requester, box: openSecretBox({ dataDir: h.dir, secretKey: onPostgres ? TEST_SECRET_KEY : undefined }), published: new PublishedScenarios(h.store, noServices), queue, options });
  return { alerts, close: async () => { await alerts.close(); await queue?.stop(); await requester.close(); } };
}

const deliveries = async () => {
  const res = await call(base(), 'GET', `/api/scenarios/${scenarioId}/alert-deliveries`, undefined, {}, { as: viewer });
  expect(res.status, res.text).toBe(200);
  return (res.json as { deliveries: unknown[] }).deliveries.map((d) => AlertDeliverySchema.parse(d));
};

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('alerting as the session manager calls it', () => {
  it('checks the stored rules and the risk output, and sees a change made through it at once', async () => {
    const { alerts, close } = alerting(50);
    const input = { scenarioId, outputs: { fatal: ['abuse'], confidence: 0.9 }, newTurns: [{ id: 't1', role: 'customer', text: '我要打12300投诉', seq: 1 }], raised: new Set<string>(), lastTurnId: 't1', now: Date.now() };
    expect((await alerts.check(input)).map((a) => [a.rule_id, a.name])).toEqual([['r1', '红线'], ['r3', '客户投诉']]);
    expect(await alerts.check({ ...input, raised: new Set(['r1', 'r3']) })).toEqual([]);
    expect(await alerts.riskOutput(scenarioId)).toBe('model_level');
    const current = AlertSettingsSchema.parse((await call(base(), 'GET', url())).json);
    await alerts.settings.put(scenarioId, { rules: [...current.rules, { name: '置信度高', kind: 'at_least', output: 'confidence', value: 0.8 }], risk_output: null, webhook_url: hookUrl }, 'test');
    expect((await alerts.check(input)).map((a) => a.rule_id)).toEqual(['r1', 'r3', 'r5']);
    expect(await alerts.riskOutput(scenarioId)).toBeNull();
    expect(await alerts.check({ ...input, scenarioId: 'no-such-scenario' })).toEqual([]);
    await close();
  });
});

describe('alert webhook delivery', () => {
  it('retries a 500, then delivers a payload signed with the secret the PUT showed', async () => {
    received.length = 0;
    answers = [500, 200];
    const { alerts, close } = alerting(50);
    alerts.deliver(session('s-1'), alert('a-1'), { fatal: ['abuse'], model_level: 'high' });
    const [delivery] = await until(deliveries, (d) => d[0]?.status === 'delivered');
    await close();
    expect(delivery).toMatchObject({ session_id: 's-1', alert_id: 'a-1', rule_id: 'r1', alert_name: '红线', severity: 'critical', status: 'delivered', attempts: 2, last_status: 200, last_error: null, next_attempt_at: null });
    expect(received).toHaveLength(2);
    const [failed, ok] = received;
    expect(failed?.headers['webhook-id']).toBe(delivery?.id);
    expect(ok?.headers['webhook-id']).toBe(delivery?.id);
    const payload = AlertWebhookPayloadSchema.parse(new Webhook(secrets.at(-1) ?? '').verify(ok?.body ?? '', ok?.headers ?? {}));
    expect(payload).toMatchObject({ type: 'session.alert', scenario: 'alert-desk', version: 1, session_id: 's-1', call_id: 'call-s-1', alert: { id: 'a-1', name: '红线' }, outputs: { model_level: 'high' } });
    expect(() => new Webhook(secrets[0] ?? '').verify(ok?.body ?? '', ok?.headers ?? {})).toThrow();
  });

  it('gives up after the last attempt, every attempt recorded', async () => {
    received.length = 0;
    answers = [503, 503, 503, 503];
    const { alerts, close } = alerting(20);
    alerts.deliver(session('s-2'), alert('a-2'), {});
    const [delivery] = await until(deliveries, (d) => d[0]?.status === 'failed');
    await close();
    expect(delivery).toMatchObject({ alert_id: 'a-2', status: 'failed', attempts: 4, last_status: 503, last_error: 'HTTP 503', next_attempt_at: null });
    expect(received).toHaveLength(4);
  });

  it('fails at once, after one attempt, a delivery to an address the outbound guard refuses (no retry can change it)', async () => {
    received.length = 0;
    const { alerts, close } = alerting(20, []);
    alerts.deliver(session('s-4'), alert('a-4'), {});
    const found = await until(deliveries, (d) => d.some((x) => x.alert_id === 'a-4' && x.status !== 'pending'));
    await close();
    expect(found.find((x) => x.alert_id === 'a-4')).toMatchObject({ status: 'failed', attempts: 1, last_status: null, next_attempt_at: null });
    expect(found.find((x) => x.alert_id === 'a-4')?.last_error).toMatch(/127\.0\.0\.1/);
    expect(received).toHaveLength(0);
  });

  it('resumes a delivery left pending by a stopped server at the next start', async () => {
    received.length = 0;
    answers = [500];
    const before = alerting(1500);
    before.alerts.deliver(session('s-3'), alert('a-3'), {});
    const [waiting] = await until(deliveries, (d) => d[0]?.attempts === 1);
    await before.close();
    expect(waiting).toMatchObject({ alert_id: 'a-3', status: 'pending', attempts: 1, last_status: 500 });
    expect(waiting?.next_attempt_at).not.toBeNull();
    const after = alerting(50);
    const [delivered] = await until(deliveries, (d) => d[0]?.status === 'delivered');
    await after.close();
    expect(delivered).toMatchObject({ alert_id: 'a-3', status: 'delivered', attempts: 2 });
    expect(received).toHaveLength(2);
  });
});

describe('alerts of a live session, end to end', () => {
  it('raises each rule once on the session and delivers it, signed, to the webhook', async () => {
    received.length = 0;
    answers = [];
    const key = (await h.key()).key;
    // fatal = ['abuse'] (r1, red line), confidence 0.9 (r5, at least 0.8); the customer says 投诉 (r3).
    const created = await h.v1('POST', '/v1/scenarios/alert-desk/sessions', key, { call_id: 'C-42', inputs: { conf: 0.9, a: 'low', b: 'high' } });
    expect(created.status, created.text).toBe(201);
    const { session_id } = V1SessionCreatedSchema.parse(created.json);
    expect((await h.v1('POST', `/v1/sessions/${session_id}/turns`, key, { turns: [{ id: 't1', role: 'customer', text: '我要投诉！' }] })).status).toBe(202);
    const read = async () => V1SessionSchema.parse((await h.v1('GET', `/v1/sessions/${session_id}`, key)).json);
    const withAlerts = await until(read, (s) => s.alerts.length >= 3);
    expect(withAlerts.alerts.map((a) => a.rule_id).sort()).toEqual(['r1', 'r3', 'r5']);
    expect(withAlerts.alerts.find((a) => a.rule_id === 'r3')).toMatchObject({ kind: 'keyword', turn_id: 't1', value: '我要投诉！' });
    // A second update raises nothing again.
    expect((await h.v1('POST', `/v1/sessions/${session_id}/turns`, key, { turns: [{ id: 't2', role: 'customer', text: '还是要投诉' }] })).status).toBe(202);
    const second = await until(read, (s) => s.turn_count === 2 && s.metrics.updates >= 2);
    expect(second.metrics.updates).toBeGreaterThanOrEqual(2);
    expect((await read()).alerts).toHaveLength(3);

    const mine = async () => (await deliveries()).filter((d) => d.session_id === session_id);
    const delivered = await until(mine, (d) => d.length === 3 && d.every((x) => x.status === 'delivered'));
    expect(delivered.map((d) => d.status)).toEqual(['delivered', 'delivered', 'delivered']);
    const bodies = received.map((r) => AlertWebhookPayloadSchema.parse(new Webhook(secrets.at(-1) ?? '').verify(r.body, r.headers)));
    expect(bodies.map((b) => b.alert.rule_id).sort()).toEqual(['r1', 'r3', 'r5']);
    expect(bodies[0]).toMatchObject({ scenario: 'alert-desk', version: 1, session_id, call_id: 'C-42', outputs: { fatal: ['abuse'] } });
  });
});
