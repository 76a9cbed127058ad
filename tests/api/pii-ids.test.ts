/**
 * Job item ids are chosen by whoever submits the job and are often the customer's phone number; job
 * webhook URLs often carry the receiver's token in their query. A user without `pii:read` reads item
 * ids masked everywhere (results JSONL and CSV, the dashboard's calls and call detail) and opens a call
 * by its line; a user who cannot change jobs, and a key reading another key's job, see the webhook URL
 * without its query or credentials.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallDetailSchema, CallPageSchema } from '@shared/dashboard.js';
import { JobCreatedSchema, JobDetailSchema, JobListSchema, JobProgressSchema } from '@shared/jobs.js';
import { call, signInAs, type TestSession } from './helpers.js';
import { auditGraph, resultLines, sampleItems, waitForJob } from './jobs-helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

const PHONE = '13812345678';
const SHOWN = '138****5678';
const HOOK = 'http://user:pass@127.0.0.1:9/hook?token=SECRET123#frag';
const HOOK_SHOWN = 'http://127.0.0.1:9/hook';

let h: V1Harness;
let scenarioId: string;
let jobId: string;
let viewer: TestSession;
let designer: TestSession;
let inspector: TestSession;

beforeAll(async () => {
  h = await startV1Harness();
  scenarioId = (await h.publish('audit', auditGraph())).scenarioId;
  const [first, second] = sampleItems();
  const body = [{ ...first, id: PHONE }, second].map((i) => JSON.stringify(i)).join('\n');
  const submitted = await call(h.server.url, 'POST', `/api/scenarios/${scenarioId}/jobs?webhook=${encodeURIComponent(HOOK)}`, body, { 'content-type': 'application/x-ndjson' });
  expect(submitted.status).toBe(202);
  jobId = JobCreatedSchema.parse(submitted.json).job_id;
  await waitForJob(h.server.url, `/api/jobs/${jobId}`);
  [viewer, designer, inspector] = [await signInAs(h.server.url, 'viewer'), await signInAs(h.server.url, 'designer'), await signInAs(h.server.url, 'inspector')];
});
afterAll(() => h.close());

const get = (url: string, as: TestSession) => call(h.server.url, 'GET', url, undefined, {}, { as });

describe('item ids', () => {
  it('are masked in job results (JSONL and CSV) for a viewer and a designer, whole for an inspector', async () => {
    for (const as of [viewer, designer]) {
      const jsonl = await get(`/api/jobs/${jobId}/results`, as);
      expect(resultLines(jsonl.text).map((l) => l.id)).toContain(SHOWN);
      const csv = await get(`/api/jobs/${jobId}/results?format=csv`, as);
      expect(csv.text).toContain(SHOWN);
      for (const text of [jsonl.text, csv.text]) expect(text).not.toContain(PHONE);
    }
    expect(resultLines((await get(`/api/jobs/${jobId}/results`, inspector)).text).map((l) => l.id)).toContain(PHONE);
  });

  it("are masked in the dashboard's calls and call detail, which opens by line", async () => {
    const url = `/api/scenarios/${scenarioId}/dashboard/calls?job_id=${jobId}&bucket=time:0-${Date.now() + 60_000}`;
    const page = await get(url, viewer);
    expect(page.text).not.toContain(PHONE);
    const masked = CallPageSchema.parse(page.json).calls.find((c) => c.item_id === SHOWN);
    expect(masked?.line).toEqual(expect.any(Number));
    const detail = await get(`/api/scenarios/${scenarioId}/dashboard/calls/${jobId}/lines/${masked?.line}`, viewer);
    expect(detail.status).toBe(200);
    expect(CallDetailSchema.parse(detail.json).item_id).toBe(SHOWN);
    expect(detail.text).not.toContain(PHONE);
    const full = CallDetailSchema.parse((await get(`/api/scenarios/${scenarioId}/dashboard/calls/${jobId}/lines/${masked?.line}`, inspector)).json);
    expect(full.item_id).toBe(PHONE);
    expect((await get(`/api/scenarios/${scenarioId}/dashboard/calls/${jobId}/lines/999`, viewer)).status).toBe(404);
  });
});

describe('webhook URLs', () => {
  it('reach a viewer and a designer without query, fragment or credentials; an inspector and the admin whole', async () => {
    for (const as of [viewer, designer]) {
      const detail = await get(`/api/jobs/${jobId}`, as);
      expect(JobDetailSchema.parse(detail.json).webhook?.url).toBe(HOOK_SHOWN);
      const list = await get(`/api/jobs?scenario_id=${scenarioId}`, as);
      expect(JobListSchema.parse(list.json).jobs[0].webhook?.url).toBe(HOOK_SHOWN);
      for (const text of [detail.text, list.text]) expect(text).not.toMatch(/SECRET123|pass@/);
    }
    expect(JobDetailSchema.parse((await get(`/api/jobs/${jobId}`, inspector)).json).webhook?.url).toBe(HOOK);
    expect(JobDetailSchema.parse((await call(h.server.url, 'GET', `/api/jobs/${jobId}`)).json).webhook?.url).toBe(HOOK);
  });

  it('on /v1, reach the key that submitted the job whole and a runs:read key without secrets', async () => {
    const owner = (await h.key({ name: 'owner' })).key;
    const reader = (await h.key({ name: 'reports', scopes: ['runs:read'] })).key;
    const created = await h.v1('POST', '/v1/scenarios/audit/jobs', owner, { items: sampleItems().slice(0, 1), webhook: { url: HOOK } });
    const id = JobCreatedSchema.parse(created.json).job_id;
    await waitForJob(h.server.url, `/v1/jobs/${id}`, { authorization: `Bearer ${owner}` });
    expect(JobProgressSchema.parse((await h.v1('GET', `/v1/jobs/${id}`, owner)).json).webhook?.url).toBe(HOOK);
    const read = await h.v1('GET', `/v1/jobs/${id}`, reader);
    expect(JobProgressSchema.parse(read.json).webhook?.url).toBe(HOOK_SHOWN);
    expect(read.text).not.toContain('SECRET123');
  });
});
