/**
 * Issue 10's 100,000-item job, over real HTTP: submitting it blocked every request for 57 s. It is
 * taken whole (no item limit below the upload limit, MOFANG_JOB_UPLOAD_LIMIT) while other requests are
 * answered. The bound asserted here is loose for a loaded 2-core machine (the 100 ms target is
 * measured by `npm run bench:loop`); a submission that held the event loop throughout would break it
 * by seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from './helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';
import { lineGraph } from '../../server/src/engine/testing.js';

let h: V1Harness;
let key: string;

beforeAll(async () => {
  h = await startV1Harness();
  await h.publish('big-job', lineGraph([], [{ name: 'text', value: '{{ start.transcript.text }}' }]));
  ({ key } = await h.key({ name: 'bulk' }));
});
afterAll(async () => {
  await h?.close();
});

/** Runs `work` while asking /api/health every 10 ms; returns its result, the slowest answer (ms) and how many there were. */
async function whilePinging<T>(work: () => Promise<T>): Promise<{ result: T; slowest: number; answered: number }> {
  let slowest = 0;
  let answered = 0;
  let running = true;
  const pinger = (async () => {
    while (running) {
      const started = performance.now();
      const res = await fetch(`${h.server.url}/api/health`);
      await res.arrayBuffer();
      if (res.status === 200) answered += 1;
      slowest = Math.max(slowest, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  try {
    return { result: await work(), slowest, answered };
  } finally {
    running = false;
    await pinger;
  }
}

describe('a 100,000-item job', () => {
  it('is accepted whole as JSONL while /api/health keeps answering', async () => {
    const lines: string[] = [];
    for (let i = 1; i <= 100_000; i++) lines.push(JSON.stringify({ id: `c${i}`, inputs: { transcript: `坐席：您好\n客户：我家宽带第 ${i} 次断了，路由器灯一直红` } }));
    const body = lines.join('\n');
    const { result: res, slowest, answered } = await whilePinging(() => h.v1('POST', '/v1/scenarios/big-job/jobs', key, body, { 'content-type': 'application/x-ndjson' }));
    expect(res.status, res.text.slice(0, 300)).toBe(202);
    expect(res.json).toMatchObject({ total: 100_000 });
    const jobId = (res.json as { job_id: string }).job_id;
    expect((await h.v1('POST', `/v1/jobs/${jobId}/cancel`, key)).status).toBeLessThan(300);
    expect(answered).toBeGreaterThan(5);
    expect(slowest).toBeLessThan(1000);
    expect((await call(h.server.url, 'GET', '/api/health')).status).toBe(200);
  }, 120_000);
});
