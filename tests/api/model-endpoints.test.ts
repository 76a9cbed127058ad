/**
 * Model endpoints over real HTTP: an admin adds one (pointing at a mock OpenAI server started here), lists
 * it with its health, tests the connection, changes and removes it; the key is never in a reply or the
 * audit log; a designer may read the aliases but not the endpoints; a change applies to the next run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointTestReply, ModelAliasList, ModelEndpoint, ModelEndpointList } from '@shared/model-endpoints.js';
import type { AuditPage } from '@shared/audit.js';
import { startMockOpenAI, type MockOpenAI } from '../../server/src/model/mock-openai.testing.js';
import { call, echoGraph, removeDir, signInAs, startTestServer, tempDir, type TestServer, type TestSession } from './helpers.js';

const KEY = 'sk-hotline-secret-7788';
let dir: string;
let server: TestServer;
let mock: MockOpenAI;
let designer: TestSession;

const completion = (content: string) => ({ id: 'c', object: 'chat.completion', created: 1, model: 'qwen2.5-7b-instruct', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } });

beforeAll(async () => {
  dir = tempDir('mofang-endpoints-');
  server = await startTestServer(dir);
  mock = await startMockOpenAI();
  designer = await signInAs(server.url, 'designer');
});
afterAll(async () => {
  await server?.close();
  await mock?.close();
  if (dir) removeDir(dir);
});

const api = (method: string, url: string, body?: unknown, as?: TestSession | null) => call(server.url, method, url, body, {}, as === undefined ? {} : { as });

describe('model endpoints API', () => {
  let id: string;

  it('lists the simulator standing in, then adds an endpoint whose key is never returned', async () => {
    const before = await api('GET', '/api/model-endpoints');
    expect(before.status).toBe(200);
    expect((before.json as ModelEndpointList).endpoints.map((e) => e.source)).toEqual(['simulator']);
    expect((before.json as ModelEndpointList).env_variables).toContain('MOFANG_MODEL_BASE_URL');

    const created = await api('POST', '/api/model-endpoints', { name: 'qwen-hotline', base_url: mock.url, api_key: KEY, models: { default: 'qwen2.5-72b-instruct', fast: 'qwen2.5-7b-instruct' }, max_concurrency: 8, stream: false });
    expect(created.status).toBe(201);
    expect(created.text).not.toContain(KEY);
    const endpoint = created.json as ModelEndpoint;
    id = endpoint.id;
    expect(endpoint).toMatchObject({ source: 'db', name: 'qwen-hotline', api_key: { set: true, last4: '7788' }, max_concurrency: 8, active: true });

    const list = await api('GET', '/api/model-endpoints');
    expect(list.text).not.toContain(KEY);
    expect((list.json as ModelEndpointList).endpoints.map((e) => e.name)).toEqual(['qwen-hotline']);
    expect((await api('POST', '/api/model-endpoints', { name: 'qwen-hotline', base_url: mock.url, models: { x: 'y' } })).json).toMatchObject({ error: { code: 'name_taken' } });
    expect((await api('POST', '/api/model-endpoints', { name: 'bad', base_url: 'ftp://x', models: {} })).status).toBe(400);
  });

  it('health names the default model as data the UI words in its language (alias, model, host), never the key', async () => {
    const health = await api('GET', '/api/health');
    expect(health.text).not.toContain(KEY);
    expect((health.json as { model_info: unknown }).model_info).toEqual({ alias: 'default', model: 'qwen2.5-72b-instruct', host: new URL(mock.url).host, json_schema: true });
  });

  it('tests the connection with a real call to the endpoint', async () => {
    mock.replies = [completion('OK')];
    const res = await api('POST', `/api/model-endpoints/${id}/test`, { alias: 'fast' });
    expect(res.status).toBe(200);
    const reply = res.json as EndpointTestReply;
    expect(reply).toMatchObject({ ok: true, reply: 'OK', model: 'qwen2.5-7b-instruct', alias: 'fast' });
    expect(mock.requests.at(-1)).toMatchObject({ model: 'qwen2.5-7b-instruct' });
    mock.failWith = 503;
    expect((await api('POST', `/api/model-endpoints/${id}/test`, {})).json).toMatchObject({ ok: false, error: { code: 'server_error' } });
    mock.failWith = undefined;
  });

  it('applies the endpoint to the next run without a restart, and shows its health', async () => {
    const graph = echoGraph('fast-echo');
    const llm = graph.nodes[1];
    if (llm) llm.config = { ...llm.config, model: 'fast' };
    const scenario = await api('POST', '/api/scenarios', { name: 'fast', graph });
    const scenarioId = (scenario.json as { id: string }).id;
    mock.replies = [completion('您好，已为您登记')];
    const run = await api('POST', `/api/scenarios/${scenarioId}/test-run`, { inputs: { transcript: '客户：宽带断了' } });
    expect(run.status).toBe(200);
    expect(run.json).toMatchObject({ status: 'succeeded', outputs: { reply: '您好，已为您登记' }, model: 'qwen-hotline' });
    const health = ((await api('GET', '/api/model-endpoints')).json as ModelEndpointList).endpoints[0]?.health;
    expect(health).toMatchObject({ recent_calls: 1, error_rate: 0, last_error: null });
    expect(health?.limit).toBeGreaterThan(0);
    expect(health?.last_success_at).not.toBeNull();
  });

  it('lets designers read the aliases (no URL, no key) and flags an alias nobody serves when compiling', async () => {
    const aliases = await api('GET', '/api/models', undefined, designer);
    expect(aliases.status).toBe(200);
    expect((aliases.json as ModelAliasList).aliases.map((a) => `${a.alias}@${a.endpoint}`)).toEqual(['default@qwen-hotline', 'fast@qwen-hotline']);
    expect(aliases.text).not.toContain('127.0.0.1');
    const graph = echoGraph();
    const llm = graph.nodes[1];
    if (llm) llm.config = { ...llm.config, model: 'nope' };
    const compiled = await api('POST', '/api/compile', graph, designer);
    expect(compiled.json).toMatchObject({ ok: false, errors: [{ nodeId: 'llm_1', field: 'model', code: 'unknown_model_alias', params: { alias: 'nope' } }] });
  });

  it('refuses designers the endpoints themselves', async () => {
    expect((await api('GET', '/api/model-endpoints', undefined, designer)).status).toBe(403);
    expect((await api('POST', '/api/model-endpoints', { name: 'x', base_url: mock.url, models: { a: 'b' } }, designer)).status).toBe(403);
    expect((await api('PUT', `/api/model-endpoints/${id}`, { enabled: false }, designer)).status).toBe(403);
    expect((await api('POST', `/api/model-endpoints/${id}/test`, {}, designer)).status).toBe(403);
    expect((await api('DELETE', `/api/model-endpoints/${id}`, undefined, designer)).status).toBe(403);
    expect((await api('GET', '/api/models', undefined, null)).status).toBe(401);
  });

  it('changes and removes it, recording each change in the audit log without the key', async () => {
    const changed = await api('PUT', `/api/model-endpoints/${id}`, { api_key: 'sk-rotated-key-4321', models: { default: 'qwen2.5-72b-instruct', audit: 'qwen2.5-72b-instruct' } });
    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({ api_key: { set: true, last4: '4321' }, models: { audit: 'qwen2.5-72b-instruct' } });
    expect(((await api('GET', '/api/models')).json as ModelAliasList).aliases.map((a) => a.alias)).toEqual(['default', 'audit']);
    expect((await api('DELETE', `/api/model-endpoints/${id}`)).status).toBe(204);
    expect((await api('DELETE', `/api/model-endpoints/${id}`)).status).toBe(404);
    expect(((await api('GET', '/api/models')).json as ModelAliasList).aliases).toEqual([expect.objectContaining({ alias: 'default', simulator: true })]);

    const audit = await api('GET', '/api/audit?action=endpoint');
    const entries = (audit.json as AuditPage).entries;
    expect(entries.map((e) => e.action).reverse()).toEqual(['endpoint.create', 'endpoint.test', 'endpoint.test', 'endpoint.update', 'endpoint.delete']);
    expect(entries.find((e) => e.action === 'endpoint.update')?.summary).toContain('api_key');
    expect(entries.every((e) => e.target_type === 'endpoint' && e.target_name === 'qwen-hotline')).toBe(true);
    expect(audit.text).not.toContain(KEY);
    expect(audit.text).not.toContain('sk-rotated');
    const csv = await api('GET', '/api/audit.csv?action=endpoint');
    expect(csv.text).not.toContain('sk-');
  });
});
