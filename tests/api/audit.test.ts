/**
 * The audit log over real HTTP: each kind of change, made by the role that may make it (a designer
 * publishes, an admin manages keys, users and templates, an inspector runs jobs, an API key submits and
 * cancels on /v1, the CLI on the data directory), appends its entry with the right actor; the digests
 * and summaries say what changed and no secret reaches the log; only `audit:read` reads it, filtered,
 * paged and as CSV. Last, every action that an /api route declares was seen.
 */
import os from 'node:os';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScenarioSchema } from '@shared/api.js';
import { auditQueryString, AuditPageSchema, type AuditEntry, type AuditFilters } from '@shared/audit.js';
import { CreatedKeySchema } from '@shared/keys.js';
import { CreatedUserSchema } from '@shared/users.js';
import { mofang } from './cli-helpers.js';
import { call, echoGraph, removeDir, CHOSEN_PASSWORD, signIn, signInAs, signInFirstTime, startTestServer, tempDir, type TestServer, type TestSession } from './helpers.js';
import { routesOf } from './router-routes.js';

let dir: string;
let server: TestServer;
let base: string;
let designer: TestSession;
let designerPassword: string;
let inspector: TestSession;
const secrets: string[] = [];

beforeAll(async () => {
  dir = tempDir('mofang-audit-');
  // Slow model replies keep a job running long enough to cancel it.
  server = await startTestServer(dir, { MOFANG_SIM_TTFT_MS: '300' });
  base = server.url;
  const made = CreatedUserSchema.parse((await call(base, 'POST', '/api/users', { name: 'designer-li', display_name: '李设计', role: 'designer' })).json);
  secrets.push(made.password);
  designer = await signInFirstTime(base, 'designer-li', made.password);
  designerPassword = CHOSEN_PASSWORD;
  inspector = await signInAs(base, 'inspector', 'inspector-wang');
});
afterAll(async () => {
  await server?.close();
  if (dir) removeDir(dir);
});

async function entries(filters: AuditFilters = {}): Promise<AuditEntry[]> {
  const r = await call(base, 'GET', `/api/audit${auditQueryString(filters, { limit: '500' })}`);
  expect(r.status).toBe(200);
  return AuditPageSchema.parse(r.json).entries;
}

/** The newest entry of `action` (failing when there is none). */
async function latest(action: string, filters: AuditFilters = {}): Promise<AuditEntry> {
  const [entry] = await entries({ ...filters, action });
  if (!entry) throw new Error(`no ${action} entry`);
  return entry;
}

let scenarioId = '';

describe('changes record who made them', () => {
  it('records the first admin\'s setup and sign-ins (a failed one too, without the password)', async () => {
    expect(await latest('auth.setup')).toMatchObject({ actor_type: 'user', actor_name: 'admin', target_type: 'user', target_name: 'admin', summary: 'first admin' });
    expect(await latest('auth.login', { actor: 'designer-li' })).toMatchObject({ actor_type: 'user', client_address: expect.stringMatching(/127\.0\.0\.1/) });
    expect((await call(base, 'POST', '/api/auth/login', { name: 'designer-li', password: 'wrong-password-密码' }, {}, { as: null })).status).toBe(401);
    secrets.push('wrong-password-密码');
    expect(await latest('auth.login_failed')).toMatchObject({ actor_id: designer.user.id, actor_name: 'designer-li', summary: 'wrong name or password' });
    expect((await call(base, 'POST', '/api/auth/login', { name: 'nobody', password: 'whatever-1' }, {}, { as: null })).status).toBe(401);
    expect(await latest('auth.login_failed')).toMatchObject({ actor_id: null, actor_name: 'nobody', target_type: null });
  });

  it('records a designer\'s scenario changes, publish and rollback, with digests and summaries', async () => {
    const created = await call(base, 'POST', '/api/scenarios', { name: '投诉工单', graph: echoGraph('投诉工单') }, {}, { as: designer });
    const scenario = ScenarioSchema.parse(created.json);
    scenarioId = scenario.id;
    const create = await latest('scenario.create');
    expect(create).toMatchObject({ actor_type: 'user', actor_id: designer.user.id, actor_name: 'designer-li', target_type: 'scenario', target_id: scenario.id, target_name: '投诉工单', before_digest: null });
    expect(create.after_digest).toMatch(/^[0-9a-f]{64}$/);

    const graph = echoGraph('投诉工单');
    const llm = graph.nodes.find((n) => n.id === 'llm_1');
    if (llm) llm.config.system = '你是投诉专员。';
    const updated = ScenarioSchema.parse((await call(base, 'PUT', `/api/scenarios/${scenario.id}`, { graph, revision: scenario.revision }, {}, { as: designer })).json);
    const update = await latest('scenario.update');
    expect(update).toMatchObject({ actor_name: 'designer-li', target_id: scenario.id, before_digest: create.after_digest, summary: 'revision 2; changed: graph' });
    expect(update.after_digest).not.toBe(update.before_digest);

    expect((await call(base, 'POST', `/api/scenarios/${scenario.id}/publish`, { slug: 'complaints', note: '首发' }, {}, { as: designer })).status).toBe(201);
    expect(await latest('scenario.publish')).toMatchObject({
      actor_name: 'designer-li',
      target_id: scenario.id,
      target_name: '投诉工单',
      before_digest: null,
      summary: 'version 1 as complaints (live – → 1); note: 首发',
      details: { version: 1, slug: 'complaints', live_from: null, live_to: 1, note: '首发' },
    });
    if (llm) llm.config.system = '你是投诉专员，请简洁。';
    await call(base, 'PUT', `/api/scenarios/${scenario.id}`, { graph, revision: updated.revision }, {}, { as: designer });
    expect((await call(base, 'POST', `/api/scenarios/${scenario.id}/publish`, {}, {}, { as: designer })).status).toBe(201);
    expect((await call(base, 'POST', `/api/scenarios/${scenario.id}/rollback`, { version: 1 }, {}, { as: designer })).status).toBe(200);
    const rollback = await latest('scenario.rollback');
    expect(rollback).toMatchObject({ actor_name: 'designer-li', summary: 'live 2 → 1 (complaints)' });
    expect(rollback.before_digest).toBe((await latest('scenario.publish')).after_digest);

    const copy = ScenarioSchema.parse((await call(base, 'POST', `/api/scenarios/${scenario.id}/duplicate`, {}, {}, { as: designer })).json);
    expect(await latest('scenario.duplicate')).toMatchObject({ target_id: copy.id, summary: `copy of ${scenario.id}` });
    expect((await call(base, 'DELETE', `/api/scenarios/${copy.id}`, undefined, {}, { as: designer })).status).toBe(204);
    const deleted = await latest('scenario.delete');
    expect(deleted).toMatchObject({ target_id: copy.id, after_digest: null });
    // The history of a deleted scenario stays.
    expect((await entries({ target_type: 'scenario', target_id: copy.id })).map((e) => e.action)).toEqual(['scenario.delete', 'scenario.duplicate']);
  });

  it('records key and user changes by an admin, never their secrets', async () => {
    const key = CreatedKeySchema.parse((await call(base, 'POST', '/api/keys', { name: 'crm', scenarios: ['complaints'] })).json);
    secrets.push(key.key);
    expect(await latest('key.create')).toMatchObject({ actor_name: 'admin', target_type: 'key', target_id: key.id, target_name: 'crm', summary: `prefix ${key.prefix}; scenarios: complaints` });
    expect((await call(base, 'POST', `/api/keys/${key.id}/revoke`)).status).toBe(200);
    const revoke = await latest('key.revoke');
    expect(revoke.before_digest).not.toBeNull();
    expect(revoke.before_digest).not.toBe(revoke.after_digest);

    const user = CreatedUserSchema.parse((await call(base, 'POST', '/api/users', { name: 'zhang.san', role: 'viewer' })).json);
    secrets.push(user.password);
    expect(await latest('user.create')).toMatchObject({ target_name: 'zhang.san', summary: 'role viewer' });
    await call(base, 'PATCH', `/api/users/${user.user.id}`, { role: 'inspector', display_name: '张三' });
    expect(await latest('user.update')).toMatchObject({ target_id: user.user.id, summary: 'role viewer → inspector; display name "zhang.san" → "张三"', details: { role_from: 'viewer', role_to: 'inspector', disabled: null } });
    await call(base, 'PATCH', `/api/users/${user.user.id}`, { disabled: true });
    expect((await latest('user.update')).summary).toBe('disabled');
    const reset = await call(base, 'POST', `/api/users/${user.user.id}/reset-password`);
    secrets.push(String((reset.json as { password?: string }).password));
    expect(await latest('user.reset_password')).toMatchObject({ target_name: 'zhang.san', summary: 'one-time password issued; sessions ended' });
  });

  it('records model endpoints added, tested, changed and removed by an admin, never their keys', async () => {
    const key = 'sk-audit-endpoint-key-1';
    secrets.push(key, 'sk-audit-endpoint-key-2');
    const made = await call(base, 'POST', '/api/model-endpoints', { name: 'qwen-audit', base_url: 'http://127.0.0.1:9/v1', api_key: key, models: { default: 'qwen2.5-7b' } });
    expect(made.status).toBe(201);
    const id = (made.json as { id: string }).id;
    expect((await call(base, 'POST', `/api/model-endpoints/${id}/test`, {})).json).toMatchObject({ ok: false, error: { code: 'network' } });
    expect((await call(base, 'PUT', `/api/model-endpoints/${id}`, { api_key: 'sk-audit-endpoint-key-2' })).status).toBe(200);
    expect((await call(base, 'DELETE', `/api/model-endpoints/${id}`)).status).toBe(204);
    expect(await latest('endpoint.create')).toMatchObject({ actor_name: 'admin', target_type: 'endpoint', target_id: id, details: { models: 'default', key_set: true } });
    expect(await latest('endpoint.test')).toMatchObject({ target_id: id, details: { ok: false, code: 'network' } });
    expect((await latest('endpoint.update')).details).toEqual({ fields: 'api_key' });
    expect(await latest('endpoint.delete')).toMatchObject({ target_id: id, after_digest: null });
  });

  it('records evaluation sets created, their cases changed, a run started and cancelled, and the set deleted, never the cases', async () => {
    const scenario = ScenarioSchema.parse((await call(base, 'POST', '/api/scenarios', { name: 'eval audit', graph: echoGraph() })).json);
    const made = await call(base, 'POST', `/api/scenarios/${scenario.id}/eval-sets`, { name: 'gold' });
    expect(made.status).toBe(201);
    const setId = (made.json as { id: string }).id;
    const secret = '13900001111 case text';
    secrets.push(secret);
    await call(base, 'POST', `/api/eval-sets/${setId}/cases`, { cases: [{ id: 'k', inputs: { transcript: secret }, expected: { reply: 'r' } }] });
    // An evaluation run of the draft on it, cancelled while the simulator answers (300 ms to the first token).
    const run = await call(base, 'POST', `/api/scenarios/${scenario.id}/eval-runs`, { set_id: setId, target: { draft: true } });
    expect(run.status, run.text).toBe(202);
    const runId = (run.json as { id: string }).id;
    expect((await call(base, 'POST', `/api/eval-runs/${runId}/cancel`)).json).toMatchObject({ status: 'cancelled' });
    expect(await latest('eval_run.start')).toMatchObject({ target_type: 'eval_run', target_id: runId, summary: 'draft on set revision 1, 1 cases', details: { set_id: setId, revision: 1, cases: 1 } });
    expect(await latest('eval_run.cancel')).toMatchObject({ target_id: runId, after_digest: null });
    expect((await call(base, 'DELETE', `/api/eval-sets/${setId}`)).status).toBe(204);
    expect(await latest('eval_set.create')).toMatchObject({ target_type: 'eval_set', target_id: setId, target_name: 'gold', summary: 'empty' });
    expect(await latest('eval_set.change')).toMatchObject({ target_id: setId, summary: 'add: revision 1, +1 ~0 -0, 1 cases', details: { change: 'add', revision: 1, added: 1 } });
    expect(await latest('eval_set.delete')).toMatchObject({ target_id: setId, after_digest: null });
  });

  it('records one\'s own password change and sign-out', async () => {
    const session = await signIn(base, 'designer-li', designerPassword);
    expect((await call(base, 'POST', '/api/auth/password', { current_password: designerPassword, new_password: 'new-designer-pass-1' }, {}, { as: session })).status).toBe(204);
    secrets.push('new-designer-pass-1');
    expect(await latest('auth.password_change')).toMatchObject({ actor_name: 'designer-li', target_name: 'designer-li' });
    expect((await call(base, 'POST', '/api/auth/logout', undefined, {}, { as: session })).status).toBe(204);
    expect(await latest('auth.logout')).toMatchObject({ actor_name: 'designer-li' });
  });

  it('records template versions, their use, imports and a template update', async () => {
    const created = await call(base, 'POST', '/api/templates', { scenario_id: scenarioId, id: 'complaint-flow', name: { zh: '投诉流程', en: 'Complaints' }, description: { zh: '投诉', en: 'Complaints' }, category: 'work-order', notes: '首个版本' });
    expect(created.status).toBe(201);
    expect(await latest('template.create', { actor: 'admin' })).toMatchObject({ target_type: 'template', target_id: 'complaint-flow', target_name: '投诉流程', summary: `version 1.0.0 from scenario ${scenarioId}` });
    const used = ScenarioSchema.parse((await call(base, 'POST', '/api/templates/complaint-flow/use', { name: '我的投诉' })).json);
    expect(await latest('scenario.create')).toMatchObject({ target_id: used.id, summary: 'from template complaint-flow@1.0.0' });
    expect((await call(base, 'POST', '/api/templates/complaint-flow/versions', { scenario_id: scenarioId, bump: 'minor', notes: '更新' })).status).toBe(201);
    expect(await latest('template.version', { actor: 'admin' })).toMatchObject({ summary: `version 1.1.0 from scenario ${scenarioId}` });
    expect((await call(base, 'POST', `/api/scenarios/${used.id}/template-update`)).status).toBe(200);
    expect(await latest('scenario.template_update')).toMatchObject({ target_id: used.id, summary: 'template 1.0.0 → 1.1.0' });
    for (const action of ['deprecate', 'undeprecate'] as const) {
      expect((await call(base, 'POST', `/api/templates/complaint-flow/versions/1.0.0/${action}`, {})).status).toBe(200);
      const entry = await latest(`template.${action}`);
      expect(entry).toMatchObject({ target_id: 'complaint-flow', summary: 'version 1.0.0' });
      expect(entry.before_digest).not.toBe(entry.after_digest);
    }
    const file = (await call(base, 'GET', '/api/templates/complaint-flow/export')).json as { meta: { version: string; changelog: unknown[] } };
    file.meta.version = '2.0.0';
    file.meta.changelog.push({ version: '2.0.0', date: '2026-12-01', notes: '导入' });
    const imported = await call(base, 'POST', '/api/templates/import', file);
    expect(imported.status, imported.text).toBe(201);
    expect(await latest('template.import')).toMatchObject({ target_id: 'complaint-flow', summary: 'version 2.0.0 (new version)', details: { version: '2.0.0', created: 'version', scenario: null } });
    const scenarioFile = (await call(base, 'GET', `/api/scenarios/${scenarioId}/export`)).json;
    expect((await call(base, 'POST', '/api/scenarios/import', scenarioFile)).status).toBe(201);
    expect(await latest('scenario.import')).toMatchObject({ target_name: '投诉工单', summary: 'from a scenario file' });
    // The built-in templates came in at start, by the server itself.
    expect((await entries({ actor_type: 'system' })).length).toBeGreaterThanOrEqual(5);
  });

  it('records jobs submitted, retried and cancelled by an inspector, and by an API key on /v1', async () => {
    const items = Array.from({ length: 30 }, (_, i) => ({ inputs: { transcript: `坐席：您好\n客户：宽带断了，电话 1380013800${i % 10}` } }));
    const submitted = await call(base, 'POST', `/api/scenarios/${scenarioId}/jobs`, { items }, {}, { as: inspector });
    expect(submitted.status).toBe(202);
    const jobId = (submitted.json as { job_id: string }).job_id;
    expect(await latest('job.submit')).toMatchObject({ actor_name: 'inspector-wang', target_type: 'job', target_id: jobId, target_name: 'complaints v1', summary: '30 items' });
    expect((await call(base, 'POST', `/api/jobs/${jobId}/retry-failed`, undefined, {}, { as: inspector })).status).toBe(202);
    expect(await latest('job.retry')).toMatchObject({ actor_name: 'inspector-wang', summary: '0 failed items queued again' });
    expect((await call(base, 'POST', `/api/jobs/${jobId}/cancel`, undefined, {}, { as: inspector })).status).toBe(200);
    expect((await latest('job.cancel')).summary).toMatch(/^(queued|running) → cancelled$/);

    const key = CreatedKeySchema.parse((await call(base, 'POST', '/api/keys', { name: '呼叫中心 CRM' })).json);
    secrets.push(key.key);
    const v1 = (method: string, url: string, body?: unknown) => call(base, method, url, body, { authorization: `Bearer ${key.key}` }, { as: null });
    const v1Job = await v1('POST', '/v1/scenarios/complaints/jobs', { items });
    expect(v1Job.status).toBe(202);
    const v1JobId = (v1Job.json as { job_id: string }).job_id;
    expect(await latest('job.submit')).toMatchObject({ actor_type: 'api_key', actor_id: key.id, actor_name: '呼叫中心 CRM', target_id: v1JobId });
    expect((await v1('POST', `/v1/jobs/${v1JobId}/cancel`)).status).toBe(200);
    expect(await latest('job.cancel')).toMatchObject({ actor_type: 'api_key', actor_name: '呼叫中心 CRM', target_id: v1JobId });
    // The transcripts the jobs carried are not in the log.
    expect(JSON.stringify(await entries())).not.toContain('宽带断了');
  });

  it('records review rules changed by an admin and a decision by an inspector, never the reviewed values', async () => {
    const rules = await call(base, 'PUT', `/api/scenarios/${scenarioId}/review-rules`, { rules: [{ kind: 'always' }] });
    expect(rules.status, rules.text).toBe(200);
    expect(await latest('review.rules')).toMatchObject({ actor_name: 'admin', target_type: 'scenario', target_id: scenarioId, details: { rules: 1, kinds: 'always' } });
    const key = CreatedKeySchema.parse((await call(base, 'POST', '/api/keys', { name: '坐席台' })).json);
    secrets.push(key.key);
    const transcript = '坐席：您好\n客户：地址是幸福路 8 号';
    const run = await call(base, 'POST', '/v1/scenarios/complaints/run', { inputs: { transcript } }, { authorization: `Bearer ${key.key}` }, { as: null });
    const reviewUrl = (run.json as { review_url?: string }).review_url ?? '';
    const itemId = reviewUrl.split('/#/review/')[1] ?? '';
    expect(itemId).not.toBe('');
    expect((await call(base, 'POST', `/api/review/items/${itemId}/confirm`, {}, {}, { as: inspector })).status).toBe(200);
    expect(await latest('review.decide')).toMatchObject({ actor_name: 'inspector-wang', target_type: 'review_item', target_id: itemId, details: { status: 'confirmed', changed: '', redecided: false } });
    expect(JSON.stringify(await entries())).not.toContain('幸福路');
  });

  it('records alert rules changed by an admin, never the webhook secret', async () => {
    const put = await call(base, 'PUT', `/api/scenarios/${scenarioId}/alert-rules`, { rules: [{ name: '客户投诉', kind: 'keyword', words: ['投诉'] }], webhook_url: 'https://crm.example/hooks/alerts' });
    expect(put.status, put.text).toBe(200);
    const secret = (put.json as { webhook_secret?: string }).webhook_secret ?? '';
    expect(secret).toMatch(/^whsec_/);
    secrets.push(secret);
    expect(await latest('scenario.alert_rules')).toMatchObject({ actor_name: 'admin', target_type: 'scenario', target_id: scenarioId, details: { rules: 1, kinds: 'keyword', webhook: true, secret_made: true } });
  });

  it("records an agent desk's confirmation of a live call, without its values", async () => {
    const key = CreatedKeySchema.parse((await call(base, 'POST', '/api/keys', { name: '实时坐席' })).json);
    secrets.push(key.key);
    const bearer = { authorization: `Bearer ${key.key}` };
    const created = await call(base, 'POST', '/v1/scenarios/complaints/sessions', { call_id: 'audit-call' }, bearer, { as: null });
    expect(created.status, created.text).toBe(201);
    const id = (created.json as { session_id: string }).session_id;
    await call(base, 'POST', `/v1/sessions/${id}/turns`, { turns: [{ role: 'customer', text: '地址是幸福路 9 号' }] }, bearer, { as: null });
    await call(base, 'POST', `/v1/sessions/${id}/end`, undefined, bearer, { as: null });
    const confirmed = await call(base, 'POST', `/api/live/sessions/${id}/confirm`, {});
    expect(confirmed.status, confirmed.text).toBe(200);
    expect(await latest('live.confirm')).toMatchObject({ actor_name: 'admin', target_id: id });
    expect(JSON.stringify(await entries())).not.toContain('幸福路 9');
  });

  it('records a publish gate set and removed by an admin', async () => {
    const set = await call(base, 'POST', `/api/scenarios/${scenarioId}/eval-sets`, { name: '门槛' });
    const setId = (set.json as { id: string }).id;
    await call(base, 'POST', `/api/eval-sets/${setId}/cases`, { cases: [{ inputs: { transcript: '客户：宽带断了' }, expected: { reply: '马上报修' } }] });
    const put = await call(base, 'PUT', `/api/scenarios/${scenarioId}/publish-gate`, { set_id: setId, metric: 'reply.similarity', min: 0.5 });
    expect(put.status, put.text).toBe(200);
    expect(await latest('scenario.gate_set')).toMatchObject({ actor_name: 'admin', target_type: 'scenario', target_id: scenarioId, details: { metric: 'reply.similarity', set_name: '门槛', min: 0.5, max_drop: null } });
    expect((await call(base, 'DELETE', `/api/scenarios/${scenarioId}/publish-gate`)).status).toBe(204);
    expect(await latest('scenario.gate_remove')).toMatchObject({ target_id: scenarioId, details: { metric: 'reply.similarity' } });
    expect((await call(base, 'PUT', `/api/eval-sets/${setId}/metrics`, { overrides: { reply: { kind: 'exact' } } })).status).toBe(200);
    expect(await latest('eval_set.metrics')).toMatchObject({ target_id: setId, details: { overrides: 'reply=exact' } });
  });

  it('records CLI changes on the data directory as the OS user', async () => {
    const created = await mofang(['keys', 'create', '--name', 'cli-key'], { MOFANG_DATA_DIR: dir });
    expect(created.code).toBe(0);
    secrets.push(String((JSON.parse(created.stdout) as { key?: string }).key));
    const file = path.join(dir, 'graph.json');
    writeFileSync(file, JSON.stringify(echoGraph('命令行')));
    expect((await mofang(['publish', file, '--slug', 'cli-flow'], { MOFANG_DATA_DIR: dir, ...{ MOFANG_SIM_TTFT_MS: '0' } })).code).toBe(0);
    const me = os.userInfo().username;
    const cli = await entries({ actor_type: 'cli' });
    expect(cli.map((e) => e.action)).toEqual(['scenario.publish', 'scenario.create', 'key.create']);
    for (const e of cli) expect(e).toMatchObject({ actor_id: me, actor_name: me, client_address: null });
    expect(cli[0]).toMatchObject({ target_name: '命令行', summary: 'version 1 as cli-flow (live – → 1)' });
  });
});

describe('objects JSON allows but RFC 8785 does not', () => {
  it('records a scenario whose graph holds lone surrogates (the fuzz suite\'s 500) instead of failing the change', async () => {
    const graph = echoGraph('lone');
    // (U+0000 is refused at the door: the NUL rule; lone surrogates are kept.)
    graph.edges[0] = { ...graph.edges[0], source: '\uffff\ud800' };
    const created = await call(base, 'POST', '/api/scenarios', { name: 'lone \udc00', graph });
    expect(created.status).toBe(201);
    expect((await latest('scenario.create')).after_digest).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('reading the log', () => {
  it('is for audit:read only: a viewer, an inspector and a designer get 403, nobody signed in 401', async () => {
    const viewer = await signInAs(base, 'viewer');
    // The first designer's other sessions ended with their password change.
    const otherDesigner = await signInAs(base, 'designer');
    for (const as of [viewer, inspector, otherDesigner]) {
      for (const url of ['/api/audit', '/api/audit.csv']) {
        const r = await call(base, 'GET', url, undefined, {}, { as });
        expect(r.status).toBe(403);
        expect(r.json).toMatchObject({ error: { code: 'forbidden', details: { permission: 'audit:read' } } });
      }
    }
    expect((await call(base, 'GET', '/api/audit', undefined, {}, { as: null })).status).toBe(401);
  });

  it('answers bad filters with 400 invalid_query naming the parameter', async () => {
    for (const [query, name] of [['action=DROP%20TABLE', 'action'], ['from=yesterday', 'from'], ['limit=100000', 'limit'], ['cursor=x', 'cursor']] as const) {
      for (const url of ['/api/audit', '/api/audit.csv']) {
        const r = await call(base, 'GET', `${url}?${query}`);
        expect(r.status, `${url}?${query}`).toBe(400);
        expect(r.json).toMatchObject({ error: { code: 'invalid_query', details: { issues: [{ path: name }] } } });
      }
    }
  });

  it('pages newest first with a cursor', async () => {
    const all = await entries();
    const first = AuditPageSchema.parse((await call(base, 'GET', '/api/audit?limit=3')).json);
    expect(first.entries.map((e) => e.id)).toEqual(all.slice(0, 3).map((e) => e.id));
    const second = AuditPageSchema.parse((await call(base, 'GET', `/api/audit?limit=3&cursor=${first.next_cursor}`)).json);
    expect(second.entries.map((e) => e.id)).toEqual(all.slice(3, 6).map((e) => e.id));
    expect(all.map((e) => e.at)).toEqual([...all.map((e) => e.at)].sort().reverse());
  });

  it('exports the filtered log as CSV with a dated file name, no secret in any entry', async () => {
    const r = await call(base, 'GET', `/api/audit.csv${auditQueryString({ action: 'scenario.publish', actor: 'designer-li' })}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename="mofang-audit-${new Date().toISOString().slice(0, 10)}.csv"`);
    const rows: Array<Record<string, string>> = parse(r.text, { bom: true, columns: true });
    expect(rows.map((row) => [row.action, row.actor_name, row.target_name])).toEqual([
      ['scenario.publish', 'designer-li', '投诉工单'],
      ['scenario.publish', 'designer-li', '投诉工单'],
    ]);
    const everything = (await call(base, 'GET', '/api/audit.csv')).text;
    expect(everything.split('\r\n').length).toBeGreaterThan(40);
    for (const secret of secrets) {
      expect(everything).not.toContain(secret);
      expect(JSON.stringify(await entries())).not.toContain(secret);
    }
  });

  it('has seen every action an /api route declares', async () => {
    const declared = new Set(routesOf(server.app).flatMap((r) => r.audits ?? []));
    const seen = new Set((await entries()).map((e) => e.action));
    expect([...declared].filter((a) => !seen.has(a))).toEqual([]);
  });
});
