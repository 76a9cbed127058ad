/**
 * Issue 10, deliverable 1: no stored row can make a list or read endpoint fail. Rows as an older
 * version without the depth limit may have left them (JSON nested 990 levels, and past SQLite's own 1,000) are
 * planted under a published scenario's draft, version, runs, job items, key and template; every read
 * the UI and the API make then answers below 500, and the server stays up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteOf } from '../../server/src/storage/sqlite.js';
import { call, echoGraph } from './helpers.js';
import { waitForJob } from './jobs-helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

let h: V1Harness;
let key: string;

beforeAll(async () => {
  h = await startV1Harness();
  ({ key } = await h.key({ name: 'reader' }));
  await h.key({ name: 'reader-planted' });
});
afterAll(async () => {
  await h?.close();
});

/** A published scenario with a test run, an API run and a finished job of two items; its ids. */
async function scenarioWithHistory(slug: string) {
  const { scenarioId } = h.publish(slug, echoGraph(slug));
  const test = await call(h.server.url, 'POST', `/api/scenarios/${scenarioId}/test-run`, { inputs: { transcript: '客户：你好' } });
  expect(test.status, test.text).toBe(200);
  const run = await h.v1('POST', `/v1/scenarios/${slug}/run`, key, { inputs: { transcript: '客户：宽带断了' } });
  expect(run.status, run.text).toBe(200);
  const job = await h.v1('POST', `/v1/scenarios/${slug}/jobs`, key, { items: [{ id: 'a', inputs: { transcript: '客户：你好' } }, { id: 'b', inputs: { transcript: '客户：再见' } }] });
  expect(job.status, job.text).toBe(202);
  const jobId = (job.json as { job_id: string }).job_id;
  await waitForJob(h.server.url, `/v1/jobs/${jobId}`, { authorization: `Bearer ${key}` });
  await new Promise((r) => setTimeout(r, 300)); // the run log writes behind
  return { scenarioId, runId: (run.json as { run_id: string }).run_id, jobId };
}

/** Every read of the admin UI and the API that may touch the scenario's rows, with the status each answered. */
async function readEverything(slug: string, ids: { scenarioId: string; runId: string; jobId: string }): Promise<Record<string, number>> {
  const { scenarioId, runId, jobId } = ids;
  const admin = [
    '/api/scenarios',
    `/api/scenarios/${scenarioId}`,
    `/api/scenarios/${scenarioId}/versions`,
    `/api/scenarios/${scenarioId}/versions/1`,
    `/api/scenarios/${scenarioId}/diff?from=1&to=draft`,
    `/api/scenarios/${scenarioId}/publication`,
    `/api/scenarios/${scenarioId}/runs`,
    `/api/scenarios/${scenarioId}/api-runs`,
    `/api/scenarios/${scenarioId}/metrics`,
    `/api/scenarios/${scenarioId}/export`,
    `/api/scenarios/${scenarioId}/template-status`,
    `/api/scenarios/${scenarioId}/dashboard`,
    `/api/scenarios/${scenarioId}/dashboard?job_id=${jobId}`,
    `/api/scenarios/${scenarioId}/dashboard/calls?job_id=${jobId}`,
    `/api/scenarios/${scenarioId}/dashboard/calls/${jobId}/a`,
    '/api/dashboard/scenarios',
    `/api/runs/${runId}`,
    '/api/jobs',
    `/api/jobs/${jobId}`,
    `/api/jobs/${jobId}/results`,
    '/api/keys',
    '/api/templates',
    `/docs/${slug}`,
    `/v1/scenarios/${slug}/openapi.json`,
  ];
  const statuses: Record<string, number> = {};
  for (const url of admin) statuses[url] = (await call(h.server.url, 'GET', url)).status;
  for (const url of [`/v1/runs/${runId}`, `/v1/jobs/${jobId}`, `/v1/jobs/${jobId}/results`]) statuses[url] = (await h.v1('GET', url, key)).status;
  return statuses;
}

describe('stored rows a read must survive', () => {
  // 990: SQLite's JSON functions still read it, so the JavaScript side gets it whole; 1,200: past them.
  it.each([990, 1200])('answers every read below 500 with rows nested %i deep', async (levels) => {
    const graph = `{"nodes":[{"id":"x","config":${deep(levels)}}],"edges":[]}`;
    const value = deep(levels);
    const slug = `rows-deep-${levels}`;
    const ids = await scenarioWithHistory(slug);
    const db = sqliteOf(h.store.db);
    db.prepare('update scenarios set graph = ? where id = ?').run(graph, ids.scenarioId);
    db.prepare('update scenario_versions set graph = ? where scenario_id = ?').run(graph, ids.scenarioId);
    db.prepare('update runs set inputs = ?, outputs = ?, events = ? where scenario_id = ?').run(value, value, `[${value}]`, ids.scenarioId);
    db.prepare('update job_items set inputs = ?, outputs = ?, error = ? where job_id = ?').run(value, value, value, ids.jobId);
    db.prepare('update api_keys set scenarios = ? where name = ?').run(value, 'reader-planted');
    const template = db.prepare('select id from templates limit 1').get() as { id: string } | undefined;
    if (template) db.prepare('update templates set meta = ? where id = ?').run(value, template.id);

    const statuses = await readEverything(slug, ids);
    const failed = Object.entries(statuses).filter(([, status]) => status >= 500);
    expect(failed, JSON.stringify(statuses)).toEqual([]);
    expect((await call(h.server.url, 'GET', '/api/health')).status).toBe(200);
  });
});
