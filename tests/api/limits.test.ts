/**
 * Issue 10's first cases, over real HTTP: values nested, long or big past the limits are refused where
 * they arrive, naming the limit and its setting; nothing stored can fail a list; nothing a node returns
 * can take the server down.
 */
import { sqliteOnly } from './test-store.js';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_FORMAT, type Graph } from '@shared/graph.js';
import { call, echoGraph } from './helpers.js';
import { waitForJob } from './jobs-helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

function codeGraph(code: string): Graph {
  return {
    schema: GRAPH_FORMAT,
    name: 'code',
    nodes: [
      { id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [{ name: 'transcript', type: 'transcript', required: true }] } },
      { id: 'code_1', kind: 'code', version: 1, position: { x: 300, y: 0 }, config: { code, outputs: [{ name: 'out', type: 'object' }] } },
      { id: 'end', kind: 'end', version: 1, position: { x: 600, y: 0 }, config: { outputs: [{ name: 'reply', value: '{{ code_1.out | json }}' }] } },
    ],
    edges: [
      { id: 'e1', source: 'start', sourcePort: 'out', target: 'code_1', targetPort: 'in' },
      { id: 'e2', source: 'code_1', sourcePort: 'out', target: 'end', targetPort: 'in' },
    ],
  };
}

function chainGraph(n: number): Graph {
  const graph = echoGraph('big');
  const nodes = [graph.nodes[0]];
  const edges: Graph['edges'] = [];
  let prev = 'start';
  for (let i = 1; i <= n; i++) {
    nodes.push({ id: `t_${i}`, kind: 'template', version: 1, position: { x: i, y: 0 }, config: { template: '{{ start.transcript.text }}' } });
    edges.push({ id: `e${i}`, source: prev, sourcePort: 'out', target: `t_${i}`, targetPort: 'in' });
    prev = `t_${i}`;
  }
  nodes.push({ id: 'end', kind: 'end', version: 1, position: { x: 0, y: 0 }, config: { outputs: [{ name: 'reply', value: `{{ ${prev}.text }}` }] } });
  edges.push({ id: 'eend', source: prev, sourcePort: 'out', target: 'end', targetPort: 'in' });
  return { ...graph, nodes, edges };
}

let h: V1Harness;
let key: string;
let deepCode: string;
const alive = async () => expect((await call(h.server.url, 'GET', '/api/health')).status).toBe(200);

beforeAll(async () => {
  h = await startV1Harness();
  await h.publish('echo', echoGraph());
  ({ scenarioId: deepCode } = await h.publish('deep-code', codeGraph('function main() { let o = {}; for (let i = 0; i < 200; i++) o = { a: o }; return { out: o }; }')));
  ({ key } = await h.key({ name: 'caller' }));
});
afterAll(async () => {
  await h?.close();
});

describe('values past the limits', () => {
  it('refuses a run whose transcript.meta is 12 000 objects deep (72 KB), naming the path, the limit and its setting', async () => {
    const body = `{"inputs":{"transcript":{"turns":[{"role":"customer","text":"宽带断了"}],"meta":${deep(12_000)}}}}`;
    const res = await h.v1('POST', '/v1/scenarios/echo/run', key, body);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 'too_deep', details: { limit: 64, setting: 'MOFANG_MAX_JSON_DEPTH' } } });
    expect((res.json as { error: { message: string } }).error.message).toMatch(/^body\.inputs\.transcript\.meta\.a/);
    await alive();
    // The caller can still run.
    expect((await h.v1('POST', '/v1/scenarios/echo/run', key, { inputs: { transcript: '客户：宽带断了' } })).status).toBe(200);
  });

  it('refuses the 24 KB form of the report (12 000 nested lists) on the fast lane and on the streaming route through Express', async () => {
    const body = `{"inputs":{"transcript":{"turns":[{"role":"customer","text":"宽带断了"}],"meta":${'['.repeat(12_000)}${']'.repeat(12_000)}}}}`;
    expect(body.length).toBeGreaterThan(24_000);
    expect(body.length).toBeLessThan(25_000);
    for (const accept of ['application/json', 'text/event-stream']) {
      const res = await h.v1('POST', '/v1/scenarios/echo/run', key, body, { accept });
      expect(res.status, accept).toBe(400);
      expect(res.json, accept).toMatchObject({ error: { code: 'too_deep', details: { limit: 64, setting: 'MOFANG_MAX_JSON_DEPTH' } } });
    }
    await alive();
  });

  it('logs a run whose transcript.meta is as deep as a body may be, and serves it back; the server stays up', async () => {
    // The body itself is levels 1-3 (body, inputs, transcript): meta may nest 61 more, not 62.
    const body = (n: number) => `{"inputs":{"transcript":{"turns":[{"role":"customer","text":"宽带断了"}],"meta":${deep(n)}}}}`;
    expect((await h.v1('POST', '/v1/scenarios/echo/run', key, body(62))).status).toBe(400);
    const res = await h.v1('POST', '/v1/scenarios/echo/run', key, body(61));
    expect(res.status, res.text).toBe(200);
    const runId = (res.json as { run_id: string }).run_id;
    await new Promise((r) => setTimeout(r, 300)); // the run log writes behind
    const logged = await h.v1('GET', `/v1/runs/${runId}`, key);
    expect(logged.status, logged.text).toBe(200);
    expect(logged.json).toMatchObject({ run_id: runId });
    await alive();
    expect((await call(h.server.url, 'GET', `/api/runs/${runId}`)).status).toBeLessThan(500);
  });

  // The planted row is what an older version left in a SQLite file (past SQLite's own 1,000-level JSON limit).
  it.skipIf(sqliteOnly)('refuses a scenario with 999-deep JSON, and a row like it already stored does not fail the list', async () => {
    const graph = echoGraph('deep');
    const withDeep = { ...graph, nodes: graph.nodes.map((n) => (n.id === 'llm_1' ? { ...n, config: { ...n.config, extra: JSON.parse(deep(999)) } } : n)) };
    const res = await call(h.server.url, 'POST', '/api/scenarios', { name: 'deep', graph: withDeep });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 'too_deep', details: { setting: 'MOFANG_MAX_JSON_DEPTH' } } });
    // As an older version would have stored it (SQLite's own JSON functions stop at 1000 levels).
    const stored = `{"schema":"mofang.graph/v1","name":"old","nodes":[{"id":"x","config":${deep(1200)}}],"edges":[]}`;
    h.store.db.run(sql`insert into scenarios (id, name, description, graph, created_at, updated_at, revision) values ('old-deep', 'old', '', ${stored}, 1, 1, 1)`);
    const list = await call(h.server.url, 'GET', '/api/scenarios');
    expect(list.status).toBe(200);
    expect(list.json).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'old-deep', node_count: 0 })]));
    expect((await call(h.server.url, 'GET', '/api/scenarios/old-deep')).status).toBeLessThan(500);
  });

  it('fails a code node whose output is too deep, in a test run, an API run and a job; the server stays up', async () => {
    const run = await h.v1('POST', '/v1/scenarios/deep-code/run', key, { inputs: { transcript: '客户：你好' } });
    expect(run.json).toMatchObject({ status: 'failed', error: { details: { node_id: 'code_1' } } });
    expect((run.json as { error: { message: string } }).error.message).toMatch(/64 levels.*\(the limit, set by MOFANG_MAX_JSON_DEPTH\)/);
    const test = await call(h.server.url, 'POST', `/api/scenarios/${deepCode}/test-run`, { inputs: { transcript: '客户：你好' } });
    expect(test.json).toMatchObject({ status: 'failed', error: { nodeId: 'code_1', details: { node_error: 'code_output_too_deep', info: { setting: 'MOFANG_MAX_JSON_DEPTH' } } } });
    const job = await h.v1('POST', '/v1/scenarios/deep-code/jobs', key, { items: [{ id: 'a', inputs: { transcript: '客户：你好' } }] });
    expect(job.status).toBe(202);
    const progress = await waitForJob(h.server.url, `/v1/jobs/${(job.json as { job_id: string }).job_id}`, { authorization: `Bearer ${key}` });
    expect(progress).toMatchObject({ status: 'completed', failed: 1 });
    await alive();
  });

  it('holds the 5 MB code result cap over HTTP when guest code replaces JSON.stringify (the report smuggled 60 MB)', async () => {
    // The reported trick: the host read {"json": [...]} from the guest's own JSON.stringify. Now it is never called.
    const smuggle = `JSON.stringify = function (v) { return v && typeof v === 'object' && 'json' in v ? '{"json":["{\\\\"a\\\\":\\\\"' + 'x'.repeat(60000000) + '\\\\"}"]}' : '{}'; };
      function main() { return { out: { a: 1 } }; }`;
    const { scenarioId: smuggled } = await h.publish('smuggle', codeGraph(smuggle));
    const run = await call(h.server.url, 'POST', `/api/scenarios/${smuggled}/test-run`, { inputs: { transcript: '客户：你好' } });
    expect(run.json).toMatchObject({ status: 'succeeded', outputs: { reply: '{"a":1}' } });
    // A small lie for a 6 MB result does not hide the result.
    const lie = `JSON.stringify = () => '{"out":{}}'; function main() { return { out: { big: 'x'.repeat(6 * 1024 * 1024) } }; }`;
    const big = { ...codeGraph(lie), nodes: codeGraph(lie).nodes.map((n) => (n.id === 'code_1' ? { ...n, config: { ...n.config, memoryMb: 128 } } : n)) };
    const { scenarioId: lied } = await h.publish('lie', big);
    const failed = await call(h.server.url, 'POST', `/api/scenarios/${lied}/test-run`, { inputs: { transcript: '客户：你好' } });
    expect(failed.json).toMatchObject({ status: 'failed', error: { nodeId: 'code_1', details: { node_error: 'code_output_too_large', info: { limit_bytes: 5 * 1024 * 1024 } } } });
    await alive();
  });

  it('refuses a job item past the limits, naming its line', async () => {
    const lines = ['{"inputs":{"transcript":"客户：你好"}}', `{"inputs":{"transcript":{"turns":[{"role":"customer","text":"hi"}],"meta":${deep(100)}}}}`].join('\n');
    const res = await h.v1('POST', '/v1/scenarios/echo/jobs', key, lines, { 'content-type': 'application/x-ndjson' });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 'invalid_item', details: { line: 2 } } });
    expect((res.json as { error: { message: string } }).error.message).toContain('MOFANG_MAX_JSON_DEPTH');
  });
});

describe('stored rows a read must survive', () => {
  it('answers a published version that no longer compiles with version_not_runnable, and still shows it', async () => {
    const { scenarioId } = await h.publish('gone', echoGraph('gone'));
    const stored = JSON.stringify({ ...echoGraph('gone'), nodes: echoGraph('gone').nodes.map((n) => (n.id === 'llm_1' ? { ...n, kind: 'removed_kind' } : n)) });
    await h.store.db.update(h.store.t.scenarioVersions).set({ graph: JSON.parse(stored) }).where(eq(h.store.t.scenarioVersions.scenarioId, scenarioId));
    const run = await h.v1('POST', '/v1/scenarios/gone/run', key, { inputs: { transcript: '客户：你好' } });
    expect(run.status).toBe(409);
    expect(run.json).toMatchObject({ error: { code: 'version_not_runnable' } });
    expect((run.json as { error: { message: string } }).error.message).toContain('publish the draft again');
    expect((await h.v1('POST', '/v1/scenarios/gone/jobs', key, { items: [{ inputs: { transcript: '客户：你好' } }] })).status).toBe(409);
    expect((await call(h.server.url, 'GET', `/api/scenarios/${scenarioId}/versions/1`)).status).toBe(200);
    expect((await call(h.server.url, 'GET', '/v1/scenarios/gone/openapi.json')).status).toBeLessThan(500);
  });
});

describe('graphs past the limits', () => {
  it('answers a 10 000-node graph at once with graph_too_large, and refuses to store it', async () => {
    const big = chainGraph(10_000);
    const started = performance.now();
    const compiled = await call(h.server.url, 'POST', '/api/compile', big);
    // The report: 35 s. Loose for a loaded machine; the event-loop stall is measured by bench:loop.
    expect(performance.now() - started).toBeLessThan(2000);
    expect(compiled.status).toBe(200);
    expect(compiled.json).toMatchObject({ ok: false, errors: [{ code: 'graph_too_large', params: { hint: 'nodes', count: 10_002, limit: 500, setting: 'MOFANG_MAX_GRAPH_NODES' } }, { params: { hint: 'edges' } }] });
    const saved = await call(h.server.url, 'POST', '/api/scenarios', { name: 'big', graph: big });
    expect(saved.status).toBe(413);
    expect(saved.json).toMatchObject({ error: { code: 'graph_too_large' } });
    // At the limit it compiles, as promptly.
    const atLimit = performance.now();
    expect((await call(h.server.url, 'POST', '/api/compile', chainGraph(498))).json).toMatchObject({ ok: true });
    expect(performance.now() - atLimit).toBeLessThan(2000);
  });

  it('refuses graph imports past the limits as it refuses saves: a bare graph, a scenario file, a template file', async () => {
    const graph = echoGraph('import-deep');
    const withDeep = { ...graph, nodes: graph.nodes.map((n) => (n.id === 'llm_1' ? { ...n, config: { ...n.config, extra: JSON.parse(deep(999)) } } : n)) };
    const scenarioFile = { format: 'mofang.scenario/v1', graph: withDeep };
    for (const [url, body] of [['/api/scenarios/import', withDeep], ['/api/scenarios/import', scenarioFile], ['/api/templates/import', { format: 'mofang.template/v1', meta: { id: 'deep-tpl' }, graph: withDeep }]] as const) {
      const res = await call(h.server.url, 'POST', url, body);
      expect(res.status, `${url} ${res.text.slice(0, 200)}`).toBe(400);
      expect(res.json, url).toMatchObject({ error: { code: 'too_deep', details: { setting: 'MOFANG_MAX_JSON_DEPTH' } } });
    }
    const big = await call(h.server.url, 'POST', '/api/scenarios/import', chainGraph(10_000));
    expect(big.status).toBe(413);
    expect(big.json).toMatchObject({ error: { code: 'graph_too_large' } });
    await alive();
  });

  it('refuses a node whose settings are past their size, naming the node', async () => {
    const graph = echoGraph('long');
    const long = { ...graph, nodes: graph.nodes.map((n) => (n.id === 'llm_1' ? { ...n, config: { ...n.config, system: '长'.repeat(100_000) } } : n)) };
    const res = await call(h.server.url, 'POST', '/api/compile', long);
    expect(res.json).toMatchObject({ ok: false, errors: [{ nodeId: 'llm_1', code: 'config_too_large', params: { setting: 'MOFANG_MAX_NODE_CONFIG_BYTES' } }] });
  });
});

describe('the limits are settings', () => {
  it('takes MOFANG_MAX_JSON_DEPTH and MOFANG_MAX_GRAPH_NODES from the environment', async () => {
    const other = await startV1Harness({ MOFANG_MAX_JSON_DEPTH: '6', MOFANG_MAX_GRAPH_NODES: '20' });
    try {
      const res = await call(other.server.url, 'POST', '/api/compile', { a: JSON.parse(deep(6)) });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ error: { code: 'too_deep', details: { limit: 6 } } });
      expect((await call(other.server.url, 'POST', '/api/compile', chainGraph(30))).json).toMatchObject({ errors: [{ code: 'graph_too_large', params: { hint: 'nodes', limit: 20 } }] });
    } finally {
      await other.close();
    }
  });
});
