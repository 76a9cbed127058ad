/**
 * Issue 12 part 5: a key reads only the runs and jobs it created, unless it holds the `runs:read` scope
 * (which reads every key's runs and jobs of its scenarios, never cancels or retries them); jobs record
 * who submitted them (the signed-in user in the UI, the key on /v1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobCreatedSchema, JobDetailSchema, JobListSchema } from '@shared/jobs.js';
import { ApiKeySchema } from '@shared/keys.js';
import { V1RunResultSchema } from '@shared/v1.js';
import { call, echoGraph, signInAs } from './helpers.js';
import { auditGraph, resultLines, sampleItems, waitForJob } from './jobs-helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

let h: V1Harness;
let scenarioId: string;
/** The key that makes the runs and jobs; another plain key; a reporting key with runs:read; one scoped elsewhere. */
let owner: string;
let other: string;
let reader: string;
let readerElsewhere: string;
const inputs = { transcript: '客户：宽带断了，电话 13912345678' };

beforeAll(async () => {
  h = await startV1Harness();
  await h.publish('echo', echoGraph());
  scenarioId = (await h.publish('audit', auditGraph())).scenarioId;
  owner = (await h.key({ name: 'owner' })).key;
  other = (await h.key({ name: 'other' })).key;
  reader = (await h.key({ name: 'reports', scopes: ['runs:read'] })).key;
  readerElsewhere = (await h.key({ name: 'reports-elsewhere', scopes: ['runs:read'], scenarios: ['audit'] })).key;
});
afterAll(() => h.close());

describe('a key reads its own runs; runs:read reads all of its scenarios', () => {
  it('GET /v1/runs/{id}: the owner and a runs:read key in scope read it; any other key gets the unknown-run 404', async () => {
    const run = V1RunResultSchema.parse((await h.v1('POST', '/v1/scenarios/echo/run', owner, { inputs })).json);
    const read = (key: string) => h.v1('GET', `/v1/runs/${run.run_id}`, key);
    expect((await read(owner)).status).toBe(200);
    expect((await read(reader)).status).toBe(200);
    const hidden = await read(other);
    expect(hidden.status).toBe(404);
    expect(hidden.json).toMatchObject({ error: { code: 'unknown_run' } });
    // The same reply as for an id that does not exist: nothing tells the key the run is someone else's.
    const unknown = await h.v1('GET', '/v1/runs/00000000-0000-0000-0000-000000000000', other);
    expect(unknown.json).toMatchObject({ error: { code: 'unknown_run', message: expect.stringContaining('no run') } });
    // runs:read does not widen the scenarios a key may touch.
    expect((await read(readerElsewhere)).status).toBe(404);
  });

  it('jobs: the owner reads, cancels and retries; runs:read reads progress, results and item runs but cannot cancel or retry; others get 404', async () => {
    const created = JobCreatedSchema.parse((await h.v1('POST', '/v1/scenarios/audit/jobs', owner, { items: sampleItems().slice(0, 3) })).json);
    await waitForJob(h.server.url, `/v1/jobs/${created.job_id}`, { authorization: `Bearer ${owner}` });
    const path = `/v1/jobs/${created.job_id}`;
    for (const key of [other]) {
      expect((await h.v1('GET', path, key)).status).toBe(404);
      expect((await h.v1('GET', `${path}/results`, key)).status).toBe(404);
      expect((await h.v1('POST', `${path}/cancel`, key)).status).toBe(404);
    }
    expect((await h.v1('GET', path, reader)).status).toBe(200);
    expect((await h.v1('GET', path, readerElsewhere)).status).toBe(200);
    const results = await h.v1('GET', `${path}/results`, reader);
    expect(resultLines(results.text)).toHaveLength(3);
    expect((await h.v1('POST', `${path}/cancel`, reader)).status).toBe(404);
    const firstItem = resultLines(results.text)[0];
    expect((await h.v1('POST', `${path}/items/${firstItem.id}/retry`, reader)).status).toBe(404);
    // An item's run belongs to the job's key.
    const runId = String(firstItem.run_id);
    expect((await h.v1('GET', `/v1/runs/${runId}`, owner)).status).toBe(200);
    expect((await h.v1('GET', `/v1/runs/${runId}`, other)).status).toBe(404);
    expect((await h.v1('GET', `/v1/runs/${runId}`, reader)).status).toBe(200);
    // The owner reaches the job: a finished job cannot be cancelled (409), where the others got 404.
    expect((await h.v1('POST', `${path}/cancel`, owner)).status).toBe(409);
    expect((await h.v1('POST', `${path}/items/${firstItem.id}/retry`, owner)).status).toBe(409);
  });
});

describe('key scopes in the admin API and jobs record their submitter', () => {
  it('lists a key with its scopes; an unknown scope is a 400 naming the field', async () => {
    const keys = (await call(h.server.url, 'GET', '/api/keys')).json as unknown[];
    const reports = keys.map((k) => ApiKeySchema.parse(k)).find((k) => k.name === 'reports');
    expect(reports?.scopes).toEqual(['runs:read']);
    expect(keys.map((k) => ApiKeySchema.parse(k)).find((k) => k.name === 'owner')?.scopes).toEqual([]);
    const bad = await call(h.server.url, 'POST', '/api/keys', { name: 'x', scopes: ['runs:write'] });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('scopes');
  });

  it('a job submitted in the UI names the signed-in user; one submitted on /v1 names its key', async () => {
    const inspector = await signInAs(h.server.url, 'inspector', 'zhang-wei');
    const body = sampleItems().slice(0, 2).map((i) => JSON.stringify(i)).join('\n');
    const res = await call(h.server.url, 'POST', `/api/scenarios/${scenarioId}/jobs`, body, { 'content-type': 'application/jsonl' }, { as: inspector });
    expect(res.status).toBe(202);
    const { job_id } = JobCreatedSchema.parse(res.json);
    await waitForJob(h.server.url, `/api/jobs/${job_id}`);
    const detail = JobDetailSchema.parse((await call(h.server.url, 'GET', `/api/jobs/${job_id}`)).json);
    expect(detail.submitted_by).toMatchObject({ type: 'user', name: 'zhang-wei' });
    const list = JobListSchema.parse((await call(h.server.url, 'GET', `/api/jobs?scenario_id=${scenarioId}`)).json);
    expect(list.jobs.find((j) => j.job_id === job_id)?.submitted_by.type).toBe('user');
    expect(list.jobs.some((j) => j.submitted_by.type === 'api_key' && j.submitted_by.name === 'owner')).toBe(true);
    // A UI job's item runs belong to no key: only a runs:read key reads them.
    const lines = resultLines((await call(h.server.url, 'GET', `/api/jobs/${job_id}/results`)).text);
    const runId = String(lines[0].run_id);
    expect((await h.v1('GET', `/v1/runs/${runId}`, owner)).status).toBe(404);
    expect((await h.v1('GET', `/v1/runs/${runId}`, reader)).status).toBe(200);
  });
});
