/**
 * The published OpenAPI document and the server cannot disagree: every `/v1` operation is driven to
 * each status it declares, and every reply is held to the document (status declared, media type
 * declared, body matching the schema). Job items' run ids resolve at `GET /v1/runs/{run_id}`.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthSchema } from '@shared/api.js';
import { GRAPH_FORMAT, type Graph } from '@shared/graph.js';
import { JobCreatedSchema, JobProgressSchema, JobResultLineSchema } from '@shared/jobs.js';
import { V1RunDetailSchema } from '@shared/v1.js';
import { buildXlsx } from '../../bench/xlsx-fixture.js';
import { ContractChecker } from './contract-check.js';
import { call, echoGraph, parseSse } from './helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

/** start → one code node → end (`n`). */
function codeGraph(name: string, code: string, timeoutMs: number): Graph {
  return {
    schema: GRAPH_FORMAT,
    name,
    nodes: [
      { id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [{ name: 'transcript', type: 'transcript', required: true }] } },
      { id: 'c', kind: 'code', version: 1, position: { x: 300, y: 0 }, config: { code, timeoutMs, inputs: [], outputs: [{ name: 'n', type: 'integer' }] } },
      { id: 'end', kind: 'end', version: 1, position: { x: 600, y: 0 }, config: { outputs: [{ name: 'n', value: '{{ c.n }}', type: 'integer' }] } },
    ],
    edges: [
      { id: 'e1', source: 'start', sourcePort: 'out', target: 'c', targetPort: 'in' },
      { id: 'e2', source: 'c', sourcePort: 'out', target: 'end', targetPort: 'in' },
    ],
  };
}

const inputs = { transcript: '坐席：您好\n客户：宽带断了' };
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let h: V1Harness;
let faulty: V1Harness;
let slow: V1Harness;
let key: string;
let limited: string;
let checker: ContractChecker;
const problems: string[] = [];

interface SendOptions {
  key?: string | null;
  json?: unknown;
  body?: string | Uint8Array<ArrayBuffer>;
  headers?: Record<string, string>;
  base?: string;
}

/** A request to a harness, held to the document. */
async function send(method: string, path: string, options: SendOptions = {}) {
  const headers: Record<string, string> = { ...options.headers };
  const bearer = options.key === undefined ? key : options.key;
  if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch((options.base ?? h.server.url) + path, { method, headers, body });
  const text = await res.text();
  const reply = { status: res.status, contentType: res.headers.get('content-type') ?? '', text };
  problems.push(...checker.check(method, path, reply));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { ...reply, json, headers: res.headers };
}

async function waitFor(jobId: string): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    const progress = JobProgressSchema.parse((await send('GET', `/v1/jobs/${jobId}`)).json);
    if (progress.status === 'completed' || progress.status === 'cancelled') return;
    if (Date.now() > until) throw new Error(`job ${jobId} not finished`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  // One sandbox worker that waits 400 ms at most (503), small body and upload limits (413).
  h = await startV1Harness({ MOFANG_CODE_WORKERS: '1', MOFANG_CODE_QUEUE_MS: '400', MOFANG_API_BODY_LIMIT: '16kb', MOFANG_JOB_UPLOAD_LIMIT: '64kb' });
  faulty = await startV1Harness({ MOFANG_SIM_ERROR_RATE: '1' });
  slow = await startV1Harness({ MOFANG_SIM_TTFT_MS: '3000', MOFANG_RUN_DEADLINE_MS: '150' });
  for (const harness of [h, faulty, slow]) await harness.publish('echo', echoGraph());
  await h.publish('busy-loop', codeGraph('busy', 'function main() { while (true) {} }', 2000));
  await h.publish('quick-code', codeGraph('quick', 'function main() { return { n: 1 }; }', 1000));
  await h.publish('throws', codeGraph('throws', "function main() { throw new Error('boom'); }", 1000));
  const gone = await h.publish('gone', echoGraph('gone'));
  const broken = JSON.stringify({ ...echoGraph('gone'), nodes: echoGraph('gone').nodes.map((n) => (n.id === 'llm_1' ? { ...n, kind: 'removed_kind' } : n)) });
  await h.store.db.update(h.store.t.scenarioVersions).set({ graph: JSON.parse(broken) }).where(eq(h.store.t.scenarioVersions.scenarioId, gone.scenarioId));
  key = (await h.key()).key;
  limited = (await h.key({ rate_limit: 1 })).key;
  checker = new ContractChecker((await call(h.server.url, 'GET', '/v1/openapi.json')).json);
  // The limited key's one request a minute, spent: every later call with it is a 429.
  await send('GET', '/v1/runs/none', { key: limited });
}, 60_000);

afterAll(async () => {
  await Promise.all([h?.close(), faulty?.close(), slow?.close()]);
});

describe('the run API', () => {
  it('answers runs, streams and refusals as its document declares', async () => {
    const ok = await send('POST', '/v1/scenarios/echo/run', { json: { inputs } });
    expect(ok.status).toBe(200);
    const streamed = await send('POST', '/v1/scenarios/echo/run/stream', { json: { inputs } });
    expect(streamed.status).toBe(200);
    expect(parseSse(streamed.text).at(-1)?.event).toBe('run.finished');
    // A reconnect naming a run the server does not know: 204, so an EventSource stops (no second run).
    const gone = await send('POST', '/v1/scenarios/echo/run/stream', { json: { inputs }, headers: { 'last-event-id': '0190d4a0-0000-7000-8000-000000000000:3' } });
    expect(gone.status).toBe(204);

    for (const path of ['/v1/scenarios/echo/run', '/v1/scenarios/echo/run/stream']) {
      expect((await send('POST', path, { json: { inputs: {} } })).json).toMatchObject({ error: { code: 'invalid_inputs' } });
      expect((await send('POST', path, { body: '{"inputs":', headers: { 'content-type': 'application/json' } })).status).toBe(400);
      expect((await send('POST', path, { key: null, json: { inputs } })).status).toBe(401);
      expect((await send('POST', path.replace('echo', 'nope'), { json: { inputs } })).status).toBe(404);
      expect((await send('POST', path.replace('echo', 'gone'), { json: { inputs } })).status).toBe(409);
      expect((await send('POST', path, { json: { inputs: { transcript: 'x'.repeat(20_000) } } })).status).toBe(413);
      expect((await send('POST', path, { body: JSON.stringify({ inputs }), headers: { 'content-type': 'application/json; charset=latin1' } })).status).toBe(415);
      expect((await send('POST', path, { key: limited, json: { inputs } })).status).toBe(429);
    }
    expect(problems).toEqual([]);
  });

  it('answers failed runs with 422, 502, 503 and 504, each with its run id', async () => {
    // The one worker loops until its node times out (422); a run queued behind it waits 400 ms (503).
    expect((await send('POST', '/v1/scenarios/quick-code/run', { json: { inputs } })).status).toBe(200);
    const looping = send('POST', '/v1/scenarios/busy-loop/run', { json: { inputs } });
    const deadline = Date.now() + 5000;
    while (HealthSchema.parse((await call(h.server.url, 'GET', '/api/health')).json).sandbox?.running !== 1) {
      if (Date.now() > deadline) throw new Error('the busy loop never started');
      await new Promise((r) => setTimeout(r, 10));
    }
    const queued = await send('POST', '/v1/scenarios/quick-code/run', { json: { inputs } });
    expect(queued.status).toBe(503);
    expect((await looping).status).toBe(422);
    const thrown = await send('POST', '/v1/scenarios/throws/run', { json: { inputs } });
    expect(thrown.json).toMatchObject({ error: { code: 'run_failed', details: { cause: 'code_error' } } });
    const model = await send('POST', '/v1/scenarios/echo/run', { json: { inputs }, base: faulty.server.url, key: (await faulty.key()).key });
    expect(model.status).toBe(502);
    const late = await send('POST', '/v1/scenarios/echo/run', { json: { inputs }, base: slow.server.url, key: (await slow.key()).key });
    expect(late.status).toBe(504);
    for (const reply of [queued, thrown, model, late]) expect(reply.json).toMatchObject({ run_id: reply.headers.get('x-run-id') });
    expect(problems).toEqual([]);
  }, 30_000);
});

describe('the jobs API', () => {
  it('takes each upload format at its own path, with or without a Content-Type, and refuses as declared', async () => {
    const xlsx = new Uint8Array(await buildXlsx(['id', 'transcript'], 1, () => ['a', inputs.transcript]));
    const uploads: Array<{ path: string; media: string; body: string | Uint8Array<ArrayBuffer>; other: string | Uint8Array<ArrayBuffer> }> = [
      { path: '', media: 'application/json', body: JSON.stringify({ items: [{ id: 'a', inputs }] }), other: JSON.stringify({ items: [{ id: 'b', inputs }] }) },
      { path: '/jsonl', media: 'application/x-ndjson', body: `${JSON.stringify({ id: 'a', inputs })}\n`, other: `${JSON.stringify({ id: 'b', inputs })}\n` },
      { path: '/csv', media: 'text/csv', body: `id,transcript\na,"${inputs.transcript}"\n`, other: `id,transcript\nb,"${inputs.transcript}"\n` },
      { path: '/xlsx', media: XLSX, body: xlsx, other: new Uint8Array(await buildXlsx(['id', 'transcript'], 1, () => ['b', inputs.transcript])) },
    ];
    for (const u of uploads) {
      const path = `/v1/scenarios/echo/jobs${u.path}`;
      const idempotency = `contract${u.path}`;
      // Format paths read a body sent without a Content-Type (fetch sends a string as text/plain) as their format.
      const headers: Record<string, string> = u.path === '' ? { 'content-type': u.media } : {};
      const created = await send('POST', path, { body: u.body, headers: { ...headers, 'idempotency-key': idempotency } });
      expect(created.status, `${path}: ${created.text}`).toBe(202);
      const again = await send('POST', path, { body: u.body, headers: { ...headers, 'idempotency-key': idempotency } });
      expect(again.status).toBe(200);
      expect(again.json).toEqual(created.json);
      expect((await send('POST', path, { body: u.other, headers: { ...headers, 'idempotency-key': idempotency } })).status).toBe(409);
      expect((await send('POST', `${path}?version=x`, { body: u.body, headers })).status).toBe(400);
      expect((await send('POST', path, { key: null, body: u.body, headers })).status).toBe(401);
      expect((await send('POST', path.replace('echo', 'nope'), { body: u.body, headers })).status).toBe(404);
      expect((await send('POST', path, { body: new Uint8Array(70_000).fill(0x41), headers })).status).toBe(413);
      expect((await send('POST', path, { body: u.body, headers: { 'content-type': 'application/pdf' } })).status).toBe(415);
      // `curl --data-binary @calls.jsonl` sends its default form type: a format path reads it as its format.
      if (u.path !== '') expect((await send('POST', path, { body: u.body, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(202);
      expect((await send('POST', path, { key: limited, body: u.body, headers })).status).toBe(429);
    }
    expect(problems).toEqual([]);
  });

  it("reports progress and results, cancels, retries, and resolves each item's run id with its trace", async () => {
    const job = JobCreatedSchema.parse((await send('POST', '/v1/scenarios/echo/jobs', { json: { items: [{ id: 'a', inputs }, { id: 'b', inputs }] } })).json);
    await waitFor(job.job_id);
    const results = await send('GET', `/v1/jobs/${job.job_id}/results`);
    expect(results.contentType).toMatch(/^application\/x-ndjson/);
    const lines = results.text.trim().split('\n').map((l) => JobResultLineSchema.parse(JSON.parse(l)));
    expect(lines.map((l) => l.status)).toEqual(['succeeded', 'succeeded']);
    for (const line of lines) {
      const run = await send('GET', `/v1/runs/${line.run_id}`);
      expect(run.status, run.text).toBe(200);
      const detail = V1RunDetailSchema.parse(run.json);
      expect(detail).toMatchObject({ run_id: line.run_id, scenario: 'echo', status: 'succeeded', outputs: line.outputs });
      expect(detail.trace.map((t) => t.node_id)).toEqual(['start', 'llm_1', 'end']);
    }
    // Once the run log has written them (it batches), they are read from the store.
    await new Promise((r) => setTimeout(r, 300));
    expect(V1RunDetailSchema.parse((await send('GET', `/v1/runs/${lines[0].run_id}`)).json).trace).toHaveLength(3);
    expect((await send('GET', `/v1/runs/${lines[0].run_id}`, { key: null })).status).toBe(401);
    expect((await send('GET', `/v1/runs/${lines[0].run_id}`, { key: limited })).status).toBe(429);
    expect((await send('GET', '/v1/runs/no-such-run')).status).toBe(404);

    expect((await send('POST', `/v1/jobs/${job.job_id}/cancel`)).json).toMatchObject({ error: { code: 'job_ended' } });
    expect((await send('POST', `/v1/jobs/${job.job_id}/items/a/retry`)).json).toMatchObject({ error: { code: 'item_not_failed' } });
    expect((await send('POST', `/v1/jobs/${job.job_id}/items/zz/retry`)).json).toMatchObject({ error: { code: 'unknown_item' } });

    const failing = JobCreatedSchema.parse((await send('POST', '/v1/scenarios/throws/jobs', { json: { items: [{ id: 'x', inputs }] } })).json);
    await waitFor(failing.job_id);
    const retried = await send('POST', `/v1/jobs/${failing.job_id}/items/x/retry`);
    expect(retried.status).toBe(202);
    await waitFor(failing.job_id);

    const long = JobCreatedSchema.parse((await send('POST', '/v1/scenarios/busy-loop/jobs', { json: { items: [{ inputs }, { inputs }] } })).json);
    expect((await send('POST', `/v1/jobs/${long.job_id}/cancel`)).status).toBe(200);
    expect((await send('POST', `/v1/jobs/${long.job_id}/items/1/retry`)).json).toMatchObject({ error: { code: 'job_cancelled' } });

    for (const path of [`/v1/jobs/${job.job_id}`, `/v1/jobs/${job.job_id}/results`]) {
      expect((await send('GET', path, { key: null })).status).toBe(401);
      expect((await send('GET', path, { key: limited })).status).toBe(429);
      expect((await send('GET', path.replace(job.job_id, 'no-such-job'))).status).toBe(404);
    }
    for (const path of [`/v1/jobs/${job.job_id}/cancel`, `/v1/jobs/${job.job_id}/items/a/retry`]) {
      expect((await send('POST', path, { key: null })).status).toBe(401);
      expect((await send('POST', path, { key: limited })).status).toBe(429);
      expect((await send('POST', path.replace(job.job_id, 'no-such-job'))).status).toBe(404);
    }
    expect(problems).toEqual([]);
  }, 60_000);
});

describe('the session API', () => {
  it('starts, feeds, follows, reads and ends a live session, and refuses as declared', async () => {
    const plain = echoGraph('plain');
    plain.nodes[0].config = { inputs: [{ name: 'question', type: 'string', required: true }] };
    plain.nodes[1].config = { system: 's', user: '{{ start.question }}' };
    await h.publish('plain-question', plain);
    const create = '/v1/scenarios/echo/sessions';
    const created = await send('POST', create, { json: { call_id: 'c-1' } });
    expect(created.status, created.text).toBe(201);
    const id = (created.json as { session_id: string }).session_id;
    expect((await send('POST', create, { json: { call: 'x' } })).status).toBe(400);
    expect((await send('POST', create, { key: null, json: {} })).status).toBe(401);
    expect((await send('POST', create.replace('echo', 'nope'), { json: {} })).status).toBe(404);
    expect((await send('POST', create.replace('echo', 'gone'), { json: {} })).status).toBe(409);
    expect((await send('POST', create.replace('echo', 'plain-question'), { json: {} })).status).toBe(422);
    expect((await send('POST', create, { key: limited, json: {} })).status).toBe(429);

    const turns = `/v1/sessions/${id}/turns`;
    expect((await send('POST', turns, { json: { turns: [{ id: 't1', role: 'customer', text: '宽带断了' }] } })).status).toBe(202);
    expect((await send('POST', turns, { json: { turns: [] } })).status).toBe(400);
    expect((await send('POST', turns, { key: null, json: { turns: [{ role: 'agent', text: 'x' }] } })).status).toBe(401);
    expect((await send('POST', turns.replace(id, 'no-such-session'), { json: { turns: [{ role: 'agent', text: 'x' }] } })).status).toBe(404);
    expect((await send('POST', turns, { json: { turns: [{ role: 'agent', text: 'x'.repeat(20_000) }] } })).status).toBe(413);
    expect((await send('POST', turns, { key: limited, json: { turns: [{ role: 'agent', text: 'x' }] } })).status).toBe(429);
    for (const path of [`/v1/sessions/${id}`, `/v1/sessions/${id}/events`]) {
      expect((await send('GET', path, { key: null })).status).toBe(401);
      expect((await send('GET', path, { key: limited })).status).toBe(429);
      expect((await send('GET', path.replace(id, 'no-such-session'))).status).toBe(404);
    }
    expect((await send('GET', `/v1/sessions/${id}/events`, { headers: { 'last-event-id': 'other:1' } })).status).toBe(400);
    const end = `/v1/sessions/${id}/end`;
    expect((await send('POST', end, { key: null })).status).toBe(401);
    expect((await send('POST', end, { key: limited })).status).toBe(429);
    expect((await send('POST', end.replace(id, 'no-such-session'))).status).toBe(404);
    expect((await send('POST', end)).status).toBe(200);
    expect((await send('POST', turns, { json: { turns: [{ role: 'agent', text: '再见' }] } })).status).toBe(409);
    expect((await send('GET', `/v1/sessions/${id}`)).status).toBe(200);
    const stream = await send('GET', `/v1/sessions/${id}/events`);
    expect(stream.status).toBe(200);
    const last = parseSse(stream.text).at(-1);
    expect(last?.event).toBe('session.ended');
    // A reconnect after the end: nothing more will come.
    expect((await send('GET', `/v1/sessions/${id}/events`, { headers: { 'last-event-id': String(last?.id) } })).status).toBe(204);
    expect(problems).toEqual([]);
  }, 30_000);
});

describe('the document', () => {
  it('declares no status the server was not seen to send', () => {
    const unseen = checker.unseen(() => true);
    // Seen only with several servers, one killed during a session's final run (server/src/sessions/final-runs.test.ts
    // and cluster.ts forwardEnd): the end still `ending` after the run deadline + 5 s answers 202.
    const end = 'POST /v1/sessions/{session_id}/end';
    if (unseen[end]) unseen[end] = unseen[end].filter((s) => s !== '202');
    if (unseen[end]?.length === 0) delete unseen[end];
    expect(unseen).toEqual({});
  });
});
