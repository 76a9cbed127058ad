import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { V1ErrorSchema, V1RunDetailSchema, V1RunResultSchema } from '@shared/v1.js';
import { echoGraph, parseSse } from './helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

let h: V1Harness;
let key: string;
let scenarioId: string;
const inputs = { transcript: '坐席：您好，请问有什么可以帮您？\n客户：我的宽带断了。' };

beforeAll(async () => {
  h = await startV1Harness();
  ({ scenarioId } = await h.publish('echo', echoGraph()));
  ({ key } = await h.key({ name: 'caller' }));
});
afterAll(async () => {
  await h?.close();
});

describe('POST /v1/scenarios/{slug}/run', () => {
  it('runs the live version and answers with outputs, usage, latency, model and the run id', async () => {
    const res = await h.v1('POST', '/v1/scenarios/echo/run', key, { inputs });
    expect(res.status).toBe(200);
    const body = V1RunResultSchema.parse(res.json);
    expect(body).toMatchObject({ scenario: 'echo', version: 1, status: 'succeeded', usage: { model_calls: 1 } });
    expect(typeof body.outputs.reply).toBe('string');
    expect(body.model).toContain('simulator');
    expect(res.headers.get('x-run-id')).toBe(body.run_id);
  });

  it('pins a version with ?version=N and refuses versions that do not exist', async () => {
    const v2 = await h.republish(scenarioId, { ...echoGraph(), nodes: echoGraph().nodes.map((n) => (n.id === 'llm_1' ? { ...n, config: { ...n.config, system: '第二版' } } : n)) });
    expect(v2).toBe(2);
    expect(V1RunResultSchema.parse((await h.v1('POST', '/v1/scenarios/echo/run', key, { inputs })).json).version).toBe(2);
    expect(V1RunResultSchema.parse((await h.v1('POST', '/v1/scenarios/echo/run?version=1', key, { inputs })).json).version).toBe(1);
    const missing = await h.v1('POST', '/v1/scenarios/echo/run?version=9', key, { inputs });
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ error: { code: 'unknown_version' } });
    const bad = await h.v1('POST', '/v1/scenarios/echo/run?version=abc', key, { inputs });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: 'invalid_version' } });
  });

  it('refuses bad inputs with 400 and the failing paths, with the run id', async () => {
    const res = await h.v1('POST', '/v1/scenarios/echo/run', key, { inputs: { transcript: 42 } });
    expect(res.status).toBe(400);
    const body = V1ErrorSchema.parse(res.json);
    expect(body.error.code).toBe('invalid_inputs');
    expect(body.error.details).toMatchObject({ run_id: body.run_id, problems: expect.arrayContaining([expect.objectContaining({ path: 'inputs.transcript' })]) });
    expect(res.headers.get('x-run-id')).toBe(body.run_id);
    const none = await h.v1('POST', '/v1/scenarios/echo/run', key, {});
    expect(none.status).toBe(400);
    expect(none.json).toMatchObject({ error: { code: 'invalid_inputs', details: { problems: [expect.objectContaining({ path: 'inputs.transcript', message: 'is required' })] } } });
    const notObject = await h.v1('POST', '/v1/scenarios/echo/run', key, [1, 2]);
    expect(notObject.status).toBe(400);
  });

  it('refuses a transcript whose turn ends before it starts, or has a negative time, naming the turn (as a live session does)', async () => {
    const turns = (t: object) => ({ inputs: { transcript: { turns: [{ role: '坐席', text: '您好', start: 0, end: 1.5 }, { role: '客户', text: '宽带断了', ...t }] } } });
    const late = await h.v1('POST', '/v1/scenarios/echo/run', key, turns({ start: 9, end: 2 }));
    expect(late.status).toBe(400);
    expect(late.json).toMatchObject({ error: { code: 'invalid_inputs' } });
    expect(late.text).toContain('inputs.transcript.turns.1');
    expect(late.text).toContain('end before it starts');
    const negative = await h.v1('POST', '/v1/scenarios/echo/run', key, turns({ start: -1 }));
    expect(negative.status).toBe(400);
    expect(negative.text).toContain('negative');
    expect((await h.v1('POST', '/v1/scenarios/echo/run', key, turns({ start: 2, end: 2 }))).status).toBe(200);
  });

  it('answers malformed JSON with 400 invalid_json and an oversized body with 413', async () => {
    const broken = await h.v1('POST', '/v1/scenarios/echo/run', key, '{"inputs": ');
    expect(broken.status).toBe(400);
    expect(V1ErrorSchema.parse(broken.json).error.code).toBe('invalid_json');
    const big = await h.v1('POST', '/v1/scenarios/echo/run', key, { inputs: { transcript: 'x'.repeat(1_100_000) } });
    expect(big.status).toBe(413);
    expect(V1ErrorSchema.parse(big.json)).toMatchObject({ error: { code: 'payload_too_large' } });
    expect(big.headers.get('x-run-id')).toBeTruthy();
  });

  it('answers an unknown scenario with 404 unknown_scenario', async () => {
    const res = await h.v1('POST', '/v1/scenarios/nope/run', key, { inputs });
    expect(res.status).toBe(404);
    expect(V1ErrorSchema.parse(res.json).error).toMatchObject({ code: 'unknown_scenario', message: 'no published scenario "nope"' });
  });

  it('streams events over SSE with event names = event types', async () => {
    const res = await fetch(`${h.server.url}/v1/scenarios/echo/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${key}` },
      body: JSON.stringify({ inputs }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const runId = res.headers.get('x-run-id');
    const events = parseSse(await res.text());
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('run.started');
    expect(names.at(-1)).toBe('run.finished');
    expect(names).toContain('node.started');
    expect(names.filter((n) => n === 'node.finished')).toHaveLength(3);
    for (const e of events) expect(e.data).toMatchObject({ type: e.event, run_id: runId });
  });
});

describe('GET /v1/runs/{id}', () => {
  it('shows a run with its per-node trace, before and after the log is flushed', async () => {
    const run = V1RunResultSchema.parse((await h.v1('POST', '/v1/scenarios/echo/run', key, { inputs })).json);
    const check = async () => {
      const res = await h.v1('GET', `/v1/runs/${run.run_id}`, key);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-run-id')).toBe(run.run_id);
      const detail = V1RunDetailSchema.parse(res.json);
      expect(detail).toMatchObject({ run_id: run.run_id, scenario: 'echo', status: 'succeeded', outputs: run.outputs, inputs });
      expect(detail.trace.map((t) => t.node_id)).toEqual(['start', 'llm_1', 'end']);
      const llm = detail.trace[1];
      expect(llm).toMatchObject({ status: 'finished', usage: { model_calls: 1 } });
      expect(llm.calls?.[0]?.messages.length).toBeGreaterThan(0);
      expect(typeof llm.latency_ms).toBe('number');
    };
    await check();
    await new Promise((r) => setTimeout(r, 150));
    await check();
  });

  it('hides runs from keys without the scenario in scope, and unknown ids, with the same 404', async () => {
    const run = V1RunResultSchema.parse((await h.v1('POST', '/v1/scenarios/echo/run', key, { inputs })).json);
    const other = await h.key({ name: 'other', scenarios: ['something-else'] });
    const hidden = await h.v1('GET', `/v1/runs/${run.run_id}`, other.key);
    const unknown = await h.v1('GET', '/v1/runs/00000000-0000-0000-0000-000000000000', other.key);
    expect(hidden.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(V1ErrorSchema.parse(hidden.json).error.code).toBe('unknown_run');
  });
});
