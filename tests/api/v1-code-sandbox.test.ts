import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_FORMAT, type Graph } from '@shared/graph.js';
import { HealthSchema } from '@shared/api.js';
import { V1ErrorSchema } from '@shared/v1.js';
import { call } from './helpers.js';
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
let h: V1Harness;

beforeAll(async () => {
  // One worker, and 2 s of waiting for it at most: starting the worker counts as waiting, and takes more
  // than a second on a loaded machine. The busy loop holds the worker well past that (5 s).
  h = await startV1Harness({ MOFANG_CODE_WORKERS: '1', MOFANG_CODE_QUEUE_MS: '2000' });
  await h.publish('busy-loop', codeGraph('busy', 'function main() { while (true) {} }', 5000));
  await h.publish('quick-code', codeGraph('quick', 'function main() { return { n: 1 }; }', 5000));
});
afterAll(async () => {
  await h?.close();
});

describe('/v1 code nodes and the sandbox pool settings', () => {
  it('shows the pool as MOFANG_CODE_WORKERS and MOFANG_CODE_QUEUE_MS set it in /api/health', async () => {
    const health = HealthSchema.parse((await call(h.server.url, 'GET', '/api/health')).json);
    expect(health.sandbox).toMatchObject({ pool_size: 1, per_scenario: 1, queue_timeout_ms: 2000 });
  });

  it('answers 503 code_queue_timeout, naming the setting, when a code node finds no free worker in time', { timeout: 60_000 }, async () => {
    const { key } = await h.key();
    // The first run starts the worker, so the 2 s measure waiting for a busy worker only.
    expect((await h.v1('POST', '/v1/scenarios/quick-code/run', key, { inputs })).json).toMatchObject({ status: 'succeeded', outputs: { n: 1 } });
    const busy = h.v1('POST', '/v1/scenarios/busy-loop/run', key, { inputs });
    const deadline = Date.now() + 5000;
    while (HealthSchema.parse((await call(h.server.url, 'GET', '/api/health')).json).sandbox?.running !== 1) {
      if (Date.now() > deadline) throw new Error('the busy loop never started');
      await new Promise((r) => setTimeout(r, 10));
    }
    const waited = await h.v1('POST', '/v1/scenarios/quick-code/run', key, { inputs });
    expect(waited.status).toBe(503);
    const body = V1ErrorSchema.parse(waited.json);
    expect(body.error.code).toBe('code_queue_timeout');
    expect(body.error.message).toContain('MOFANG_CODE_QUEUE_MS');
    const loop = await busy;
    expect(loop.status).toBe(422);
    expect(loop.json).toMatchObject({ error: { code: 'run_failed' } });
    expect((await h.v1('POST', '/v1/scenarios/quick-code/run', key, { inputs })).status).toBe(200);
  });
});
