import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { V1ErrorSchema, V1RunErrorSchema } from '@shared/v1.js';
import { echoGraph } from './helpers.js';
import { startV1Harness, withoutRunId, type V1Harness } from './v1-helpers.js';

const inputs = { transcript: '坐席：您好\n客户：宽带断了' };
let h: V1Harness;

beforeAll(async () => {
  h = await startV1Harness();
  await h.publish('echo', echoGraph());
  await h.publish('secret-scenario', echoGraph('secret'));
});
afterAll(async () => {
  await h?.close();
});

describe('/v1 keys, scope and rate limits', () => {
  it('answers a missing, malformed, unknown or revoked key with the same 401', async () => {
    const { key, id } = await h.key();
    const revoked = await h.key();
    expect((await h.v1('POST', `/api/keys/${revoked.id}/revoke`, null)).status).toBe(200);
    const replies = [
      await h.v1('POST', '/v1/scenarios/echo/run', null, { inputs }),
      await h.v1('POST', '/v1/scenarios/echo/run', null, { inputs }, { authorization: `Basic ${key}` }),
      await h.v1('POST', '/v1/scenarios/echo/run', 'not-a-key', { inputs }),
      await h.v1('POST', '/v1/scenarios/echo/run', `mf_${'A'.repeat(43)}`, { inputs }),
      await h.v1('POST', '/v1/scenarios/echo/run', revoked.key, { inputs }),
      await h.v1('GET', '/v1/runs/whatever', revoked.key),
    ];
    for (const r of replies) {
      expect(r.status).toBe(401);
      const body = V1ErrorSchema.parse(r.json);
      expect(r.headers.get('x-run-id')).toBe(body.run_id);
      expect(withoutRunId(body)).toEqual(withoutRunId(replies[0].json));
    }
    expect(replies[0].json).toMatchObject({ error: { code: 'unauthorized' } });
    expect((await h.v1('POST', '/v1/scenarios/echo/run', key, { inputs })).status).toBe(200);
    expect(id).toBeTruthy();
  });

  it('answers a scenario outside the key scope exactly like one that does not exist', async () => {
    const scoped = await h.key({ scenarios: ['echo'] });
    expect((await h.v1('POST', '/v1/scenarios/echo/run', scoped.key, { inputs })).status).toBe(200);
    const outside = await h.v1('POST', '/v1/scenarios/secret-scenario/run', scoped.key, { inputs });
    const missing = await h.v1('POST', '/v1/scenarios/secret-scenario/run', (await h.key({ scenarios: ['echo'] })).key, { inputs });
    const unknown = await h.v1('POST', '/v1/scenarios/no-such/run', scoped.key, { inputs });
    expect(outside.status).toBe(404);
    expect(withoutRunId(outside.json)).toEqual(withoutRunId(missing.json));
    expect(withoutRunId(outside.json)).toEqual({ error: { code: 'unknown_scenario', message: 'no published scenario "secret-scenario"', details: {} } });
    expect(withoutRunId(unknown.json)).toEqual({ error: { code: 'unknown_scenario', message: 'no published scenario "no-such"', details: {} } });
    // A pinned version of an out-of-scope scenario says nothing either.
    const pinned = await h.v1('POST', '/v1/scenarios/secret-scenario/run?version=9', scoped.key, { inputs });
    expect(withoutRunId(pinned.json)).toEqual(withoutRunId(outside.json));
    expect([...outside.headers.keys()].sort()).toEqual([...unknown.headers.keys()].sort());
  });

  it('rate-limits per key with 429 and Retry-After', async () => {
    const limited = await h.key({ rate_limit: 2 });
    const other = await h.key({ rate_limit: 2 });
    expect((await h.v1('POST', '/v1/scenarios/echo/run', limited.key, { inputs })).status).toBe(200);
    expect((await h.v1('POST', '/v1/scenarios/echo/run', limited.key, { inputs })).status).toBe(200);
    const third = await h.v1('POST', '/v1/scenarios/echo/run', limited.key, { inputs });
    expect(third.status).toBe(429);
    expect(V1ErrorSchema.parse(third.json).error.code).toBe('rate_limited');
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(third.headers.get('x-run-id')).toBeTruthy();
    expect((await h.v1('POST', '/v1/scenarios/echo/run', other.key, { inputs })).status).toBe(200);
  });

  it('checks the body against the schema the documents declare: inputs must be an object', async () => {
    const { key } = await h.key();
    for (const body of [[1, 2], { inputs: 'text' }, { inputs: [1] }, { inputs: null }]) {
      const r = await h.v1('POST', '/v1/scenarios/echo/run', key, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(V1ErrorSchema.parse(r.json).error.code).toBe('invalid_body');
    }
    const named = await h.v1('POST', '/v1/scenarios/echo/run', key, { inputs: 'text' });
    expect(V1ErrorSchema.parse(named.json).error.message).toContain('"inputs"');
    // GET on the run path is not the run operation: 404 like any unknown route, once authenticated.
    expect((await h.v1('GET', '/v1/scenarios/echo/run', key)).status).toBe(404);
  });

  it('answers unknown /v1 routes with 404 after authentication', async () => {
    const { key } = await h.key();
    expect((await h.v1('GET', '/v1/nothing-here', key)).status).toBe(404);
    expect((await h.v1('GET', '/v1/nothing-here', null)).status).toBe(401);
  });
});

describe('/v1 run failures', () => {
  it('answers a run past its deadline with 504 deadline_exceeded and the run id', async () => {
    const slow = await startV1Harness({ MOFANG_SIM_TTFT_MS: '3000', MOFANG_RUN_DEADLINE_MS: '150' });
    try {
      await slow.publish('echo', echoGraph());
      const { key } = await slow.key();
      const res = await slow.v1('POST', '/v1/scenarios/echo/run', key, { inputs });
      expect(res.status).toBe(504);
      const body = V1RunErrorSchema.parse(res.json);
      expect(body).toMatchObject({ error: { code: 'deadline_exceeded', details: { run_id: body.run_id } }, status: 'failed', scenario: 'echo', version: 1 });
      expect(res.headers.get('x-run-id')).toBe(body.run_id);
      const lookup = await slow.v1('GET', `/v1/runs/${body.run_id}`, key);
      expect(lookup.json).toMatchObject({ status: 'failed', error: { code: 'deadline_exceeded' } });
    } finally {
      await slow.close();
    }
  });

  it('answers a model failure with 502 model_error and the run id', async () => {
    const failing = await startV1Harness({ MOFANG_SIM_ERROR_RATE: '1' });
    try {
      await failing.publish('echo', echoGraph());
      const { key } = await failing.key();
      const res = await failing.v1('POST', '/v1/scenarios/echo/run', key, { inputs });
      expect(res.status).toBe(502);
      const body = V1RunErrorSchema.parse(res.json);
      expect(body).toMatchObject({ error: { code: 'model_error', details: { run_id: body.run_id, node_id: 'llm_1' } }, status: 'failed' });
      expect(res.headers.get('x-run-id')).toBe(body.run_id);
    } finally {
      await failing.close();
    }
  });
});
