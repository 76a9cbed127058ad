import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobCreatedSchema, JobDetailSchema, JobListSchema } from '@shared/jobs.js';
import { call } from './helpers.js';
import { auditGraph, resultLines, sampleConversations, sampleItems, waitForJob } from './jobs-helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

let h: V1Harness;
let key: string;
let scenarioId: string;

beforeAll(async () => {
  h = await startV1Harness();
  scenarioId = (await h.publish('audit', auditGraph())).scenarioId;
  key = (await h.key()).key;
});
afterAll(() => h.close());

const auth = () => ({ authorization: `Bearer ${key}` });

async function upload(url: string, body: string, contentType: string, headers: Record<string, string> = {}) {
  return call(h.server.url, 'POST', url, body, { 'content-type': contentType, ...auth(), ...headers });
}

describe('jobs API', () => {
  it('runs a JSON job to completion; results have each item exactly once', async () => {
    const res = await h.v1('POST', '/v1/scenarios/audit/jobs', key, { items: sampleItems() });
    expect(res.status).toBe(202);
    const created = JobCreatedSchema.parse(res.json);
    expect(created.total).toBe(44);
    const done = await waitForJob(h.server.url, `/v1/jobs/${created.job_id}`, auth());
    expect(done).toMatchObject({ status: 'completed', total: 44, succeeded: 44, failed: 0, pending: 0, scenario: 'audit', version: 1, eta_s: 0 });
    const results = await h.v1('GET', `/v1/jobs/${created.job_id}/results`, key);
    expect(results.headers.get('content-type')).toContain('application/x-ndjson');
    // Saved under the scenario, the job's day and its id, with the format's extension.
    const day = new Date().toISOString().slice(0, 10);
    expect(results.headers.get('content-disposition')).toBe(`attachment; filename=audit-${day}-${created.job_id.slice(0, 8)}.jsonl`);
    const lines = resultLines(results.text);
    expect(lines).toHaveLength(44);
    expect(new Set(lines.map((l) => l.id))).toEqual(new Set(sampleConversations().map((c) => c.id)));
    expect(lines.every((l) => l.status === 'succeeded' && l.outputs !== undefined && l.run_id)).toBe(true);
    const csv = await h.v1('GET', `/v1/jobs/${created.job_id}/results?format=csv`, key);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename=audit-${day}-${created.job_id.slice(0, 8)}.csv`);
    expect(csv.text.replace(/^\uFEFF/, '').split('\r\n')[0]).toMatch(/^id,run_id,status,/);
  });

  it('takes a JSONL upload; an item without an id gets its line number', async () => {
    const lines = sampleItems().map((item, i) => JSON.stringify(i === 1 ? { inputs: item.inputs } : item));
    const res = await upload('/v1/scenarios/audit/jobs', `${lines.slice(0, 3).join('\n')}\n\n${lines.slice(3, 5).join('\n')}\n`, 'application/x-ndjson');
    expect(res.status).toBe(202);
    const { job_id, total } = JobCreatedSchema.parse(res.json);
    expect(total).toBe(5);
    await waitForJob(h.server.url, `/v1/jobs/${job_id}`, auth());
    const ids = resultLines((await h.v1('GET', `/v1/jobs/${job_id}/results`, key)).text).map((l) => l.id);
    expect(ids).toContain('2');
    expect(ids).toHaveLength(5);
  });

  it('takes a CSV upload with a transcript column and an id column', async () => {
    const rows = sampleConversations().slice(0, 4).map((c) => [c.id, c.turns.map((t) => `${t.role === 'agent' ? '坐席' : '客户'}：${t.text}`).join('\n')]);
    const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const csv = `id,transcript\r\n${rows.map((r) => r.map(quote).join(',')).join('\r\n')}\r\n`;
    const res = await upload('/v1/scenarios/audit/jobs', csv, 'text/csv');
    expect(res.status).toBe(202);
    const { job_id } = JobCreatedSchema.parse(res.json);
    const done = await waitForJob(h.server.url, `/v1/jobs/${job_id}`, auth());
    expect(done).toMatchObject({ total: 4, succeeded: 4 });
    const ids = resultLines((await h.v1('GET', `/v1/jobs/${job_id}/results`, key)).text).map((l) => l.id);
    expect(ids.sort()).toEqual(rows.map((r) => r[0]).sort());
  });

  it('refuses a bad line with 400 naming the line, and stores nothing', async () => {
    const before = JobListSchema.parse((await call(h.server.url, 'GET', '/api/jobs')).json).jobs.length;
    const items = sampleItems().slice(0, 3).map((i) => JSON.stringify(i));
    const bad = await upload('/v1/scenarios/audit/jobs', [items[0], items[1], '{"inputs": {"transcript": ', items[2]].join('\n'), 'application/x-ndjson');
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: 'invalid_item', details: { line: 3 } } });
    expect(JSON.stringify(bad.json)).toMatch(/line 3: not valid JSON/);
    const wrongInputs = await upload('/v1/scenarios/audit/jobs', [items[0], JSON.stringify({ inputs: {} })].join('\n'), 'application/x-ndjson');
    expect(wrongInputs.status).toBe(400);
    expect(JSON.stringify(wrongInputs.json)).toMatch(/line 2: invalid inputs/);
    const duplicate = await h.v1('POST', '/v1/scenarios/audit/jobs', key, { items: [sampleItems()[0], sampleItems()[0]] });
    expect(duplicate.status).toBe(400);
    expect(JSON.stringify(duplicate.json)).toMatch(/line 2: duplicate id/);
    const csv = await upload('/v1/scenarios/audit/jobs', 'id,transcript\r\na,"坐席：您好"\r\nb,"unterminated\r\n', 'text/csv');
    expect(csv.status).toBe(400);
    expect(JSON.parse(csv.text).error.code).toBe('invalid_item');
    expect(JobListSchema.parse((await call(h.server.url, 'GET', '/api/jobs')).json).jobs.length).toBe(before);
  });

  it('Idempotency-Key: the same body gives the same job (200), another body 409', async () => {
    const body = { items: sampleItems().slice(0, 2) };
    const first = await h.v1('POST', '/v1/scenarios/audit/jobs', key, body, { 'idempotency-key': 'day-2024-06-01' });
    expect(first.status).toBe(202);
    const again = await h.v1('POST', '/v1/scenarios/audit/jobs', key, body, { 'idempotency-key': 'day-2024-06-01' });
    expect(again.status).toBe(200);
    expect(JobCreatedSchema.parse(again.json).job_id).toBe(JobCreatedSchema.parse(first.json).job_id);
    const other = await h.v1('POST', '/v1/scenarios/audit/jobs', key, { items: sampleItems().slice(2, 4) }, { 'idempotency-key': 'day-2024-06-01' });
    expect(other.status).toBe(409);
    expect(other.json).toMatchObject({ error: { code: 'idempotency_conflict' } });
    // Another key owner may use the same Idempotency-Key for its own job.
    const otherKey = (await h.key({ name: 'other' })).key;
    const theirs = await h.v1('POST', '/v1/scenarios/audit/jobs', otherKey, body, { 'idempotency-key': 'day-2024-06-01' });
    expect(theirs.status).toBe(202);
  });

  it('hides jobs from other keys and scopes: 404', async () => {
    const res = await h.v1('POST', '/v1/scenarios/audit/jobs', key, { items: sampleItems().slice(0, 1) });
    const { job_id } = JobCreatedSchema.parse(res.json);
    const scoped = (await h.key({ name: 'scoped', scenarios: ['other-slug'] })).key;
    expect((await h.v1('GET', `/v1/jobs/${job_id}`, scoped)).status).toBe(404);
    expect((await h.v1('POST', '/v1/scenarios/audit/jobs', scoped, { items: sampleItems().slice(0, 1) })).status).toBe(404);
    expect((await h.v1('GET', `/v1/jobs/${job_id}`, null)).status).toBe(401);
  });

  it('admin API: submit for a scenario, list, detail with errors, results as CSV', async () => {
    const lines = sampleItems().slice(0, 3).map((i) => JSON.stringify(i)).join('\n');
    const res = await call(h.server.url, 'POST', `/api/scenarios/${scenarioId}/jobs`, lines, { 'content-type': 'application/jsonl' });
    expect(res.status).toBe(202);
    const { job_id } = JobCreatedSchema.parse(res.json);
    await waitForJob(h.server.url, `/api/jobs/${job_id}`);
    const detail = JobDetailSchema.parse((await call(h.server.url, 'GET', `/api/jobs/${job_id}`)).json);
    expect(detail).toMatchObject({ scenario_id: scenarioId, succeeded: 3, errors: { items: [], total: 0 } });
    const list = JobListSchema.parse((await call(h.server.url, 'GET', `/api/jobs?scenario_id=${scenarioId}`)).json);
    expect(list.jobs[0].job_id).toBe(job_id);
    const csv = await call(h.server.url, 'GET', `/api/jobs/${job_id}/results?format=csv`);
    expect(csv.text.replace(/^\uFEFF/, '').trim().split('\r\n')).toHaveLength(4);
  });
});
