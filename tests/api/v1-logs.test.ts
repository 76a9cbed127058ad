import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiRunsPageSchema, MetricsReplySchema, V1RunDetailSchema } from '@shared/v1.js';
import { echoGraph } from './helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

const inputs = { transcript: '坐席：您好\n客户：宽带断了' };
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

describe('API run log and metrics for the admin UI', () => {
  it('lists API runs newest first with filters and a cursor, and aggregates them per bucket', async () => {
    for (let i = 0; i < 3; i++) expect((await h.v1('POST', '/v1/scenarios/echo/run', key, { inputs })).status).toBe(200);
    expect((await h.v1('POST', '/v1/scenarios/echo/run', key, { inputs: {} })).status).toBe(400);
    await new Promise((r) => setTimeout(r, 200));

    const first = ApiRunsPageSchema.parse((await h.v1('GET', `/api/scenarios/${scenarioId}/api-runs?limit=2`, null)).json);
    expect(first.items).toHaveLength(2);
    expect(first.items[0]).toMatchObject({ status: 'failed', error_code: 'invalid_inputs', version: 1 });
    const rest = ApiRunsPageSchema.parse((await h.v1('GET', `/api/scenarios/${scenarioId}/api-runs?limit=2&cursor=${first.next_cursor}`, null)).json);
    expect(rest.items).toHaveLength(2);
    expect(rest.next_cursor).toBeNull();
    const ok = ApiRunsPageSchema.parse((await h.v1('GET', `/api/scenarios/${scenarioId}/api-runs?status=succeeded`, null)).json);
    expect(ok.items.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);

    const metrics = MetricsReplySchema.parse((await h.v1('GET', `/api/scenarios/${scenarioId}/metrics?bucket=hour`, null)).json);
    const total = metrics.buckets.reduce((n, b) => n + b.runs, 0);
    expect(total).toBe(4);
    expect(metrics.buckets.at(-1)).toMatchObject({ errors: { invalid_inputs: 1 }, timeouts: 0 });
    expect(metrics.buckets.at(-1)?.p50_ms).not.toBeNull();

    expect((await h.v1('GET', `/api/scenarios/${scenarioId}/api-runs?status=weird`, null)).status).toBe(400);
    expect((await h.v1('GET', `/api/scenarios/${scenarioId}/api-runs?cursor=nonsense`, null)).status).toBe(400);
    expect((await h.v1('GET', `/api/scenarios/${scenarioId}/metrics?bucket=minute&from=0`, null)).status).toBe(400);
    expect((await h.v1('GET', '/api/scenarios/nope/metrics', null)).status).toBe(404);
  });
});

describe('client disconnect', () => {
  it('cancels the run when the caller goes away, and logs it as cancelled', async () => {
    const slow = await startV1Harness({ MOFANG_SIM_TTFT_MS: '5000' });
    try {
      await slow.publish('echo', echoGraph());
      const { key: slowKey } = await slow.key();
      const abort = new AbortController();
      const res = await fetch(`${slow.server.url}/v1/scenarios/echo/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${slowKey}` },
        body: JSON.stringify({ inputs }),
        signal: abort.signal,
      });
      const runId = res.headers.get('x-run-id') ?? '';
      expect(runId).not.toBe('');
      await new Promise((r) => setTimeout(r, 100));
      abort.abort();
      let detail;
      for (let i = 0; i < 40 && detail?.status !== 'failed'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        const lookup = await slow.v1('GET', `/v1/runs/${runId}`, slowKey);
        if (lookup.status === 200) detail = V1RunDetailSchema.parse(lookup.json);
      }
      expect(detail).toMatchObject({ status: 'failed', error: { code: 'cancelled' } });
      expect(detail?.latency_ms).toBeLessThan(2000);
    } finally {
      await slow.close();
    }
  });
});
