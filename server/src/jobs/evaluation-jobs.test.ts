/**
 * Evaluation jobs (issue 14): a frozen draft runs as it was at submission whatever the draft becomes,
 * also after a restart that finds its items mid-run; a draft that does not compile is refused whole;
 * an old version runs although a newer one is live; the end listeners hear of completion and
 * cancellation; and the jobs list and the inspection dashboard see only batch jobs.
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
import { openStore, openStoreFile, type Store } from '../storage/db.js';
import type { JobRow } from '../storage/jobs.js';
import { createScenario, updateScenario } from '../storage/scenarios.js';
import { sqliteOf } from '../storage/sqlite.js';
import { getVersion } from '../storage/versions.js';
import { computeDashboard } from './dashboard.js';
import { dataStoreOf } from '../storage/store.js';
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

function service(store: Store, runLog?: JobServiceOptions['runLog']): JobService {
  const jobs = new JobService(dataStoreOf(store.db), new PublishedScenarios(dataStoreOf(store.db), noServices), new ScriptedModel(() => 'ok').resolver(), noServices, { runner: { flushMs: 1, pollMs: 5 }, runLog });
  services.push(jobs);
  return jobs;
}

function memoryStore(): Store {
  const store = openStoreFile(':memory:');
  stores.push(store);
  return store;
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

const texts = (lines: JobResultLine[]) => Object.fromEntries(lines.map((l) => [l.id, l.outputs?.text]));

describe('an evaluation job of a frozen draft', () => {
  it('runs the draft as it was at submission, though the draft is edited before any item runs', async () => {
    const store = memoryStore();
    const scenarioId = (await createScenario(dataStoreOf(store.db), { name: 'draft', graph: tagGraph('A') })).id;
    const runs: ApiRunRecord[] = [];
    const jobs = service(store, { add: (run) => runs.push(run) });
    const submitted = await submitEvaluationJob(jobs, { scenarioId, target: { draft: true }, items: CASES, by: 'u1' });
    const expectedHash = compileGraph(tagGraph('A')).plan?.hash;
    expect(submitted).toMatchObject({ total: 2, version: null, graphHash: expectedHash });
    expect((await updateScenario(dataStoreOf(store.db), scenarioId, { graph: tagGraph('B') })).ok).toBe(true);
    const done = ended(jobs, submitted.jobId);
    jobs.start();
    const job = await done;
    expect(job).toMatchObject({ status: 'completed', purpose: 'evaluation', version: 0, graphHash: expectedHash, owner: 'user:u1' });
    expect(texts(await itemsOf(jobs, submitted.jobId))).toEqual({ c1: 'A:[t1] customer: 宽带断了', c2: 'A:[t1] customer: 我要投诉' });
    // Each item's run is logged for its trace, naming no version (a draft's, as the editor's test runs).
    expect(runs.map((r) => [r.kind, r.version, r.status])).toEqual([['job', null, 'succeeded'], ['job', null, 'succeeded']]);
    expect(evaluationJobProgress(jobs, submitted.jobId)).toMatchObject({ status: 'completed', total: 2, succeeded: 2, failed: 0, pending: 0, version: 0 });
  });

  it('refuses a draft that does not compile with its problems, and stores nothing', async () => {
    const store = memoryStore();
    const scenarioId = (await createScenario(dataStoreOf(store.db), { name: 'broken', graph: brokenReplyGraph() })).id;
    const jobs = service(store);
    const refusal = await submitEvaluationJob(jobs, { scenarioId, target: { draft: true }, items: CASES, by: 'u1' }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal).toMatchObject({ kind: 'unprocessable', code: 'compile_failed', details: { problems: expect.arrayContaining([expect.objectContaining({ code: expect.any(String) })]) } });
    expect(sqliteOf(store.db).prepare('select count(*) as n from jobs').get()).toEqual({ n: 0 });
  });

  it('refuses the whole submission naming the case whose inputs do not fit', async () => {
    const store = memoryStore();
    const scenarioId = (await createScenario(dataStoreOf(store.db), { name: 'reply', graph: replyGraph() })).id;
    const jobs = service(store);
    const items = [{ id: 'ok', inputs: { transcript: '客户：你好' } }, { id: 'bad', inputs: { channel: 'hotline' } }];
    const refusal = await submitEvaluationJob(jobs, { scenarioId, target: { draft: true }, items, by: 'u1' }).catch((e: unknown) => e);
    expect(refusal).toMatchObject({ kind: 'invalid', code: 'invalid_item', details: { item: 'bad' } });
    expect(sqliteOf(store.db).prepare('select count(*) as n from jobs').get()).toEqual({ n: 0 });
  });

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
    jobs = service(store);
    const done = ended(jobs, jobId);
    jobs.start();
    expect(await done).toMatchObject({ status: 'completed' });
    const lines = await itemsOf(jobs, jobId);
    expect(texts(lines)).toEqual({ c1: 'A:[t1] customer: 宽带断了', c2: 'A:[t1] customer: 我要投诉' });
    expect((await jobs.store.finishedPage(jobId, 0, 10)).map((r) => r.attempts)).toEqual([2, 2]);
  });
});

describe('an evaluation job of a published version', () => {
  it('runs an old version while a newer one is live, and names its plan hash', async () => {
    const store = memoryStore();
    const scenarioId = (await createScenario(dataStoreOf(store.db), { name: 'versions', graph: tagGraph('V1') })).id;
    await publishDraft(dataStoreOf(store.db), noServices, scenarioId, { slug: 'versions' });
    await updateScenario(dataStoreOf(store.db), scenarioId, { graph: tagGraph('V2') });
    await publishDraft(dataStoreOf(store.db), noServices, scenarioId);
    const jobs = service(store);
    const submitted = await submitEvaluationJob(jobs, { scenarioId, target: { version: 1 }, items: CASES, by: 'u1' });
    expect(submitted).toMatchObject({ version: 1, total: 2, graphHash: (await getVersion(dataStoreOf(store.db), scenarioId, 1))?.planHash });
    const done = ended(jobs, submitted.jobId);
    jobs.start();
    await done;
    expect(texts(await itemsOf(jobs, submitted.jobId))).toEqual({ c1: 'V1:[t1] customer: 宽带断了', c2: 'V1:[t1] customer: 我要投诉' });
    await expect(submitEvaluationJob(jobs, { scenarioId, target: { version: 9 }, items: CASES, by: 'u1' })).rejects.toMatchObject({ kind: 'not_found', code: 'unknown_version' });
    await expect(submitEvaluationJob(jobs, { scenarioId: 'nope', target: { version: 1 }, items: CASES, by: 'u1' })).rejects.toMatchObject({ code: 'unknown_scenario' });
  });

  it('tells the end listeners of a cancellation', async () => {
    const store = memoryStore();
    const scenarioId = (await createScenario(dataStoreOf(store.db), { name: 'cancel', graph: tagGraph('A') })).id;
    const jobs = service(store);
    const { jobId } = await submitEvaluationJob(jobs, { scenarioId, target: { draft: true }, items: CASES, by: 'u1' });
    const done = ended(jobs, jobId);
    // Not started: nothing runs, so the cancel finds the job queued.
    expect(cancelEvaluationJob(jobs, jobId)).toMatchObject({ status: 'cancelled' });
    expect(await done).toMatchObject({ id: jobId, status: 'cancelled' });
    expect(() => cancelEvaluationJob(jobs, jobId)).toThrow(expect.objectContaining({ code: 'job_ended' }));
  });
});

describe('the batch views', () => {
  it('list and count only batch jobs, not evaluation ones', async () => {
    const store = memoryStore();
    const scenarioId = (await createScenario(dataStoreOf(store.db), { name: 'both', graph: tagGraph('A') })).id;
    const published = await publishDraft(dataStoreOf(store.db), noServices, scenarioId, { slug: 'both' });
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
    const dashboard = await computeDashboard(dataStoreOf(store.db), { scenarioId });
    expect(dashboard.calls).toBe(1);
    expect((await computeDashboard(dataStoreOf(store.db), { scenarioId, jobId: evaluation.jobId })).calls).toBe(0);
    // The evaluation's readers do not see the batch job.
    expect(evaluationJobProgress(jobs, batch.job.id)).toBeUndefined();
    expect(await itemsOf(jobs, batch.job.id)).toEqual([]);
  });
});
