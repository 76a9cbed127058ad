/**
 * Evaluation runs (issue 14 part 3): scored when their job ends, with each case's run id and outputs;
 * a run whose job ended while nobody listened (a crash between the job's end and its scoring) is scored
 * at the next start; a queued run cancelled is never scored; two runs compared. On both stores.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { lineGraph, noServices } from '../engine/testing.js';
import { JobService } from '../jobs/service.js';
import type { JobRow } from '../storage/jobs.js';
import { ScriptedModel } from '../model/scripted.js';
import { PublishedScenarios } from '../publish/registry.js';
import { createScenario, updateScenario } from '../storage/scenarios.js';
import type { DataStore } from '../storage/store.js';
import { storePairsUnderTest, storesUnderTest } from '../storage/testing-stores.js';
import { compareRuns } from './run-compare.js';
import { EvaluationRuns } from './runs.js';
import { EvaluationSets } from './sets.js';

const services: JobService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
});

/** start (transcript) → end: `intent` is `<tag>:<the transcript's text>`, no model call. */
const tagGraph = (tag: string) => lineGraph([], [{ name: 'intent', value: `${tag}:{{ start.transcript.text }}` }]);
const BY = { id: 'u1', name: 'alice' };

function jobService(store: DataStore): JobService {
  const jobs = new JobService(store, new PublishedScenarios(store, noServices), new ScriptedModel(() => 'ok').resolver(), noServices, { runner: { flushMs: 1, pollMs: 5 } });
  services.push(jobs);
  return jobs;
}

/** A scenario answering `A:…` and a set of three cases, two expecting what it answers. */
async function scenarioWithSet(store: DataStore): Promise<{ scenarioId: string; setId: string; sets: EvaluationSets }> {
  const scenarioId = (await createScenario(store, { name: 'tag', graph: tagGraph('A') })).id;
  const sets = new EvaluationSets(store);
  const setId = (await sets.create(scenarioId, { name: 'gold', description: '' })).id;
  await sets.addCases(
    setId,
    [
      { id: 'x', inputs: { transcript: '客户：宽带断了' }, expected: { intent: 'A:[t1] customer: 宽带断了' } },
      { id: 'y', inputs: { transcript: '客户：我要投诉' }, expected: { intent: 'A:[t1] customer: 我要投诉' } },
      { id: 'z', inputs: { transcript: '客户：查话费' }, expected: { intent: 'B:[t1] customer: 查话费' } },
    ],
    'alice',
  );
  return { scenarioId, setId, sets };
}

/** Resolves once the service says job `jobId` ended. */
function ended(jobs: JobService, jobId: string): Promise<JobRow> {
  return new Promise((resolve) => {
    const stop = jobs.onJobEnded((job) => {
      if (job.id !== jobId) return;
      stop();
      resolve(job);
    });
  });
}

async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400 && !(await check()); i += 1) await new Promise((r) => setTimeout(r, 5));
  expect(await check()).toBe(true);
}

describe.each(storesUnderTest('eval_runs_service'))('an evaluation run on %s', (_name, open, skip) => {
  it.skipIf(skip)('is scored when its job ends, with each case’s run id and outputs', async () => {
    const store = await open();
    const { scenarioId, setId, sets } = await scenarioWithSet(store);
    const jobs = jobService(store);
    const runs = new EvaluationRuns(jobs, sets);
    runs.start();
    const { run, total } = await runs.startRun(scenarioId, { setId, target: { draft: true } }, BY);
    expect(total).toBe(3);
    expect(await runs.summary(run)).toMatchObject({ status: 'queued', version: null, set_revision: 1, done: 0, created_by: 'alice' });
    jobs.start();
    await until(async () => (await runs.get(run.id)).status === 'completed');
    const detail = await runs.detail(run.id);
    expect(detail).toMatchObject({ status: 'completed', done: 3, failed: 0, simulated: false, progress: null });
    expect(detail.metrics?.['intent.accuracy']).toBeCloseTo(2 / 3, 10);
    const cases = await runs.cases(run.id);
    expect(cases.map((c) => [c.id, c.status, c.outputs.intent?.correct, c.actual?.intent])).toEqual([
      ['x', 'succeeded', true, 'A:[t1] customer: 宽带断了'],
      ['y', 'succeeded', true, 'A:[t1] customer: 我要投诉'],
      ['z', 'succeeded', false, 'A:[t1] customer: 查话费'],
    ]);
    expect(cases.every((c) => typeof c.run_id === 'string')).toBe(true);

    // The draft changes to answer `B:…`: a second run flips x and y to wrong and z to right.
    expect((await updateScenario(store, scenarioId, { graph: tagGraph('B') })).ok).toBe(true);
    const second = await runs.startRun(scenarioId, { setId, target: { draft: true } }, BY);
    await until(async () => (await runs.get(second.run.id)).status === 'completed');
    const compared = await compareRuns(runs, run.id, second.run.id);
    expect(compared.deltas.find((d) => d.metric === 'intent.accuracy')?.delta).toBeCloseTo(1 / 3 - 2 / 3, 10);
    expect(compared.changed).toEqual([
      { output: 'intent', right_to_wrong: [expect.objectContaining({ id: 'x' }), expect.objectContaining({ id: 'y' })], wrong_to_right: [expect.objectContaining({ id: 'z', a_run_id: cases[2].run_id })] },
    ]);
    await runs.stop();
  });

  it.skipIf(skip)('cancelled before it runs ends cancelled and is never scored', async () => {
    const store = await open();
    const { scenarioId, setId, sets } = await scenarioWithSet(store);
    const jobs = jobService(store);
    const runs = new EvaluationRuns(jobs, sets);
    runs.start();
    const { run } = await runs.startRun(scenarioId, { setId, target: { draft: true } }, BY);
    expect(await runs.cancel(run.id)).toMatchObject({ status: 'cancelled', metrics: null });
    await expect(runs.cancel(run.id)).rejects.toMatchObject({ code: 'eval_run_ended' });
    await expect(runs.cases(run.id)).rejects.toMatchObject({ code: 'eval_run_not_completed' });
    await runs.stop();
  });

  it.skipIf(skip)('refuses a set of another scenario and an empty revision', async () => {
    const store = await open();
    const { setId, sets } = await scenarioWithSet(store);
    const other = (await createScenario(store, { name: 'other', graph: tagGraph('A') })).id;
    const runs = new EvaluationRuns(jobService(store), sets);
    await expect(runs.startRun(other, { setId, target: { draft: true } }, BY)).rejects.toMatchObject({ code: 'unknown_eval_set' });
    const { scenarioId } = await scenarioWithSet(store);
    const empty = (await sets.create(scenarioId, { name: 'empty', description: '' })).id;
    await expect(runs.startRun(scenarioId, { setId: empty, target: { draft: true } }, BY)).rejects.toMatchObject({ code: 'empty_eval_set' });
  });
});

describe.each(storePairsUnderTest('eval_runs_restart'))('an evaluation run over a restart on %s', (_name, open, skip) => {
  it.skipIf(skip)('whose job ended while nobody listened is scored at the next start', async () => {
    const { a: store, b: again } = await open();
    const { scenarioId, setId, sets } = await scenarioWithSet(store);
    const jobs = jobService(store);
    // Started but not listening: as a server that crashed after the job's end, before scoring.
    const before = new EvaluationRuns(jobs, sets);
    const { run } = await before.startRun(scenarioId, { setId, target: { draft: true } }, BY);
    const done = ended(jobs, run.jobId);
    jobs.start();
    await done;
    await jobs.stop();
    expect((await before.get(run.id)).status).toBe('queued');

    // The next start, on the same database.
    const laterJobs = jobService(again);
    const after = new EvaluationRuns(laterJobs, new EvaluationSets(again));
    after.start();
    await after.stop();
    expect(await after.detail(run.id)).toMatchObject({ status: 'completed', done: 3, metrics: expect.objectContaining({ 'intent.accuracy': expect.closeTo(2 / 3, 10) }) });
  });
});
