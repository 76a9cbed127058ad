/**
 * Evaluation runs over real HTTP (issue 14 part 3): a scenario made from the complaint-risk template,
 * a 4-case set, the draft run on it against a scripted model endpoint whose answers are known (so the
 * accuracy is exact), version 1 run after publishing with the model answering otherwise, and the two
 * results compared: metric deltas and the cases that flipped, each with both runs' ids. Also: progress,
 * per-case results, audit, cancel refused once ended, permissions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvalRunCasesSchema, EvalRunComparisonSchema, EvalRunDetailSchema, EvalRunListSchema, EvalRunStartedSchema, type EvalRunDetail } from '@shared/evaluation-runs.js';
import { EvalSetSummarySchema } from '@shared/evaluation.js';
import type { MetricSettings } from '@shared/evaluation-metrics.js';
import type { MockOpenAI } from '../../server/src/model/mock-openai.testing.js';
import { answerAll, startRiskHarness } from './eval-kit.js';
import { call, signInAs, type TestSession } from './helpers.js';
import type { V1Harness } from './v1-helpers.js';

let mock: MockOpenAI;
let h: V1Harness;
let viewer: TestSession;
let scenarioId: string;
let setId: string;
const base = () => h.server.url;

beforeAll(async () => {
  ({ mock, h, scenarioId, setId } = await startRiskHarness('投诉风险 评测运行', 'four'));
  viewer = await signInAs(base(), 'viewer');
});
afterAll(async () => {
  await h?.close();
  await mock?.close();
});

/** Keys that hold names a person chose (outputs, metrics, inputs): their keys are data, not the API's. */
const NAME_MAPS = new Set(['metrics', 'outputs', 'expected', 'actual', 'inputs']);

/** Every key of a reply that is not snake_case (outside the maps keyed by a person's names), as paths. */
function camelKeys(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => camelKeys(v, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) => [
    ...(/[A-Z]/.test(key) ? [`${path}.${key}`] : []),
    ...(NAME_MAPS.has(key) && typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.values(v).flatMap((inner, i) => camelKeys(inner, `${path}.${key}[${i}]`)) : camelKeys(v, `${path}.${key}`)),
  ]);
}

/** Polls a run until it is no longer queued or running. */
async function finished(runId: string): Promise<EvalRunDetail> {
  for (let i = 0; i < 300; i += 1) {
    const detail = EvalRunDetailSchema.parse((await call(base(), 'GET', `/api/eval-runs/${runId}`)).json);
    if (detail.status !== 'queued' && detail.status !== 'running') return detail;
    expect(detail.progress).not.toBeNull();
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`run ${runId} did not finish`);
}

async function start(target: { version: number } | { draft: true }) {
  const res = await call(base(), 'POST', `/api/scenarios/${scenarioId}/eval-runs`, { set_id: setId, target });
  expect(res.status, res.text).toBe(202);
  return EvalRunStartedSchema.parse(res.json);
}

describe('evaluation runs', () => {
  let draftRun: string;
  let versionRun: string;

  it('runs the draft on the set and scores it exactly', async () => {
    answerAll(mock, 'low');
    const started = await start({ draft: true });
    expect(started.total).toBe(4);
    draftRun = started.id;
    const done = await finished(started.id);
    expect(done).toMatchObject({ status: 'completed', version: null, set_revision: 1, set_name: 'four', total: 4, done: 4, failed: 0, simulated: false, progress: null });
    expect(done.metrics?.['warn.accuracy']).toBe(0.75);
    expect(done.result?.per_case.map((c) => [c.id, c.outputs.warn?.correct])).toEqual([['a', true], ['b', true], ['c', false], ['d', true]]);
    // The API is snake_case through and through, the scored detail included (per_class, not perClass).
    const raw = (await call(base(), 'GET', `/api/eval-runs/${started.id}`)).json;
    expect(raw).toMatchObject({ result: { outputs: { warn: { kind: 'label', per_class: expect.any(Array) } } } });
    expect(camelKeys(raw)).toEqual([]);
    expect(camelKeys((await call(base(), 'GET', `/api/eval-runs/${started.id}/cases`)).json)).toEqual([]);
    expect(camelKeys((await call(base(), 'GET', `/api/scenarios/${scenarioId}/eval-runs`)).json)).toEqual([]);

    const cases = EvalRunCasesSchema.parse((await call(base(), 'GET', `/api/eval-runs/${started.id}/cases`)).json).cases;
    expect(cases.map((c) => [c.id, c.status, c.expected.warn, c.actual?.warn, c.outputs.warn?.correct])).toEqual([
      ['a', 'succeeded', true, true, true],
      ['b', 'succeeded', false, false, true],
      ['c', 'succeeded', true, false, false],
      ['d', 'succeeded', false, false, true],
    ]);
    // Each case names its run: its trace opens (the run log writes in the background).
    let trace = await call(base(), 'GET', `/api/runs/${cases[2].run_id}`);
    for (let i = 0; i < 40 && trace.status === 404; i += 1) {
      await new Promise((r) => setTimeout(r, 50));
      trace = await call(base(), 'GET', `/api/runs/${cases[2].run_id}`);
    }
    expect(trace.status, trace.text).toBe(200);
    expect(trace.json).toMatchObject({ id: cases[2].run_id, status: 'succeeded' });
  });

  it('runs version 1 after publishing and compares the two results', async () => {
    const published = await call(base(), 'POST', `/api/scenarios/${scenarioId}/publish`, { slug: 'complaint-eval', note: 'v1' });
    expect(published.status, published.text).toBe(201);
    answerAll(mock, 'high');
    const started = await start({ version: 1 });
    versionRun = started.id;
    const done = await finished(started.id);
    expect(done).toMatchObject({ status: 'completed', version: 1, total: 4 });
    expect(done.metrics?.['warn.accuracy']).toBe(0.5);

    const list = EvalRunListSchema.parse((await call(base(), 'GET', `/api/scenarios/${scenarioId}/eval-runs`)).json);
    expect(list.runs.map((r) => [r.id, r.version])).toEqual([[versionRun, 1], [draftRun, null]]);

    const comparedRaw = (await call(base(), 'GET', `/api/eval-runs/compare?a=${draftRun}&b=${versionRun}`)).json;
    expect(camelKeys(comparedRaw)).toEqual([]);
    const compared = EvalRunComparisonSchema.parse(comparedRaw);
    expect(compared).toMatchObject({ same_revision: true, common: 4, only_in_a: [], only_in_b: [] });
    expect(compared.deltas.find((d) => d.metric === 'warn.accuracy')).toEqual({ metric: 'warn.accuracy', a: 0.75, b: 0.5, delta: -0.25 });
    const warn = compared.changed.find((c) => c.output === 'warn');
    expect(warn?.right_to_wrong.map((c) => c.id)).toEqual(['b', 'd']);
    expect(warn?.wrong_to_right.map((c) => c.id)).toEqual(['c']);
    const flipped = warn?.wrong_to_right[0];
    expect(flipped?.a_run_id).toEqual(expect.any(String));
    expect(flipped?.b_run_id).toEqual(expect.any(String));
    expect(flipped?.a_run_id).not.toBe(flipped?.b_run_id);
  });

  it('records the start in the audit log and refuses to cancel an ended run', async () => {
    const audit = (await call(base(), 'GET', `/api/audit?target_id=${draftRun}`)).json as { entries: Array<{ action: string; target_type: string; summary: string }> };
    expect(audit.entries).toEqual([expect.objectContaining({ action: 'eval_run.start', target_type: 'eval_run', summary: 'draft on set revision 1, 4 cases' })]);
    const cancel = await call(base(), 'POST', `/api/eval-runs/${draftRun}/cancel`);
    expect(cancel.status).toBe(409);
    expect(cancel.json).toMatchObject({ error: { code: 'eval_run_ended' } });
  });

  it('refuses what cannot run or compare', async () => {
    const noVersion = await call(base(), 'POST', `/api/scenarios/${scenarioId}/eval-runs`, { set_id: setId, target: { version: 9 } });
    expect(noVersion.json).toMatchObject({ error: { code: 'unknown_version' } });
    const noSet = await call(base(), 'POST', `/api/scenarios/${scenarioId}/eval-runs`, { set_id: 'nope', target: { draft: true } });
    expect(noSet.json).toMatchObject({ error: { code: 'unknown_eval_set' } });
    const empty = EvalSetSummarySchema.parse((await call(base(), 'POST', `/api/scenarios/${scenarioId}/eval-sets`, { name: 'empty', description: '' })).json);
    const emptyRun = await call(base(), 'POST', `/api/scenarios/${scenarioId}/eval-runs`, { set_id: empty.id, target: { draft: true } });
    expect(emptyRun.json).toMatchObject({ error: { code: 'empty_eval_set' } });
    expect((await call(base(), 'GET', '/api/eval-runs/compare?a=x')).json).toMatchObject({ error: { code: 'missing_eval_runs' } });
    expect((await call(base(), 'GET', '/api/eval-runs/nope')).status).toBe(404);
  });

  it('lets a viewer neither start nor read runs', async () => {
    const start = await call(base(), 'POST', `/api/scenarios/${scenarioId}/eval-runs`, { set_id: setId, target: { draft: true } }, {}, { as: viewer });
    expect(start.status).toBe(403);
    expect((await call(base(), 'GET', `/api/eval-runs/${draftRun}`, undefined, {}, { as: viewer })).status).toBe(403);
  });

  it('scores a set’s runs as its stored overrides say (评分方式), and refuses an override of no output', async () => {
    const url = `/api/eval-sets/${setId}/metrics`;
    const before = (await call(base(), 'GET', url)).json as MetricSettings;
    expect(before.overrides).toEqual({});
    expect(before.plan.find((p) => p.output === 'warn')).toMatchObject({ kind: 'label', reason: 'boolean' });
    const unknown = await call(base(), 'PUT', url, { overrides: { nope: { kind: 'exact' } } });
    expect(unknown.json).toMatchObject({ error: { code: 'unknown_expected_output', details: { path: 'nope' } } });
    expect((await call(base(), 'PUT', url, { overrides: { warn: { kind: 'exact' } } }, {}, { as: viewer })).status).toBe(403);
    const saved = await call(base(), 'PUT', url, { overrides: { warn: { kind: 'exact' } } });
    expect(saved.status, saved.text).toBe(200);
    expect((saved.json as MetricSettings).plan.find((p) => p.output === 'warn')).toMatchObject({ kind: 'exact', reason: 'override' });
    expect((saved.json as MetricSettings).default_plan.find((p) => p.output === 'warn')?.kind).toBe('label');
    answerAll(mock, 'low');
    const done = await finished((await start({ draft: true })).id);
    // Exact match gives accuracy only: no kappa, no per-class scores.
    expect(Object.keys(done.metrics ?? {}).filter((m) => m.startsWith('warn.'))).toEqual(['warn.accuracy']);
    expect(done.metrics?.['warn.accuracy']).toBe(0.75);
    expect((await call(base(), 'PUT', url, { overrides: {} })).json).toMatchObject({ overrides: {} });
  });
});
