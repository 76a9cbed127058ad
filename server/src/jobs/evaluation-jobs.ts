/**
 * Jobs an evaluation runs its cases as: a published version (any, not only the live one) or a frozen
 * draft (the scenario's draft graph at submission, stored in the job, so editing the draft afterwards
 * changes nothing that runs). They go through the batch jobs' runner (the endpoint's capacity,
 * recovery after a crash, cancellation) with `purpose = 'evaluation'`: not listed with the scenario's
 * batch jobs, not in the inspection dashboard, not reachable through the jobs routes of `/api` or `/v1`.
 */
import type { JobProgress, JobResultLine } from '@shared/jobs.js';
import type { CompileProblem } from '@shared/problems.js';
import { DomainError } from '../common/domain-error.js';
import { compileGraphAsync, type CompileOptions } from '../engine/index.js';
import type { JobRow } from '../storage/jobs.js';
import { getPublishState } from '../storage/versions.js';
import { userOwner } from './owner.js';
import { ItemLineError } from './parse-items.js';
import { resultPages } from './results.js';
import type { JobService } from './service.js';
import { submitJob, type SubmitTarget } from './submit.js';

/** What an evaluation runs: a published version, or the scenario's draft as it is now (frozen into the job). */
export type EvaluationTarget = { version: number } | { draft: true };

/** One case to run: its id (unique in the job) and the inputs it is given. */
export interface EvaluationItem {
  id: string;
  inputs: Record<string, unknown>;
}

export interface EvaluationJobRequest {
  scenarioId: string;
  target: EvaluationTarget;
  items: Iterable<EvaluationItem> | AsyncIterable<EvaluationItem>;
  /** The id of the user who started the evaluation (the job's owner is `user:<id>`). */
  by: string;
  /**
   * How a draft is checked at submission: template limits and the model aliases the endpoints serve,
   * as the editor's test run compiles it. Unused for a version.
   */
  compile?: CompileOptions;
  /** Submission time, epoch ms (default now). */
  now?: number;
}

export interface EvaluationJobSubmitted {
  jobId: string;
  /** How many items the job holds. */
  total: number;
  /** The plan hash of what runs: a version's `plan_hash`, or the frozen draft's (equal when the draft is that version). */
  graphHash: string;
  /** The version run; null for a frozen draft. */
  version: number | null;
}

/** The job's version and plan, and for a draft the graph frozen into it; throws the refusals of {@link submitEvaluationJob}. */
async function targetOf(jobs: JobService, request: EvaluationJobRequest): Promise<SubmitTarget> {
  const scenario = await getPublishState(jobs.store.store, request.scenarioId);
  if (!scenario) throw new DomainError('not_found', 'unknown_scenario', `no scenario "${request.scenarioId}"`);
  const slug = scenario.slug ?? '';
  if ('draft' in request.target) {
    const compiled = await compileGraphAsync(scenario.graph, request.compile);
    if (!compiled.ok) {
      const problems: CompileProblem[] = compiled.errors;
      throw new DomainError('unprocessable', 'compile_failed', `the draft does not compile (${problems.length} problem${problems.length === 1 ? '' : 's'})`, { problems });
    }
    const frozen = { graph: JSON.stringify(scenario.graph), hash: compiled.plan.hash };
    return { scenarioId: scenario.id, slug, version: 0, plan: compiled.plan, purpose: 'evaluation', frozen };
  }
  const version = request.target.version;
  if (!Number.isInteger(version) || version < 1) throw new DomainError('invalid', 'invalid_version', 'version must be a positive whole number');
  if (scenario.slug === null) throw new DomainError('not_found', 'unknown_version', `scenario "${request.scenarioId}" has no published version`);
  const resolved = await jobs.published.resolve(scenario.slug, version);
  if ('error' in resolved) {
    if (resolved.error === 'version_not_runnable') throw new DomainError('conflict', 'version_not_runnable', resolved.message);
    throw new DomainError('not_found', 'unknown_version', `scenario "${scenario.slug}" has no version ${version}`);
  }
  return { scenarioId: scenario.id, slug, version, plan: resolved.plan, purpose: 'evaluation' };
}

/** The items as the job submission reads them: line = position (1-based), so a refusal names the case. */
async function* numbered(items: EvaluationRequestItems, ids: string[]): AsyncGenerator<{ line: number; id: string; inputs: Record<string, unknown> }> {
  let line = 0;
  for await (const item of items) {
    line += 1;
    ids.push(item.id);
    yield { line, id: item.id, inputs: item.inputs };
  }
}
type EvaluationRequestItems = EvaluationJobRequest['items'];

/**
 * Stores an evaluation job and wakes the runner. A draft is compiled once here: it does not compile →
 * nothing is stored. Throws a {@link DomainError}: `not_found` `unknown_scenario` / `unknown_version`
 * (also for a scenario never published), `invalid` `invalid_version`, `conflict` `version_not_runnable`
 * (a stored version that no longer compiles), `unprocessable` `compile_failed` (details
 * `{ problems: CompileProblem[] }`), `invalid` `invalid_item` (an item's inputs do not fit the target,
 * a duplicate id, no items, too many; details `{ item, problem }`, `item` the case id).
 */
export async function submitEvaluationJob(jobs: JobService, request: EvaluationJobRequest): Promise<EvaluationJobSubmitted> {
  const target = await targetOf(jobs, request);
  const ids: string[] = [];
  let job: JobRow;
  try {
    ({ job } = await submitJob(jobs.store, target, numbered(request.items, ids), { owner: userOwner(request.by), idempotencyKey: null, webhookUrl: null, now: request.now }));
  } catch (error) {
    if (!(error instanceof ItemLineError)) throw error;
    const item = ids[error.line - 1] ?? null;
    throw new DomainError('invalid', 'invalid_item', item === null ? error.message : `case "${item}": ${error.problem}`, { item, problem: error.problem });
  }
  if (target.frozen) jobs.runner.plans.remember(target.frozen.hash, target.plan);
  jobs.runner.wake();
  return { jobId: job.id, total: job.total, graphHash: target.frozen?.hash ?? target.plan.hash, version: target.frozen ? null : target.version };
}

/**
 * The finished items of an evaluation job, page by page (up to 200 a page) in submission order, each
 * `{ id, run_id, status, outputs?, error?, simulated }` (`id` the case id). Nothing for an unknown job.
 */
export async function* evaluationJobItems(jobs: JobService, jobId: string): AsyncGenerator<JobResultLine[]> {
  if ((await jobs.store.getJob(jobId))?.purpose !== 'evaluation') return;
  yield* resultPages(jobs.store, jobId);
}

/** An evaluation job by id; undefined when there is none (or it is a batch job, or still uploading). */
export async function evaluationJob(jobs: JobService, jobId: string): Promise<JobRow | undefined> {
  const job = await jobs.store.getJob(jobId);
  return job?.purpose === 'evaluation' ? job : undefined;
}

/** An evaluation job's progress (counts, rate, ETA; `status` `completed` or `cancelled` once ended), or undefined. */
export async function evaluationJobProgress(jobs: JobService, jobId: string): Promise<JobProgress | undefined> {
  const job = await evaluationJob(jobs, jobId);
  return job ? jobs.progress(job) : undefined;
}

/**
 * Cancels an evaluation job (one conditional update: of two servers cancelling it, or a cancel racing
 * its completion, one wins): pending items are not run, items in flight are stopped; the end listeners
 * are told. Throws a {@link DomainError}: `not_found` `unknown_job`, `conflict` `job_ended`.
 */
export async function cancelEvaluationJob(jobs: JobService, jobId: string): Promise<JobProgress> {
  const job = await evaluationJob(jobs, jobId);
  if (!job) throw new DomainError('not_found', 'unknown_job', `no evaluation job "${jobId}"`);
  return jobs.cancel(job);
}
