import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CallDetailSchema, CallPageSchema, DashboardSchema, JobScenarioListSchema, scoreBucket, type AuditDashboard } from '@shared/dashboard.js';
import { JobCreatedSchema, type JobResultLine } from '@shared/jobs.js';
import { call, echoGraph } from './helpers.js';
import { auditGraph, resultLines, sampleItems, waitForJob } from './jobs-helpers.js';
import { sql } from 'drizzle-orm';
import { rawRows } from '../../server/src/storage/dialect-sql.js';
import { onPostgres } from './test-store.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

let h: V1Harness;
let scenarioId: string;
let echoId: string;
let jobId: string;
let results: JobResultLine[];

async function submit(items: ReturnType<typeof sampleItems>): Promise<string> {
  const body = items.map((i) => JSON.stringify(i)).join('\n');
  const res = await call(h.server.url, 'POST', `/api/scenarios/${scenarioId}/jobs`, body, { 'content-type': 'application/x-ndjson' });
  expect(res.status).toBe(202);
  const { job_id } = JobCreatedSchema.parse(res.json);
  await waitForJob(h.server.url, `/api/jobs/${job_id}`);
  return job_id;
}

async function dashboard(query: string): Promise<AuditDashboard> {
  const res = await call(h.server.url, 'GET', `/api/scenarios/${scenarioId}/dashboard${query}`);
  expect(res.status).toBe(200);
  const parsed = DashboardSchema.parse(res.json);
  if (!parsed.audit) throw new Error('expected an audit dashboard');
  return parsed;
}

interface Outputs {
  score: number;
  verdict: string;
  fatal: string[];
  items: Array<{ id: string; name: string; result: string; fatal: boolean; evidence: string[] }>;
}

function outputsOf(line: JobResultLine): Outputs {
  const o = line.outputs;
  if (!o || typeof o.score !== 'number' || typeof o.verdict !== 'string' || !Array.isArray(o.items) || !Array.isArray(o.fatal)) throw new Error('not audit outputs');
  return { score: o.score, verdict: o.verdict, fatal: o.fatal.map(String), items: o.items };
}

beforeAll(async () => {
  h = await startV1Harness();
  scenarioId = (await h.publish('audit-dash', auditGraph())).scenarioId;
  echoId = (await h.publish('echo-dash', echoGraph())).scenarioId;
  jobId = await submit(sampleItems().slice(0, 30));
  results = resultLines((await call(h.server.url, 'GET', `/api/jobs/${jobId}/results`)).text);
});
afterAll(() => h.close());

describe('inspection dashboard', () => {
  it.skipIf(!onPostgres)('PostgreSQL: stores each call\'s extraction as it succeeds, before any dashboard read', async () => {
    const unstored = async () => Number((await rawRows(h.store, sql`select count(*)::int as n from job_items where job_id = ${jobId} and audit is null`))[0]?.n);
    await vi.waitFor(async () => expect(await unstored()).toBe(0), { timeout: 10_000 });
    expect(results).toHaveLength(30);
  });

  it('lists published scenarios and tells the audit-shaped ones', async () => {
    const list = JobScenarioListSchema.parse((await call(h.server.url, 'GET', '/api/dashboard/scenarios')).json);
    expect(list.scenarios.find((s) => s.id === scenarioId)).toMatchObject({ slug: 'audit-dash', live_version: 1, latest_version: 1, audit: true });
    expect(list.scenarios.find((s) => s.id === echoId)).toMatchObject({ audit: false });
  });

  it('answers audit: false with the missing outputs for a scenario that is not audit-shaped', async () => {
    const res = await call(h.server.url, 'GET', `/api/scenarios/${echoId}/dashboard`);
    expect(DashboardSchema.parse(res.json)).toEqual({ audit: false, missing: ['score', 'verdict', 'items'] });
  });

  it('aggregates one job exactly as a recomputation from its results', async () => {
    const d = await dashboard(`?job_id=${jobId}`);
    const outs = results.filter((r) => r.status === 'succeeded').map(outputsOf);
    expect(outs).toHaveLength(30);
    expect(d.calls).toBe(30);
    expect(d.failed_runs).toBe(0);
    expect(d.mean_score).toBeCloseTo(outs.reduce((s, o) => s + o.score, 0) / outs.length, 2);

    const bars = new Map<number, number>();
    for (const o of outs) bars.set(scoreBucket(o.score), (bars.get(scoreBucket(o.score)) ?? 0) + 1);
    expect(d.score).toHaveLength(10);
    for (const bar of d.score) expect(bar.count).toBe(bars.get(bar.from) ?? 0);

    const verdicts: Record<string, number> = {};
    for (const o of outs) verdicts[o.verdict] = (verdicts[o.verdict] ?? 0) + 1;
    expect(Object.fromEntries(d.verdicts.map((v) => [v.verdict, v.count]))).toEqual(verdicts);

    const ids = outs[0].items.map((i) => i.id);
    expect(d.items.map((i) => i.id)).toEqual(ids);
    for (const stat of d.items) {
      const all = outs.map((o) => o.items.find((i) => i.id === stat.id));
      expect(stat.fail).toBe(all.filter((i) => i?.result === 'fail').length);
      expect(stat.pass).toBe(all.filter((i) => i?.result === 'pass').length);
      expect(stat.na).toBe(all.filter((i) => i?.result === 'na').length);
      expect(stat.total).toBe(30);
    }
    const redLines = outs[0].items.filter((i) => i.fatal).map((i) => i.id);
    expect(d.fatal.map((f) => f.id)).toEqual(redLines);
    for (const f of d.fatal) expect(f.hits).toBe(outs.filter((o) => o.fatal.includes(f.id)).length);

    expect(d.trend.interval).toBe('hour');
    expect(d.trend.points.reduce((s, p) => s + p.calls, 0)).toBe(30);
    const failRate = (verdicts.fail ?? 0) / 30;
    if (d.trend.points.length === 1) expect(d.trend.points[0].fail_rate).toBeCloseTo(failRate, 3);
  });

  it('drills into every bar: the calls behind it, worst first, with failing items and evidence', async () => {
    const d = await dashboard(`?job_id=${jobId}`);
    const calls = async (bucket: string, page = '&limit=200') => {
      const res = await call(h.server.url, 'GET', `/api/scenarios/${scenarioId}/dashboard/calls?job_id=${jobId}&bucket=${encodeURIComponent(bucket)}${page}`);
      expect(res.status).toBe(200);
      return CallPageSchema.parse(res.json);
    };
    for (const bar of d.score.filter((b) => b.count > 0)) {
      const page = await calls(`score:${bar.from}-${bar.to}`);
      expect(page.total).toBe(bar.count);
      expect(page.calls.every((c) => c.score !== null && scoreBucket(c.score) === bar.from)).toBe(true);
    }
    for (const item of d.items.filter((i) => i.fail > 0)) {
      const page = await calls(`item:${item.id}:fail`);
      expect(page.total).toBe(item.fail);
      expect(page.calls.every((c) => c.failing.some((f) => f.id === item.id))).toBe(true);
    }
    for (const red of d.fatal) {
      const page = await calls(`fatal:${red.id}`);
      expect(page.total).toBe(red.hits);
      expect(page.calls.every((c) => c.fatal.includes(red.id))).toBe(true);
    }
    const fails = await calls('verdict:fail');
    expect(fails.total).toBe(d.verdicts.find((v) => v.verdict === 'fail')?.count ?? 0);
    const scores = fails.calls.map((c) => c.score ?? 0);
    expect(scores).toEqual([...scores].sort((a, b) => a - b));
    const paged = await calls('verdict:fail', '&limit=2&offset=1');
    expect(paged.calls.map((c) => c.item_id)).toEqual(fails.calls.slice(1, 3).map((c) => c.item_id));
    expect((await call(h.server.url, 'GET', `/api/scenarios/${scenarioId}/dashboard/calls?bucket=nonsense`)).status).toBe(400);
  });

  it('shows one call with all its items and the transcript its evidence points into', async () => {
    const worst = CallPageSchema.parse((await call(h.server.url, 'GET', `/api/scenarios/${scenarioId}/dashboard/calls?job_id=${jobId}&bucket=score:0-100&limit=1`)).json);
    const first = results.find((r) => r.status === 'succeeded');
    const target = worst.calls[0] ?? { job_id: jobId, item_id: first?.id ?? '' };
    const res = await call(h.server.url, 'GET', `/api/scenarios/${scenarioId}/dashboard/calls/${target.job_id}/${encodeURIComponent(target.item_id)}`);
    expect(res.status).toBe(200);
    const detail = CallDetailSchema.parse(res.json);
    const line = results.find((r) => r.id === target.item_id);
    expect(line).toBeDefined();
    if (!line) return;
    expect(detail.items.map((i) => i.id)).toEqual(outputsOf(line).items.map((i) => i.id));
    expect(detail.run_id).toBe(line.run_id);
    const turnIds = new Set(detail.transcript?.map((t) => t.id));
    const source = sampleItems().find((i) => i.id === target.item_id);
    expect(detail.transcript).toHaveLength(source?.inputs.transcript.turns.length ?? -1);
    for (const item of detail.items) for (const e of item.evidence) expect(turnIds.has(e)).toBe(true);
    expect((await call(h.server.url, 'GET', `/api/scenarios/${scenarioId}/dashboard/calls/${jobId}/nope`)).status).toBe(404);
  });

  it('spans jobs over a time range; an empty range has no calls', async () => {
    const second = await submit(sampleItems().slice(30, 44));
    const all = await dashboard(`?from=0&to=${Date.now() + 60_000}&interval=day&tz=480`);
    expect(all.calls).toBe(44);
    expect(all.trend.interval).toBe('day');
    expect(all.trend.points.reduce((s, p) => s + p.calls, 0)).toBe(44);
    const justSecond = await dashboard(`?job_id=${second}`);
    expect(justSecond.calls).toBe(14);
    const future = await dashboard(`?from=${Date.now() + 3_600_000}`);
    expect(future.calls).toBe(0);
    expect(future.score.every((b) => b.count === 0)).toBe(true);
    expect((await call(h.server.url, 'GET', `/api/scenarios/${echoId}/dashboard?job_id=${jobId}`)).status).toBe(404);
    expect((await call(h.server.url, 'GET', `/api/scenarios/${scenarioId}/dashboard?interval=week`)).status).toBe(400);
  });
});
