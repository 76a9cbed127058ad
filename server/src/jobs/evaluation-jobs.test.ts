/**
 * Evaluation jobs (issue 14): a frozen draft runs as it was at submission whatever the draft becomes,
 * also after a restart that finds its items mid-run; a draft that does not compile is refused whole;
 * an old version runs although a newer one is live; the end listeners hear of completion and
 * cancellation; and the jobs list and the inspection dashboard see only batch jobs. On both stores (the
 * crash, on a SQLite file: one server per file takes up all running items at start).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobResultLine } from '@shared/jobs.js';
import { DomainError } from '../common/domain-error.js';
import { compileGraph } from '../engine/index.js';
import { lineGraph, noServices } from '../engine/testing.js';
import { ScriptedModel } from '../model/scripted.js';
import { brokenReplyGraph, replyGraph } from '../publish/graphs.testing.js';
import { publishDraft } from '../publish/publish.js';
import { PublishedScenarios } from '../publish/registry.js';
import { count } from 'drizzle-orm';
import { openStore, type Store } from '../storage/db.js';
import type { JobRow } from '../storage/jobs.js';
import { createScenario, updateScenario } from '../storage/scenarios.js';
import { getVersion } from '../storage/versions.js';
import { computeDashboard } from './dashboard.js';
import { dataStoreOf, type DataStore } from '../storage/store.js';
import { storesUnderTest } from '../storage/testing-stores.js';
import { cancelEvaluationJob, evaluationJobItems, evaluationJobProgress, submitEvaluationJob } from './evaluation-jobs.js';
import type { ApiRunRecord } from '../storage/run-log.js';
import { JobService, type JobServiceOptions } from './service.js';
import { submitJob } from './submit.js';

const stores: Store[] = [];
const services: JobService[] = [];
let dir: string | undefined;
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
  for (const s of stores.splice(0)) s.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** start (transcript) → end, answering `<tag>:<the transcript's text>`: no model call, the graph alone decides. */
const tagGraph = (tag: string) => lineGraph([], [{ name: 'text', value: `${tag}:{{ start.transcript.text }}` }]);
const CASES = [
  { id: 'c1', inputs: { transcript: '客户：宽带断了' } },
  { id: 'c2', inputs: { transcript: '客户：我要投诉' } },
];

function service(store: DataStore, runLog?: JobServiceOptions['runLog']): JobService {
  const jobs = new JobService(store, new PublishedScenarios(store, noServices), new ScriptedModel(() => 'ok').resolver(), noServices, { runner: { flushMs: 1, pollMs: 5 }, runLog });
  services.push(jobs);
  return jobs;
}

/** Resolves with the job once the service says it ended. */
function ended(jobs: JobService, jobId: string): Promise<JobRow> {
  return new Promise((resolve) => {
    const stop = jobs.onJobEnded((job) => {
      if (job.id !== jobId) return;
      stop();
      resolve(job);
    });
  });
}

async function itemsOf(jobs: JobService, jobId: string): Promise<JobResultLine[]> {
  const lines: JobResultLine[] = [];
  for await (const page of evaluationJobItems(jobs, jobId)) lines.push(...page);
  return lines;
}

/** SQLite and PostgreSQL (one throwaway server for the file). */
const bothStores = storesUnderTest('eval_jobs');

const texts = (lines: JobResultLine[]) => Object.fromEntries(lines.map((l) => [l.id, l.outputs?.text]));

describe.each(bothStores)('an evaluation job of a frozen draft on %s', (_name, open, skip) => {
  it.skipIf(skip)('runs the draft as it was at submission, though the draft is edited before any item runs', async () => {
    const store = await open();
    const scenarioId = (await createScenario(store, { name: 'draft', graph: tagGraph('A') })).id;
    const runs: ApiRunRecord[] = [];
    const jobs = service(store, { add: (run) => runs.push(run) });
    const submitted = await submitEvaluationJob(jobs, { scenarioId, target: { draft: true }, items: CASES, by: 'u1' });
    const expectedHash = compileGraph(tagGraph('A')).plan?.hash;
    expect(submitted).toMatchObject({ total: 2, version: null, graphHash: expectedHash });
    expect((await updateScenario(store, scenarioId, { graph: tagGraph('B') })).ok).toBe(true);
    const done = ended(jobs, submitted.jobId);
    jobs.start();
    const job = await done;
    expect(job).toMatchObject({ status: 'completed', purpose: 'evaluation', version: 0, graphHash: expectedHash, owner: 'user:u1' });
    expect(texts(await itemsOf(jobs, submitted.jobId))).toEqual({ c1: 'A:[t1] customer: 宽带断了', c2: 'A:[t1] customer: 我要投诉' });
    // Each item's run is logged for its trace, naming no version (a draft's, as the editor's test runs).
    expect(runs.map((r) => [r.kind, r.version, r.status])).toEqual([['job', null, 'succeeded'], ['job', null, 'succeeded']]);
    expect(await evaluationJobProgress(jobs, submitted.jobId)).toMatchObject({ status: 'completed', total: 2, succeeded: 2, failed: 0, pending: 0, version: 0 });
  });

  it.skipIf(skip)('refuses a draft that does not compile with its problems, and stores nothing', async () => {
    const store = await open();
    const scenarioId = (await createScenario(store, { name: 'broken', graph: brokenReplyGraph() })).id;
    const jobs = service(store);
    const refusal = await submitEvaluationJob(jobs, { scenarioId, target: { draft: true }, items: CASES, by: 'u1' }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal).toMatchObject({ kind: 'unprocessable', code: 'compile_failed', details: { problems: expect.arrayContaining([expect.objectContaining({ code: expect.any(String) })]) } });
    expect(await store.db.select({ n: count() }).from(store.t.jobs)).toEqual([{ n: 0 }]);
  });

  it.skipIf(skip)('refuses the whole submission naming the case whose inputs do not fit', async () => {
    const store = await open();
    const scenarioId = (await createScenario(store, { name: 'reply', graph: replyGraph() })).id;
    const jobs = service(store);
    const items = [{ id: 'ok', inputs: { transcript: '客户：你好' } }, { id: 'bad', inputs: { channel: 'hotline' } }];
    const refusal = await submitEvaluationJob(jobs, { scenarioId, target: { draft: true }, items, by: 'u1' }).catch((e: unknown) => e);
    expect(refusal).toMatchObject({ kind: 'invalid', code: 'invalid_item', details: { item: 'bad' } });
    expect(await store.db.select({ n: count() }).from(store.t.jobs)).toEqual([{ n: 0 }]);
  });

});

describe.each(bothStores)('an evaluation job of a published version on %s', (_name, open, skip) => {
  it.skipIf(skip)('runs an old version while a newer one is live, and names its plan hash', async () => {
    const store = await open();
    const scenarioId = (await createScenario(store, { name: 'versions', graph: tagGraph('V1') })).id;
    await publishDraft(store, noServices, scenarioId, { slug: 'versions' });
    await updateScenario(store, scenarioId, { graph: tagGraph('V2') });
    await publishDraft(store, noServices, scenarioId);
    const jobs = service(store);
    const submitted = await submitEvaluationJob(jobs, { scenarioId, target: { version: 1 }, items: CASES, by: 'u1' });
    expect(submitted).toMatchObject({ version: 1, total: 2, graphHash: (await getVersion(store, scenarioId, 1))?.planHash });
    const done = ended(jobs, submitted.jobId);
    jobs.start();
    await done;
    expect(texts(await itemsOf(jobs, submitted.jobId))).toEqual({ c1: 'V1:[t1] customer: 宽带断了', c2: 'V1:[t1] customer: 我要投诉' });
    await expect(submitEvaluationJob(jobs, { scenarioId, target: { version: 9 }, items: CASES, by: 'u1' })).rejects.toMatchObject({ kind: 'not_found', code: 'unknown_version' });
    await expect(submitEvaluationJob(jobs, { scenarioId: 'nope', target: { version: 1 }, items: CASES, by: 'u1' })).rejects.toMatchObject({ code: 'unknown_scenario' });
  });

  it.skipIf(skip)('tells the end listeners of a cancellation', async () => {
    const store = await open();
    const scenarioId = (await createScenario(store, { name: 'cancel', graph: tagGraph('A') })).id;
    const jobs = service(store);
    const { jobId } = await submitEvaluationJob(jobs, { scenarioId, target: { draft: true }, items: CASES, by: 'u1' });
    const done = ended(jobs, jobId);
    // Not started: nothing runs, so the cancel finds the job queued.
    expect(await cancelEvaluationJob(jobs, jobId)).toMatchObject({ status: 'cancelled' });
    expect(await done).toMatchObject({ id: jobId, status: 'cancelled' });
    await expect(cancelEvaluationJob(jobs, jobId)).rejects.toMatchObject({ code: 'job_ended' });
    await expect(cancelEvaluationJob(jobs, 'no-such-job')).rejects.toMatchObject({ code: 'unknown_job' });
  });
});

describe.each(bothStores)('the batch views on %s', (_name, open, skip) => {
  it.skipIf(skip)('list and count only batch jobs, not evaluation ones', async () => {
    const store = await open();
    const scenarioId = (await createScenario(store, { name: 'both', graph: tagGraph('A') })).id;
    const published = await publishDraft(store, noServices, scenarioId, { slug: 'both' });
    expect(published.version).toBe(1);
    const jobs = service(store);
    const plan = compileGraph(tagGraph('A')).plan;
    if (!plan) throw new Error('the test graph compiles');
    const batch = await submitJob(jobs.store, { scenarioId, slug: 'both', version: 1, plan }, [{ line: 1, id: 'b1', inputs: { transcript: '客户：一' } }], { owner: 'user:u1', idempotencyKey: null, webhookUrl: null });
    const evaluation = await submitEvaluationJob(jobs, { scenarioId, target: { version: 1 }, items: CASES, by: 'u1' });
    const finished = Promise.all([ended(jobs, batch.job.id), ended(jobs, evaluation.jobId)]);
    jobs.start();
    jobs.runner.wake();
    await finished;
    expect((await jobs.store.listJobs(scenarioId, 10)).map((j) => j.id)).toEqual([batch.job.id]);
    expect((await jobs.store.listJobs(undefined, 10)).map((j) => j.id)).toEqual([batch.job.id]);
    expect(batch.job.purpose).toBe('batch');
    const dashboard = await computeDashboard(store, { scenarioId });
    expect(dashboard.calls).toBe(1);
    expect((await computeDashboard(store, { scenarioId, jobId: evaluation.jobId })).calls).toBe(0);
    // The evaluation's readers do not see the batch job.
    expect(await evaluationJobProgress(jobs, batch.job.id)).toBeUndefined();
    await expect(cancelEvaluationJob(jobs, batch.job.id)).rejects.toMatchObject({ code: 'unknown_job' });
    expect(await itemsOf(jobs, batch.job.id)).toEqual([]);
  });
});

describe('an evaluation job after a crash (one server per SQLite file)', () => {
  it('after a crash with its items mid-run, runs them again from the graph stored in the job', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mofang-eval-jobs-'));
    let store = openStore(dir);
    const scenarioId = (await createScenario(dataStoreOf(store.db), { name: 'draft', graph: tagGraph('A') })).id;
    let jobs = new JobService(dataStoreOf(store.db), new PublishedScenarios(dataStoreOf(store.db), noServices), new ScriptedModel(() => 'ok').resolver(), noServices);
    const { jobId } = await submitEvaluationJob(jobs, { scenarioId, target: { draft: true }, items: CASES, by: 'u1' });
    // The "crash": both items claimed (running), no outcome written, the process gone; the draft moves on.
    expect(await jobs.store.claim(10, Date.now())).toHaveLength(2);
    await updateScenario(dataStoreOf(store.db), scenarioId, { graph: tagGraph('B') });
    store.close();

    store = openStore(dir);
    stores.push(store);
    jobs = service(dataStoreOf(store.db));
    const done = ended(jobs, jobId);
    jobs.start();
    expect(await done).toMatchObject({ status: 'completed' });
    const lines = await itemsOf(jobs, jobId);
    expect(texts(lines)).toEqual({ c1: 'A:[t1] customer: 宽带断了', c2: 'A:[t1] customer: 我要投诉' });
    expect((await jobs.store.finishedPage(jobId, 0, 10)).map((r) => r.attempts)).toEqual([2, 2]);
  });
});
