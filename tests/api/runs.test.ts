import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RunDetailSchema, RunResultSchema, RunSummarySchema, ScenarioSchema } from '@shared/api.js';
import type { RunningServer } from '../../server/src/http/server.js';
import { brokenGraph, call, echoGraph, parseSse, removeDir, startTestServer, tempDir, authHeaders } from './helpers.js';

let dir: string;
let server: RunningServer;
let scenarioId: string;
const api = (method: string, url: string, body?: unknown, headers?: Record<string, string>) => call(server.url, method, url, body, headers);
const inputs = { transcript: '坐席：您好，请问有什么可以帮您？\n客户：我的宽带断了。' };

beforeAll(async () => {
  dir = tempDir();
  server = await startTestServer(dir);
  scenarioId = ScenarioSchema.parse((await api('POST', '/api/scenarios', { name: 'echo', graph: echoGraph() })).json).id;
});
afterAll(async () => {
  await server?.close();
  removeDir(dir);
});

describe('test runs', () => {
  it('runs the saved draft and replies with the RunResult as JSON', async () => {
    const res = await api('POST', `/api/scenarios/${scenarioId}/test-run`, { inputs });
    expect(res.status).toBe(200);
    const result = RunResultSchema.parse(res.json);
    expect(result).toMatchObject({ status: 'succeeded', model: expect.stringContaining('simulator') });
    expect(typeof result.outputs?.reply).toBe('string');
    expect(result.usage.model_calls).toBe(1);
  });

  it('streams events over SSE in order and ends with the result', async () => {
    const res = await fetch(`${server.url}/api/scenarios/${scenarioId}/test-run`, {
      method: 'POST',
      headers: { ...authHeaders(server.url), 'content-type': 'application/json', accept: 'text/event-stream', 'accept-encoding': 'gzip, br' },
      body: JSON.stringify({ inputs }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    // /api compresses its JSON, never an event stream (a compressor would hold events back).
    expect(res.headers.get('content-encoding')).toBeNull();
    const kinds = await fetch(`${server.url}/api/node-kinds`, { headers: { ...authHeaders(server.url), 'accept-encoding': 'gzip' } });
    expect(kinds.headers.get('content-encoding')).toBe('gzip');
    expect(Array.isArray(await kinds.json())).toBe(true);
    const events = parseSse(await res.text());
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('run.started');
    expect(names.at(-2)).toBe('run.finished');
    expect(names.at(-1)).toBe('result');
    expect(names.filter((n) => n === 'node.finished')).toHaveLength(3);
    for (const e of events.slice(0, -1)) expect(e.data).toMatchObject({ type: e.event });
    expect(RunResultSchema.parse(events.at(-1)?.data).status).toBe('succeeded');
  });

  it('runs an unsaved graph sent with the request, and refuses one that does not compile (422)', async () => {
    const other = echoGraph('other');
    const ok = await api('POST', `/api/scenarios/${scenarioId}/test-run`, { inputs, graph: other });
    expect(RunResultSchema.parse(ok.json).status).toBe('succeeded');
    const broken = await api('POST', `/api/scenarios/${scenarioId}/test-run`, { inputs, graph: brokenGraph() });
    expect(broken.status).toBe(422);
    expect(broken.json).toMatchObject({ error: { code: 'compile_failed', details: { errors: expect.arrayContaining([expect.objectContaining({ code: 'edge_missing_node' })]) } } });
  });

  it('refuses bad inputs with their paths (400)', async () => {
    const res = await api('POST', `/api/scenarios/${scenarioId}/test-run`, { inputs: {} });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 'invalid_inputs', details: [expect.objectContaining({ path: expect.any(String) })] } });
  });

  it('persists runs with their events and lists them newest first', async () => {
    const list = z.array(RunSummarySchema).parse((await api('GET', `/api/scenarios/${scenarioId}/runs`)).json);
    expect(list.length).toBeGreaterThanOrEqual(3);
    expect(list.every((r) => r.kind === 'test' && r.status === 'succeeded')).toBe(true);
    const detail = RunDetailSchema.parse((await api('GET', `/api/runs/${list[0].id}`)).json);
    expect(detail.events[0].type).toBe('run.started');
    expect(detail.events.at(-1)?.type).toBe('run.finished');
    expect(detail.inputs).toEqual(inputs);
    expect((await api('GET', '/api/runs/nope')).status).toBe(404);
  });

  it('keeps every saved scenario and run across a restart on the same data directory', async () => {
    const before = z.array(RunSummarySchema).parse((await api('GET', `/api/scenarios/${scenarioId}/runs`)).json);
    await server.close();
    server = await startTestServer(dir);
    const again = ScenarioSchema.parse((await api('GET', `/api/scenarios/${scenarioId}`)).json);
    expect(again.graph).toEqual(echoGraph());
    const after = z.array(RunSummarySchema).parse((await api('GET', `/api/scenarios/${scenarioId}/runs`)).json);
    expect(after.map((r) => r.id)).toEqual(before.map((r) => r.id));
  });
});
