/**
 * A client that reconnects to a run stream (an EventSource does it by itself; fetch-based clients re-send
 * the POST with `Last-Event-ID`) resumes the run it was following: no second run starts, in `/v1` and in
 * the canvas's test runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RunSummarySchema, ScenarioSchema } from '@shared/api.js';
import { ApiRunsPageSchema } from '@shared/v1.js';
import { call, echoGraph, parseSse, authHeaders } from './helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

let h: V1Harness;
let key: string;
let scenarioId: string;
let draftId: string;
const inputs = { transcript: '坐席：您好，请问有什么可以帮您？\n客户：我的宽带断了。' };

beforeAll(async () => {
  h = await startV1Harness();
  ({ scenarioId } = await h.publish('echo', echoGraph()));
  ({ key } = await h.key({ name: 'caller' }));
  draftId = ScenarioSchema.parse((await call(h.server.url, 'POST', '/api/scenarios', { name: 'draft', graph: echoGraph() })).json).id;
});
afterAll(async () => {
  await h?.close();
});

function post(path: string, headers: Record<string, string>, body: unknown = { inputs }): Promise<Response> {
  return fetch(`${h.server.url}${path}`, {
    method: 'POST',
    headers: { ...authHeaders(h.server.url), 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
}

async function apiRunCount(): Promise<number> {
  const page = ApiRunsPageSchema.parse((await h.v1('GET', `/api/scenarios/${scenarioId}/api-runs?limit=100`, null)).json);
  return page.items.length;
}

async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 50 && !(await check()); i++) await new Promise((r) => setTimeout(r, 50));
}

describe('/v1 run streams and Last-Event-ID', () => {
  const auth = () => ({ authorization: `Bearer ${key}` });

  it('gives every event an id, resumes after the one a reconnect names, and starts no second run', async () => {
    const first = await post('/v1/scenarios/echo/run', auth());
    const runId = first.headers.get('x-run-id');
    const events = parseSse(await first.text());
    expect(events.length).toBeGreaterThan(3);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => `${runId}:${i}`));
    await eventually(async () => (await apiRunCount()) === 1);
    expect(await apiRunCount()).toBe(1);

    const again = await post('/v1/scenarios/echo/run', { ...auth(), 'last-event-id': events[1].id ?? '' });
    expect(again.status).toBe(200);
    expect(again.headers.get('x-run-id')).toBe(runId);
    const resumed = parseSse(await again.text());
    expect(resumed).toEqual(events.slice(2));

    // After the last event there is nothing left to send: the stream closes at once.
    const atEnd = await post('/v1/scenarios/echo/run', { ...auth(), 'last-event-id': events.at(-1)?.id ?? '' });
    expect(atEnd.status).toBe(200);
    expect(parseSse(await atEnd.text())).toEqual([]);

    await new Promise((r) => setTimeout(r, 300));
    expect(await apiRunCount()).toBe(1);
  });

  it('answers 204 (EventSource stops reconnecting) for a run it does not know or another key started', async () => {
    const unknown = await post('/v1/scenarios/echo/run', { ...auth(), 'last-event-id': 'run_gone:4' });
    expect(unknown.status).toBe(204);
    const garbled = await post('/v1/scenarios/echo/run', { ...auth(), 'last-event-id': 'not an id' });
    expect(garbled.status).toBe(204);

    const first = await post('/v1/scenarios/echo/run', auth());
    const events = parseSse(await first.text());
    const { key: other } = await h.key({ name: 'other' });
    const stolen = await post('/v1/scenarios/echo/run', { authorization: `Bearer ${other}`, 'last-event-id': events[0].id ?? '' });
    expect(stolen.status).toBe(204);
  });
});

describe('test-run streams and Last-Event-ID', () => {
  const path = () => `/api/scenarios/${draftId}/test-run`;
  const testRuns = async () => z.array(RunSummarySchema).parse((await call(h.server.url, 'GET', `/api/scenarios/${draftId}/runs`)).json).length;

  it('resumes the run after the event named, result included, without starting another', async () => {
    const first = await post(path(), {});
    const events = parseSse(await first.text());
    expect(events.at(-1)?.event).toBe('result');
    expect(await testRuns()).toBe(1);

    const again = await post(path(), { 'last-event-id': events[0].id ?? '' });
    expect(again.status).toBe(200);
    expect(parseSse(await again.text())).toEqual(events.slice(1));
    expect(await testRuns()).toBe(1);

    const elsewhere = await call(h.server.url, 'POST', '/api/scenarios', { name: 'other', graph: echoGraph() });
    const otherId = ScenarioSchema.parse(elsewhere.json).id;
    expect((await post(`/api/scenarios/${otherId}/test-run`, { 'last-event-id': events[0].id ?? '' })).status).toBe(204);
  });
});
