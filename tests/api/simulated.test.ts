/**
 * Honest results: a run the built-in simulator answered says so in every reply that carries a result
 * (test run, its SSE events and trace, the run history, `/v1` run and run detail, the API run log), and a
 * run a real endpoint answered does not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunDetailSchema, RunResultSchema, RunSummarySchema, ScenarioSchema } from '@shared/api.js';
import { ApiRunsPageSchema, V1RunDetailSchema, V1RunResultSchema } from '@shared/v1.js';
import { z } from 'zod';
import { startMockOpenAI, type MockOpenAI } from '../../server/src/model/mock-openai.testing.js';
import { authHeaders, call, echoGraph, parseSse } from './helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

const inputs = { transcript: '坐席：您好\n客户：宽带断了' };

describe('a run answered by the simulator', () => {
  let h: V1Harness;
  let scenarioId: string;
  let key: string;
  beforeAll(async () => {
    h = await startV1Harness({ MOFANG_SIM_TTFT_MS: '0' });
    ({ scenarioId } = await h.publish('echo', echoGraph()));
    ({ key } = await h.key());
  });
  afterAll(async () => {
    await h?.close();
  });

  it('says simulated in the test run reply, its events, every model call and the run history', async () => {
    const res = await call(h.server.url, 'POST', `/api/scenarios/${scenarioId}/test-run`, { inputs });
    expect(RunResultSchema.parse(res.json).simulated).toBe(true);

    const streamed = await fetch(`${h.server.url}/api/scenarios/${scenarioId}/test-run`, {
      method: 'POST',
      headers: { ...authHeaders(h.server.url), 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ inputs }),
    });
    const events = parseSse(await streamed.text());
    expect(events.find((e) => e.event === 'run.finished')?.data).toMatchObject({ simulated: true });
    const llm = events.find((e) => e.event === 'node.finished' && (e.data as { node_id: string }).node_id === 'llm_1');
    expect(llm?.data).toMatchObject({ calls: [expect.objectContaining({ simulated: true })] });

    const runs = z.array(RunSummarySchema).parse((await call(h.server.url, 'GET', `/api/scenarios/${scenarioId}/runs`)).json);
    expect(runs.length).toBe(2);
    expect(runs.every((r) => r.simulated === true)).toBe(true);
    const detail = RunDetailSchema.parse((await call(h.server.url, 'GET', `/api/runs/${runs[0].id}`)).json);
    expect(detail.simulated).toBe(true);
  });

  it('adds simulated: true to the /v1 reply, the run detail and the API run log', async () => {
    const res = await h.v1('POST', '/v1/scenarios/echo/run', key, { inputs });
    expect(res.status).toBe(200);
    const result = V1RunResultSchema.parse(res.json);
    expect(result.simulated).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    const detail = V1RunDetailSchema.parse((await h.v1('GET', `/v1/runs/${result.run_id}`, key)).json);
    expect(detail.simulated).toBe(true);
    expect(detail.trace.find((n) => n.node_id === 'llm_1')?.calls?.[0]?.simulated).toBe(true);
    const page = ApiRunsPageSchema.parse((await h.v1('GET', `/api/scenarios/${scenarioId}/api-runs`, null)).json);
    expect(page.items[0]).toMatchObject({ id: result.run_id, simulated: true });
  });

  it('declares the field in the OpenAPI document of the run reply', async () => {
    const doc = (await h.v1('GET', '/v1/scenarios/echo/openapi.json', key)).json as { components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> } };
    const result = Object.values(doc.components.schemas).find((s) => s.properties && 'run_id' in s.properties && 'outputs' in s.properties && 'simulated' in s.properties);
    expect(result?.properties?.simulated).toMatchObject({ type: 'boolean' });
    expect(result?.required).toContain('simulated');
  });
});

describe('a run answered by a model endpoint', () => {
  let mock: MockOpenAI;
  let h: V1Harness;
  let key: string;
  beforeAll(async () => {
    mock = await startMockOpenAI();
    h = await startV1Harness({ MOFANG_MODEL_BASE_URL: mock.url, MOFANG_MODEL: 'qwen2.5-7b-instruct', MOFANG_MODEL_STREAM: '0', MOFANG_HTTP_ALLOW: '127.0.0.1' });
    await h.publish('echo', echoGraph());
    ({ key } = await h.key());
  });
  afterAll(async () => {
    await h?.close();
    await mock?.close();
  });

  it('says simulated: false and marks no call', async () => {
    mock.replies.push({ id: 'c1', object: 'chat.completion', model: 'qwen2.5-7b-instruct', choices: [{ index: 0, message: { role: 'assistant', content: '您好' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } });
    const res = await h.v1('POST', '/v1/scenarios/echo/run', key, { inputs });
    expect(res.status).toBe(200);
    const result = V1RunResultSchema.parse(res.json);
    expect(result.simulated).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    const detail = V1RunDetailSchema.parse((await h.v1('GET', `/v1/runs/${result.run_id}`, key)).json);
    expect(detail.simulated).toBe(false);
    expect(detail.trace.find((n) => n.node_id === 'llm_1')?.calls?.[0]?.simulated).toBeUndefined();
  });
});
