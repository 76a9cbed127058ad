import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CompileReplySchema, NodeKindSummarySchema, ScenarioSchema, ScenarioSummarySchema } from '@shared/api.js';
import type { RunningServer } from '../../server/src/http/server.js';
import { brokenGraph, call, echoGraph, removeDir, startTestServer, tempDir } from './helpers.js';

let dir: string;
let server: RunningServer;
const api = (method: string, url: string, body?: unknown, headers?: Record<string, string>) => call(server.url, method, url, body, headers);

beforeAll(async () => {
  dir = tempDir();
  server = await startTestServer(dir);
});
afterAll(async () => {
  await server?.close();
  removeDir(dir);
});

describe('scenarios API', () => {
  it('reports health and the node kinds', async () => {
    const health = await api('GET', '/api/health');
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ ok: true, simulator: true, version: expect.any(String) });
    // Without a session (a load balancer): that it answers, nothing of its set-up.
    const anonymous = await call(server.url, 'GET', '/api/health', undefined, {}, { as: null });
    expect(anonymous.status).toBe(200);
    expect(anonymous.json).toEqual({ ok: true, version: expect.any(String) });
    const kinds = z.array(NodeKindSummarySchema).parse((await api('GET', '/api/node-kinds')).json);
    expect(kinds.map((k) => k.kind)).toEqual(expect.arrayContaining(['start', 'end', 'llm', 'classify']));
    expect(kinds.find((k) => k.kind === 'start')?.outputs).toEqual([expect.objectContaining({ id: 'out' })]);
  });

  it('creates with a blank graph, reads, searches, updates with revisions, duplicates and deletes', async () => {
    const created = await api('POST', '/api/scenarios', { name: '意图分流 Intent triage', description: 'routes calls' });
    expect(created.status).toBe(201);
    const a = ScenarioSchema.parse(created.json);
    expect(a.graph.nodes.map((n) => n.kind)).toEqual(['start', 'end']);
    expect(a.revision).toBe(1);
    const b = ScenarioSchema.parse((await api('POST', '/api/scenarios', { name: 'Recording audit', graph: echoGraph() })).json);

    const all = z.array(ScenarioSummarySchema).parse((await api('GET', '/api/scenarios')).json);
    expect(all.map((s) => s.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(all.find((s) => s.id === b.id)?.node_count).toBe(3);
    const found = z.array(ScenarioSummarySchema).parse((await api('GET', `/api/scenarios?q=${encodeURIComponent('意图')}`)).json);
    expect(found.map((s) => s.id)).toEqual([a.id]);

    const got = await api('GET', `/api/scenarios/${a.id}`);
    expect(ScenarioSchema.parse(got.json).name).toBe('意图分流 Intent triage');

    const updated = await api('PUT', `/api/scenarios/${a.id}`, { name: 'Renamed', revision: 1 });
    expect(updated.status).toBe(200);
    expect(ScenarioSchema.parse(updated.json)).toMatchObject({ name: 'Renamed', revision: 2 });
    const stale = await api('PUT', `/api/scenarios/${a.id}`, { name: 'Lost', revision: 1 });
    expect(stale.status).toBe(409);
    expect(stale.json).toMatchObject({ error: { code: 'revision_conflict' } });
    expect(ScenarioSchema.parse((await api('GET', `/api/scenarios/${a.id}`)).json).name).toBe('Renamed');

    const dup = await api('POST', `/api/scenarios/${b.id}/duplicate`);
    expect(dup.status).toBe(201);
    const copy = ScenarioSchema.parse(dup.json);
    expect(copy.id).not.toBe(b.id);
    expect(copy.name).toBe('Recording audit (copy)');
    expect(copy.graph).toEqual(b.graph);

    expect((await api('DELETE', `/api/scenarios/${copy.id}`)).status).toBe(204);
    expect((await api('GET', `/api/scenarios/${copy.id}`)).status).toBe(404);
  });

  it('saves a draft that does not compile, and compile reports its problems', async () => {
    const saved = await api('POST', '/api/scenarios', { name: 'broken draft', graph: brokenGraph() });
    expect(saved.status).toBe(201);
    const id = ScenarioSchema.parse(saved.json).id;
    const reply = CompileReplySchema.parse((await api('POST', `/api/scenarios/${id}/compile`)).json);
    expect(reply.ok).toBe(false);
    expect(reply.errors.length).toBeGreaterThan(0);
    const direct = CompileReplySchema.parse((await api('POST', '/api/compile', brokenGraph())).json);
    expect(direct.errors.map((e) => e.code)).toEqual(expect.arrayContaining(['edge_missing_node']));
    const notAGraph = await api('POST', '/api/compile', { hello: 'world' });
    expect(notAGraph.status).toBe(200);
    expect(CompileReplySchema.parse(notAGraph.json).ok).toBe(false);
    const good = CompileReplySchema.parse((await api('POST', '/api/compile', echoGraph())).json);
    expect(good).toEqual({ ok: true, errors: [] });
  });

  it('answers bad input with JSON errors, never a 500', async () => {
    const badJson = await api('POST', '/api/scenarios', '{"name": ');
    expect(badJson.status).toBe(400);
    expect(badJson.json).toMatchObject({ error: { code: 'invalid_json' } });
    const noName = await api('POST', '/api/scenarios', { description: 'x' });
    expect(noName.status).toBe(400);
    expect(noName.json).toMatchObject({ error: { code: 'invalid_body', details: [expect.objectContaining({ path: 'name' })] } });
    const notGraph = await api('POST', '/api/scenarios', { name: 'x', graph: { nodes: 'nope' } });
    expect(notGraph.status).toBe(400);
    expect(notGraph.json).toMatchObject({ error: { code: 'invalid_body', details: expect.arrayContaining([expect.objectContaining({ path: expect.stringMatching(/^graph/) })]) } });
    const huge = await api('POST', '/api/scenarios', { name: 'x', description: 'a'.repeat(6 * 1024 * 1024) });
    expect(huge.status).toBe(413);
    expect(huge.json).toMatchObject({ error: { code: 'payload_too_large' } });
    const missing = await api('GET', '/api/scenarios/nope');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ error: { code: 'not_found' } });
    expect((await api('PUT', '/api/scenarios/nope', { name: 'x' })).status).toBe(404);
    expect((await api('POST', '/api/scenarios/nope/test-run', { inputs: {} })).status).toBe(404);
    const unknownRoute = await api('GET', '/api/nothing-here');
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.json).toMatchObject({ error: { code: 'not_found' } });
  });

  it('serves a page saying to build the client when dist/client is missing', async () => {
    const page = await api('GET', '/some/canvas/route');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/html/);
    expect(page.text).toContain('npm run build');
  });
});
