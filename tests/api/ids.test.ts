/**
 * Runs and jobs get UUIDv7 ids (the `uuid` package): time-ordered, so new rows append to the end of
 * the runs, run_events and jobs indexes; the API still shows them as plain UUID strings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScenarioSchema } from '@shared/api.js';
import { JobCreatedSchema } from '@shared/jobs.js';
import { V1RunResultSchema } from '@shared/v1.js';
import { call, echoGraph, parseSse, authHeaders } from './helpers.js';
import { resultLines, waitForJob } from './jobs-helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const inputs = { transcript: '坐席：您好。\n客户：宽带断了。' };
let h: V1Harness;
let key: string;

beforeAll(async () => {
  h = await startV1Harness();
  await h.publish('echo', echoGraph());
  ({ key } = await h.key());
});
afterAll(() => h?.close());

/** The millisecond timestamp a UUIDv7 starts with. */
function msOf(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

describe('ids', () => {
  it('are UUIDv7 for /v1 runs, test runs, jobs and job runs, ordered by creation time', async () => {
    const before = Date.now();
    const run = V1RunResultSchema.parse((await h.v1('POST', '/v1/scenarios/echo/run', key, { inputs })).json);
    const draft = ScenarioSchema.parse((await call(h.server.url, 'POST', '/api/scenarios', { name: 'draft', graph: echoGraph() })).json);
    const stream = await fetch(`${h.server.url}/api/scenarios/${draft.id}/test-run`, {
      method: 'POST',
      headers: { ...authHeaders(h.server.url), 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ inputs }),
    });
    const testRunId = String((parseSse(await stream.text())[0].data as { run_id: string }).run_id);
    const job = JobCreatedSchema.parse((await h.v1('POST', '/v1/scenarios/echo/jobs', key, { items: [{ inputs }, { inputs }] })).json);
    await waitForJob(h.server.url, `/v1/jobs/${job.job_id}`, { authorization: `Bearer ${key}` });
    const jobRuns = resultLines((await h.v1('GET', `/v1/jobs/${job.job_id}/results`, key)).text).map((l) => l.run_id);

    const ids = [run.run_id, testRunId, job.job_id, ...jobRuns.map(String)];
    for (const id of ids) expect(id).toMatch(UUID_V7);
    const times = ids.map(msOf);
    expect(times[0]).toBeGreaterThanOrEqual(before);
    expect(times[2]).toBeLessThanOrEqual(Date.now());
    expect([...times.slice(0, 3)].sort((a, b) => a - b)).toEqual(times.slice(0, 3));
    expect(Math.min(...times.slice(3))).toBeGreaterThanOrEqual(times[2]);
  });
});
