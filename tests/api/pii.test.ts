/**
 * The routes that send customers' data, read by a user without `pii:read`: a server whose access check
 * (the `canReadPii` option) grants it only to requests carrying `x-test-pii: 1`, so each route is read
 * both ways from one store; then the real check, by role, on a server of its own.
 */
import type { OpenDataStore } from '../../server/src/storage/store.js';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunDetailSchema, RunSummarySchema } from '@shared/api.js';
import { CallDetailSchema, CallPageSchema } from '@shared/dashboard.js';
import { GRAPH_FORMAT, type Graph } from '@shared/graph.js';
import { JobCreatedSchema } from '@shared/jobs.js';
import { loadConfig } from '../../server/src/config.js';
import { startServer, type RunningServer } from '../../server/src/http/server.js';
import { publishNow } from './v1-helpers.js';
import { openTestStore, storeEnv } from './test-store.js';
import { TranscriptRetention } from '../../server/src/storage/retention.js';
import { createScenario } from '../../server/src/storage/scenarios.js';
import { authHeaders, call, echoGraph, removeDir, SIM_ENV, parseSse, signInAdmin, signInAs, startTestServer, tempDir } from './helpers.js';
import { auditGraph, resultLines, waitForJob } from './jobs-helpers.js';

const PHONE = '13912345678';
const SHOWN = '139****5678';
const TRANSCRIPT = `坐席：您好，工号 2046。\n客户：电话 ${PHONE}，地址济南市历下区新泺大街 1166 号奥盛大厦 3 号楼 2 单元 501 室。`;
const FULL = { 'x-test-pii': '1' };

/** start → end, the transcript's text as the output `said`: the outputs hold what the customer said. */
function parrotGraph(): Graph {
  return {
    schema: GRAPH_FORMAT,
    name: 'parrot',
    nodes: [
      { id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [{ name: 'transcript', type: 'transcript', required: true }] } },
      { id: 'end', kind: 'end', version: 1, position: { x: 300, y: 0 }, config: { outputs: [{ name: 'said', value: '{{ start.transcript.text }}' }] } },
    ],
    edges: [{ id: 'e1', source: 'start', sourcePort: 'out', target: 'end', targetPort: 'in' }],
  };
}

let dir: string;
let server: RunningServer;
let store: OpenDataStore;
let echoId: string;
let parrotId: string;
let auditId: string;

async function publish(slug: string, graph: Graph): Promise<string> {
  const scenario = await createScenario(store, { name: slug, graph });
  await publishNow(store, scenario.id, 'test', slug);
  return scenario.id;
}

async function job(scenarioId: string): Promise<string> {
  const body = [{ id: 'c1', inputs: { transcript: TRANSCRIPT } }].map((i) => JSON.stringify(i)).join('\n');
  const res = await call(server.url, 'POST', `/api/scenarios/${scenarioId}/jobs`, body, { 'content-type': 'application/x-ndjson' });
  expect(res.status).toBe(202);
  const { job_id } = JobCreatedSchema.parse(res.json);
  await waitForJob(server.url, `/api/jobs/${job_id}`);
  return job_id;
}

beforeAll(async () => {
  dir = tempDir('mofang-pii-');
  const config = loadConfig({ ...SIM_ENV, ...(await storeEnv(dir)), PORT: '0', HOST: '127.0.0.1', MOFANG_DATA_DIR: dir });
  server = await startServer(config, { signals: false, log: () => {}, staticDir: path.join(dir, 'no-client-build'), canReadPii: (req) => req.get('x-test-pii') === '1' });
  await signInAdmin(server.url);
  store = await openTestStore(dir);
  echoId = (await createScenario(store, { name: 'echo', graph: echoGraph() })).id;
  parrotId = await publish('parrot', parrotGraph());
  auditId = await publish('audit', auditGraph());
});
afterAll(async () => {
  await server.close();
  await store.close();
  removeDir(dir);
});

describe('without pii:read', () => {
  it('a test run answers, streams and stores its trace masked; the run list and detail too', async () => {
    const res = await call(server.url, 'POST', `/api/scenarios/${echoId}/test-run`, { inputs: { transcript: TRANSCRIPT } });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain(PHONE);

    const stream = await fetch(`${server.url}/api/scenarios/${echoId}/test-run`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...authHeaders(server.url) }, body: JSON.stringify({ inputs: { transcript: TRANSCRIPT } }) });
    const events = parseSse(await stream.text());
    expect(events.map((e) => e.event)).toContain('run.started');
    expect(JSON.stringify(events)).not.toContain(PHONE);
    expect(JSON.stringify(events)).toContain(SHOWN);

    const runs = RunSummarySchema.array().parse((await call(server.url, 'GET', `/api/scenarios/${echoId}/runs`)).json);
    expect(runs).toHaveLength(2);
    const masked = await call(server.url, 'GET', `/api/runs/${runs[0].id}`);
    const run = RunDetailSchema.parse(masked.json);
    expect(run.inputs).toEqual({ transcript: `坐席：您好，工号 2046。\n客户：电话 ${SHOWN}，地址济南市历下区****。` });
    // The prompt sent to the model held the transcript: masked in the trace.
    const llm = run.events.find((e) => e.type === 'node.finished' && e.kind === 'llm');
    expect(llm?.type === 'node.finished' && llm.calls?.[0].messages.some((m) => m.content.includes(SHOWN))).toBe(true);
    expect(masked.text).not.toContain(PHONE);
    expect(masked.text).not.toContain('1166');

    const full = await call(server.url, 'GET', `/api/runs/${runs[0].id}`, undefined, FULL);
    expect(RunDetailSchema.parse(full.json).inputs).toEqual({ transcript: TRANSCRIPT });
  });

  it('job results (JSONL and CSV) and the dashboard call come out masked', async () => {
    const parrotJob = await job(parrotId);
    const jsonl = await call(server.url, 'GET', `/api/jobs/${parrotJob}/results`);
    expect(resultLines(jsonl.text)[0].outputs).toEqual({ said: expect.stringContaining(`电话 ${SHOWN}，地址济南市历下区****`) });
    expect(jsonl.text).not.toContain(PHONE);
    const csv = await call(server.url, 'GET', `/api/jobs/${parrotJob}/results?format=csv`);
    expect(csv.text).toContain(SHOWN);
    expect(csv.text).not.toContain(PHONE);
    expect((await call(server.url, 'GET', `/api/jobs/${parrotJob}/results`, undefined, FULL)).text).toContain(PHONE);

    const auditJob = await job(auditId);
    const detail = await call(server.url, 'GET', `/api/scenarios/${auditId}/dashboard/calls/${auditJob}/c1`);
    expect(detail.status).toBe(200);
    const turns = CallDetailSchema.parse(detail.json).transcript;
    expect(turns?.[1]).toEqual({ id: 't2', role: 'customer', text: `电话 ${SHOWN}，地址济南市历下区****。` });
    expect(detail.text).not.toContain(PHONE);
    const page = await call(server.url, 'GET', `/api/scenarios/${auditId}/dashboard/calls?job_id=${auditJob}&bucket=time:0-${Date.now() + 60_000}`);
    expect(page.status).toBe(200);
    expect(CallPageSchema.parse(page.json).total).toBe(1);
    expect(page.text).not.toContain(PHONE);
    const full = CallDetailSchema.parse((await call(server.url, 'GET', `/api/scenarios/${auditId}/dashboard/calls/${auditJob}/c1`, undefined, FULL)).json);
    expect(full.transcript?.[1].text).toContain(PHONE);
  });
});

describe('transcript retention', () => {
  it('a cleared job keeps its results and dashboard scores, shows no transcript, and refuses a retry', async () => {
    const auditJob = await job(auditId);
    const before = (await call(server.url, 'GET', `/api/jobs/${auditJob}/results`, undefined, FULL)).text;
    const swept = await new TranscriptRetention(store, { days: 1, now: () => Date.now() + 2 * 86_400_000 }).sweep();
    expect(swept.jobs).toBeGreaterThanOrEqual(1);
    expect((await call(server.url, 'GET', `/api/jobs/${auditJob}/results`, undefined, FULL)).text).toBe(before);
    const detail = CallDetailSchema.parse((await call(server.url, 'GET', `/api/scenarios/${auditId}/dashboard/calls/${auditJob}/c1`, undefined, FULL)).json);
    expect(detail.transcript).toBeNull();
    expect(detail.redacted_at).toEqual(expect.any(String));
    expect(detail.score).toEqual(expect.any(Number));
    const retry = await call(server.url, 'POST', `/api/jobs/${auditJob}/retry-failed`);
    expect(retry.status).toBe(409);
    expect(retry.json).toMatchObject({ error: { code: 'transcripts_redacted' } });
    const runs = RunSummarySchema.array().parse((await call(server.url, 'GET', `/api/scenarios/${echoId}/runs`)).json);
    expect(runs.every((r) => typeof r.redacted_at === 'string')).toBe(true);
    expect(RunDetailSchema.parse((await call(server.url, 'GET', `/api/runs/${runs[0].id}`, undefined, FULL)).json)).toMatchObject({ inputs: null, events: [] });
  });
});

describe('by role', () => {
  it('masks a test run for a designer and a viewer, not for an inspector or an admin', async () => {
    const own = tempDir('mofang-pii-roles-');
    const roles = await startTestServer(own);
    try {
      const created = await call(roles.url, 'POST', '/api/scenarios', { name: 'echo', graph: echoGraph() });
      expect(created.status).toBe(201);
      const id = String((created.json as { id: string }).id);
      const designer = await signInAs(roles.url, 'designer');
      const ran = await call(roles.url, 'POST', `/api/scenarios/${id}/test-run`, { inputs: { transcript: TRANSCRIPT } }, {}, { as: designer });
      expect(ran.status).toBe(200);
      expect(ran.text).toContain(SHOWN);
      expect(ran.text).not.toContain(PHONE);
      const runId = RunSummarySchema.array().parse((await call(roles.url, 'GET', `/api/scenarios/${id}/runs`)).json)[0].id;
      const read = async (as: Parameters<typeof call>[5]) => (await call(roles.url, 'GET', `/api/runs/${runId}`, undefined, {}, as)).text;
      expect(await read({ as: await signInAs(roles.url, 'viewer') })).not.toContain(PHONE);
      expect(await read({ as: designer })).not.toContain(PHONE);
      expect(await read({ as: await signInAs(roles.url, 'inspector') })).toContain(PHONE);
      expect(await read({})).toContain(PHONE); // the admin
    } finally {
      await roles.close();
      removeDir(own);
    }
  });
});
