/**
 * The evaluation services on both stores, with no SQLite `Db`: sets read their scenario and its template
 * origin through the store (shipped sets listed and imported; a set a gate measures on is kept), a run
 * is started, followed, cancelled and scored through the job service's store, metric settings read the
 * draft through it. On one database, two servers cancelling one evaluation job at once: one cancels it,
 * the other is told it ended (one conditional update).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { lineGraph, noServices } from '../engine/testing.js';
import { cancelEvaluationJob, evaluationJobProgress, submitEvaluationJob } from '../jobs/evaluation-jobs.js';
import { JobService } from '../jobs/service.js';
import { ScriptedModel } from '../model/scripted.js';
import { PublishedScenarios } from '../publish/registry.js';
import { deletePublishGate, putPublishGate } from '../storage/publish-gates.js';
import { createScenario } from '../storage/scenarios.js';
import type { DataStore } from '../storage/store.js';
import { storePairsUnderTest, storesUnderTest } from '../storage/testing-stores.js';
import { metricSettings } from './metric-settings.js';
import { EvaluationRuns } from './runs.js';
import { EvaluationSets } from './sets.js';

/** start (transcript) → end: `intent` is `<tag>:<the transcript's text>`, no model call. */
const tagGraph = (tag: string) => lineGraph([], [{ name: 'intent', value: `${tag}:{{ start.transcript.text }}` }]);
const BY = { id: 'u1', name: 'alice' };
const CASES = [
  { id: 'x', inputs: { transcript: '客户：宽带断了' }, expected: { intent: 'A:[t1] customer: 宽带断了' } },
  { id: 'y', inputs: { transcript: '客户：查话费' }, expected: { intent: 'B:[t1] customer: 查话费' } },
];

const services: JobService[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
});
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function jobService(store: DataStore): JobService {
  const jobs = new JobService(store, new PublishedScenarios(store, noServices), new ScriptedModel(() => 'ok').resolver(), noServices, { runner: { flushMs: 1, pollMs: 5 } });
  services.push(jobs);
  return jobs;
}

/** A templates folder whose template `tpl` ships the set `gold` (the two cases). */
function templatesWithSet(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'mofang-eval-tpl-'));
  dirs.push(root);
  mkdirSync(path.join(root, 'tpl', 'eval'), { recursive: true });
  writeFileSync(path.join(root, 'tpl', 'eval', 'sets.json'), JSON.stringify([{ file: 'gold.jsonl', name: 'gold', description: 'd', citation: 'c' }]));
  writeFileSync(path.join(root, 'tpl', 'eval', 'gold.jsonl'), CASES.map((c) => JSON.stringify(c)).join('\n'));
  return root;
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400 && !(await check()); i += 1) await new Promise((r) => setTimeout(r, 10));
  expect(await check()).toBe(true);
}

describe.each(storesUnderTest('eval_services'))('evaluation services on %s', (_name, open, skip) => {
  it.skipIf(skip)('sets read the scenario and its template origin through the store', async () => {
    const store = await open();
    const sets = new EvaluationSets(store, templatesWithSet());
    await expect(sets.caseTargets('nope')).rejects.toMatchObject({ code: 'not_found' });
    await expect(sets.list('nope')).rejects.toMatchObject({ code: 'not_found' });
    const scenarioId = (await createScenario(store, { name: 'tag', graph: tagGraph('A') })).id;
    expect(await sets.targets(scenarioId)).toMatchObject({ inputs: [{ name: 'transcript' }], outputs: [{ name: 'intent' }], builtin: [] });
    await store.db.update(store.t.scenarios).set({ templateId: 'tpl', templateVersion: '1' }).where(eq(store.t.scenarios.id, scenarioId));
    expect((await sets.targets(scenarioId)).builtin).toEqual([{ name: 'gold', description: 'd', citation: 'c', cases: 2 }]);
    const { set, change } = await store.transaction((tx) => sets.within(tx).importBuiltin(scenarioId, 'gold', 'ann'));
    expect(change).toMatchObject({ revision: 1, added: 2, cases: 2 });
    await expect(sets.addCases(set.id, [{ inputs: { transcript: 'x' }, expected: { nope: 1 } }], 'ann')).rejects.toMatchObject({ code: 'unknown_expected_output' });
    await putPublishGate(store, { scenarioId, setId: set.id, metric: 'intent.accuracy', min: 0.5, maxDrop: null, updatedBy: 'ann', updatedAt: 1 });
    await expect(store.transaction((tx) => sets.within(tx).remove(set.id))).rejects.toMatchObject({ code: 'eval_set_is_gate' });
    await deletePublishGate(store, scenarioId);
    await store.transaction((tx) => sets.within(tx).remove(set.id));
    expect(await sets.list(scenarioId)).toEqual([]);
  });

  it.skipIf(skip)('a run is followed and cancelled through the job store, and another scored when its job ends', async () => {
    const store = await open();
    const scenarioId = (await createScenario(store, { name: 'tag', graph: tagGraph('A') })).id;
    const sets = new EvaluationSets(store);
    const setId = (await sets.create(scenarioId, { name: 'gold', description: '' })).id;
    await sets.addCases(setId, CASES, 'ann');
    expect((await metricSettings(store, setId, {})).plan.map((o) => o.output)).toEqual(['intent']);
    const jobs = jobService(store);
    const runs = new EvaluationRuns(jobs, sets);
    runs.start();
    // The runner is not started yet: the first run stays queued.
    const first = await runs.startRun(scenarioId, { setId, target: { draft: true } }, BY);
    expect(await runs.detail(first.run.id)).toMatchObject({ status: 'queued', done: 0, progress: { total: 2, pending: 2 } });
    expect(await evaluationJobProgress(jobs, first.run.jobId)).toMatchObject({ status: 'queued', total: 2 });
    expect(await runs.cancel(first.run.id)).toMatchObject({ status: 'cancelled' });
    await expect(runs.cancel(first.run.id)).rejects.toMatchObject({ code: 'eval_run_ended' });
    const second = await runs.startRun(scenarioId, { setId, target: { draft: true } }, BY);
    await jobs.start();
    await until(async () => (await runs.get(second.run.id)).status === 'completed');
    expect(await runs.detail(second.run.id)).toMatchObject({ status: 'completed', done: 2, failed: 0, progress: null, metrics: { 'intent.accuracy': 0.5 } });
    expect((await runs.list(scenarioId)).map((r) => [r.id, r.status, r.set_name])).toEqual(
      expect.arrayContaining([
        [first.run.id, 'cancelled', 'gold'],
        [second.run.id, 'completed', 'gold'],
      ]),
    );
    await runs.stop();
  });
});

describe.each(storePairsUnderTest('eval_cancel'))('two servers cancelling one evaluation job on %s', (_name, open, skip) => {
  it.skipIf(skip)('one cancels it, the other is told it ended', async () => {
    const { a, b } = await open();
    const scenarioId = (await createScenario(a, { name: 'tag', graph: tagGraph('A') })).id;
    const one = jobService(a);
    const two = jobService(b);
    const { jobId } = await submitEvaluationJob(one, { scenarioId, target: { draft: true }, items: CASES, by: 'u1' });
    const outcomes = await Promise.allSettled([cancelEvaluationJob(one, jobId), cancelEvaluationJob(two, jobId)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value.status)).toEqual(['cancelled']);
    expect(outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []))).toEqual([expect.objectContaining({ code: 'job_ended' })]);
  });
});
