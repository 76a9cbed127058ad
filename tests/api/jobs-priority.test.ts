/**
 * Jobs against a simulator server with a tiny capacity: live runs overtake a big job, cancel stops
 * pending items, a failed item is retried alone, and the completion webhook is retried after a 500.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobCreatedSchema, JobProgressSchema, JobWebhookPayloadSchema } from '@shared/jobs.js';
import { startSimulatorServer, type SimulatorServer } from '../../server/src/simulator/server.js';
import { resultLines, sampleItems, waitForJob, auditGraph } from './jobs-helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

let sim: SimulatorServer;
let h: V1Harness;
let key: string;
const hooks: unknown[] = [];
let hookServer: http.Server;
let hookUrl = '';

beforeAll(async () => {
  sim = await startSimulatorServer({ port: 0, config: { capacity: 2, ttftMs: 120, perTokenMs: 0.5, loadFactor: 0, seed: 7 } });
  hookServer = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hooks.push(JSON.parse(body));
      res.statusCode = hooks.length === 1 ? 500 : 200;
      res.end();
    });
  });
  await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
  const address: AddressInfo | string | null = hookServer.address();
  hookUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/hook`;
  h = await startV1Harness({ MOFANG_MODEL_BASE_URL: sim.url, MOFANG_MODEL: 'mofang-simulator', MOFANG_HTTP_ALLOW: '127.0.0.1' });
  await h.publish('audit', auditGraph());
  key = (await h.key()).key;
});
afterAll(async () => {
  await h.close();
  await sim.close();
  await new Promise((r) => hookServer.close(r));
});

const auth = () => ({ authorization: `Bearer ${key}` });
const progress = async (id: string) => JobProgressSchema.parse((await h.v1('GET', `/v1/jobs/${id}`, key)).json);

describe('jobs and live traffic on a saturated endpoint', () => {
  it('a live run completes while a big job is running, without waiting behind it', async () => {
    const res = await h.v1('POST', '/v1/scenarios/audit/jobs', key, { items: sampleItems() });
    const { job_id } = JobCreatedSchema.parse(res.json);
    // Once the limiter has seen the endpoint's latency (a few items done), live calls go first.
    while ((await progress(job_id)).succeeded < 6) await new Promise((r) => setTimeout(r, 10));
    const live = await h.v1('POST', '/v1/scenarios/audit/run', key, { inputs: sampleItems()[0].inputs });
    expect(live.status).toBe(200);
    const atLiveEnd = await progress(job_id);
    // The job's 44 items need ~22 rounds of the endpoint; the live run needed its own one or two.
    expect(atLiveEnd.status).toBe('running');
    expect(atLiveEnd.pending).toBeGreaterThan(10);
    await h.v1('POST', `/v1/jobs/${job_id}/cancel`, key);
  }, 60_000);

  it('cancel: pending items stop and the job is cancelled', async () => {
    const res = await h.v1('POST', '/v1/scenarios/audit/jobs', key, { items: sampleItems() });
    const { job_id } = JobCreatedSchema.parse(res.json);
    const cancelled = await h.v1('POST', `/v1/jobs/${job_id}/cancel`, key);
    expect(cancelled.status).toBe(200);
    expect(JobProgressSchema.parse(cancelled.json).status).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 1500));
    const later = await progress(job_id);
    const again = await new Promise((r) => setTimeout(r, 800)).then(() => progress(job_id));
    expect(later.status).toBe('cancelled');
    expect(later.running).toBe(0);
    expect(later.pending).toBeGreaterThan(30);
    expect(again.succeeded + again.failed).toBe(later.succeeded + later.failed);
    expect((await h.v1('POST', `/v1/jobs/${job_id}/cancel`, key)).status).toBe(409);
    const lines = resultLines((await h.v1('GET', `/v1/jobs/${job_id}/results`, key)).text);
    expect(lines.length).toBe(again.succeeded + again.failed);
  }, 30_000);

  it('a failed item records why and is retried alone; the webhook is retried after a 500', async () => {
    sim.simulator.updateConfig({ errorRate: 1 });
    const items = sampleItems().slice(0, 2);
    const res = await h.v1('POST', '/v1/scenarios/audit/jobs', key, { items, webhook: { url: hookUrl } });
    const { job_id } = JobCreatedSchema.parse(res.json);
    const failed = await waitForJob(h.server.url, `/v1/jobs/${job_id}`, auth(), 30_000);
    expect(failed).toMatchObject({ status: 'completed', failed: 2, succeeded: 0 });
    const first = resultLines((await h.v1('GET', `/v1/jobs/${job_id}/results`, key)).text);
    expect(first.every((l) => l.status === 'failed' && l.error?.code === 'model_error' && /500/.test(l.error.message))).toBe(true);
    sim.simulator.updateConfig({ errorRate: 0 });
    const retry = await h.v1('POST', `/v1/jobs/${job_id}/items/${items[0].id}/retry`, key);
    expect(retry.status).toBe(202);
    expect(retry.json).toMatchObject({ retried: 1 });
    const done = await waitForJob(h.server.url, `/v1/jobs/${job_id}`, auth(), 30_000);
    expect(done).toMatchObject({ status: 'completed', succeeded: 1, failed: 1 });
    const lines = resultLines((await h.v1('GET', `/v1/jobs/${job_id}/results`, key)).text);
    expect(lines.map((l) => [l.id, l.status])).toEqual([[items[0].id, 'succeeded'], [items[1].id, 'failed']]);
    expect((await h.v1('POST', `/v1/jobs/${job_id}/items/${items[0].id}/retry`, key)).status).toBe(409);
    // The first completion's webhook: a 500, then delivered on the retry.
    const until = Date.now() + 15_000;
    while (hooks.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(hooks.length).toBeGreaterThanOrEqual(2);
    expect(JobWebhookPayloadSchema.parse(hooks[0])).toMatchObject({ event: 'job.completed', job_id, failed: 2 });
    expect(JobWebhookPayloadSchema.parse(hooks[1])).toMatchObject({ job_id });
  }, 60_000);
});
