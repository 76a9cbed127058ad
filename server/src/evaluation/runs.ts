/**
 * Evaluation runs as a domain service (no HTTP here): a revision of a set run on a scenario's draft
 * (frozen into the job at the start) or any of its versions, as an evaluation job at the endpoint's
 * capacity; scored when the job ends, with the metric plan of what ran; the result stored with each
 * case's run id and outputs. Crash safety: {@link EvaluationRuns.start} listens for job ends and then
 * scores every run whose job ended while nobody listened. Refusals are {@link DomainError}s.
 */
import type { JobResultLine } from '@shared/jobs.js';
import type { EvalMetrics } from '@shared/evaluation-metrics.js';
import type { EvalRunCase, EvalRunDetail, EvalRunSummary, EvalRunTarget } from '@shared/evaluation-runs.js';
import { DomainError } from '../common/domain-error.js';
import { newId } from '../common/ids.js';
import type { CompileOptions } from '../engine/index.js';
import { cancelEvaluationJob, evaluationJob, evaluationJobItems, evaluationJobProgress, submitEvaluationJob } from '../jobs/evaluation-jobs.js';
import type { JobService } from '../jobs/service.js';
import type { JobRow } from '../storage/jobs.js';
import { endEvalRun, evalRunOfJob, getEvalRun, insertEvalRun, listEvalRuns, openEvalRuns, type EvalRunRow } from '../storage/eval-runs.js';
import { getEvalSet } from '../storage/evaluation.js';
import { planMetrics, scoreCases } from './metrics/index.js';
import { overridesOf } from './metric-settings.js';
import { readStoredMetrics } from './metrics/stored.js';
import type { EvaluationSets } from './sets.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** One case's outcome as stored with a completed run (the job's result line, `missing` when it has none). */
export interface StoredCaseResult {
  id: string;
  run_id: string | null;
  status: 'succeeded' | 'failed' | 'missing';
  outputs?: Record<string, unknown>;
  error?: JobResultLine['error'];
}

/** The stored result of a completed run, read defensively (a damaged column reads as none). */
export function storedMetrics(row: EvalRunRow): EvalMetrics | null {
  return readStoredMetrics(row.metrics);
}

export function storedResults(row: EvalRunRow): StoredCaseResult[] {
  return Array.isArray(row.results) ? (row.results as StoredCaseResult[]) : [];
}

/** The evaluation runs of one server. */
export class EvaluationRuns {
  private readonly scoring = new Map<string, Promise<void>>();
  private stopListening: (() => void) | undefined;

  /**
   * @param compile how a draft is checked at the start (template limits, the endpoints' model aliases);
   *   a function, since endpoints change while the server runs
   */
  constructor(
    readonly jobs: JobService,
    readonly sets: EvaluationSets,
    readonly compile: () => CompileOptions = () => ({}),
  ) {}

  /**
   * Listens for evaluation jobs' ends, then scores the runs whose job ended while nobody listened (a
   * crash between a job's end and its scoring). Call before the job runner starts; calling again does nothing.
   */
  start(): void {
    if (this.stopListening) return;
    this.stopListening = this.jobs.onJobEnded((job) => {
      if (job.purpose === 'evaluation') void this.finish(job);
    });
    for (const run of openEvalRuns(this.jobs.db)) {
      const job = evaluationJob(this.jobs, run.jobId);
      if (!job) endEvalRun(this.jobs.db, run.id, { status: 'failed', error: `its job ${run.jobId} no longer exists`, finishedAt: Date.now() });
      else if (job.status === 'completed' || job.status === 'cancelled') void this.finish(job);
    }
  }

  /** Stops listening; waits for scoring under way. */
  async stop(): Promise<void> {
    this.stopListening?.();
    this.stopListening = undefined;
    await Promise.all(this.scoring.values());
  }

  /**
   * Starts a run: the cases of `revision` (default the latest) of set `setId` of the scenario, run on
   * `target`, as an evaluation job owned by user `by.id`. Throws {@link DomainError}s: `unknown_eval_set`
   * (also a set of another scenario), `unknown_revision`, `empty_eval_set` (a revision without cases),
   * and those of {@link submitEvaluationJob} (`unknown_scenario`, `unknown_version`, `compile_failed`, `invalid_item`…).
   */
  async startRun(scenarioId: string, request: { setId: string; revision?: number; target: EvalRunTarget }, by: { id: string; name: string }): Promise<{ run: EvalRunRow; total: number }> {
    const set = getEvalSet(this.jobs.db, request.setId);
    if (!set || set.scenarioId !== scenarioId) throw new DomainError('not_found', 'unknown_eval_set', `the scenario has no evaluation set with id "${request.setId}"`);
    const revision = this.sets.revisionOf(set, request.revision);
    const cases = this.sets.casesOf(set.id, revision);
    if (cases.length === 0) throw new DomainError('invalid', 'empty_eval_set', `revision ${revision} of the set has no cases`, { revision });
    const submitted = await submitEvaluationJob(this.jobs, { scenarioId, target: request.target, items: cases.map((c) => ({ id: c.id, inputs: c.inputs })), by: by.id, compile: this.compile() });
    const run = insertEvalRun(this.jobs.db, { id: newId(), scenarioId, setId: set.id, setRevision: revision, version: submitted.version, graphHash: submitted.graphHash, jobId: submitted.jobId, total: submitted.total, createdBy: by.name, createdAt: Date.now() });
    // A job that ended before the run was stored (a tiny set on an idle runner) is scored now.
    const job = evaluationJob(this.jobs, submitted.jobId);
    if (job && (job.status === 'completed' || job.status === 'cancelled')) void this.finish(job);
    return { run, total: submitted.total };
  }

  /** A run's row. Throws `not_found` `unknown_eval_run`. */
  get(runId: string): EvalRunRow {
    const row = getEvalRun(this.jobs.db, runId);
    if (!row) throw new DomainError('not_found', 'unknown_eval_run', `no evaluation run with id "${runId}"`);
    return row;
  }

  /** A scenario's runs, newest first. */
  list(scenarioId: string): EvalRunSummary[] {
    return listEvalRuns(this.jobs.db, scenarioId).map((row) => this.summary(row));
  }

  /** A run as lists show it: while open, status and counts from its job. */
  summary(row: EvalRunRow): EvalRunSummary {
    const metrics = storedMetrics(row);
    const open = row.status === 'queued' || row.status === 'running';
    const progress = open ? evaluationJobProgress(this.jobs, row.jobId) : undefined;
    const status = open ? (progress?.status === 'queued' ? 'queued' : 'running') : row.status;
    const results = storedResults(row);
    const done = open ? (progress ? progress.succeeded + progress.failed : 0) : results.filter((r) => r.status !== 'missing').length;
    const failed = open ? (progress?.failed ?? 0) : results.filter((r) => r.status !== 'succeeded').length;
    const set = getEvalSet(this.jobs.db, row.setId);
    return {
      id: row.id,
      scenario_id: row.scenarioId,
      set_id: row.setId,
      set_name: set?.name ?? '',
      set_revision: row.setRevision,
      version: row.version,
      graph_hash: row.graphHash,
      job_id: row.jobId,
      status,
      total: row.total,
      done,
      failed,
      simulated: row.simulated,
      metrics: metrics?.metrics ?? null,
      error: row.error,
      created_by: row.createdBy,
      created_at: iso(row.createdAt) ?? '',
      finished_at: iso(row.finishedAt),
    };
  }

  /** A run with its progress while it runs and its whole result once scored. Throws `unknown_eval_run`. */
  detail(runId: string): EvalRunDetail {
    const row = this.get(runId);
    const summary = this.summary(row);
    const open = row.status === 'queued' || row.status === 'running';
    const p = open ? evaluationJobProgress(this.jobs, row.jobId) : undefined;
    const progress = p ? { total: p.total, succeeded: p.succeeded, failed: p.failed, pending: p.pending, rate_per_s: p.rate_per_s, eta_s: p.eta_s } : null;
    return { ...summary, progress, result: storedMetrics(row) };
  }

  /**
   * Each case of a completed run: expected (from the set's revision), actual outputs, per output right
   * or wrong, its run id. Throws `unknown_eval_run`, `conflict` `eval_run_not_completed`.
   */
  cases(runId: string): EvalRunCase[] {
    const row = this.completed(runId);
    const metrics = storedMetrics(row);
    const perCase = new Map((metrics?.per_case ?? []).map((c) => [c.id, c]));
    const results = new Map(storedResults(row).map((r) => [r.id, r]));
    return this.sets.casesOf(row.setId, row.setRevision).map((c) => {
      const r = results.get(c.id);
      return { id: c.id, run_id: r?.run_id ?? null, status: r?.status ?? 'missing', expected: c.expected, actual: r?.outputs ?? null, error: r?.error ?? null, outputs: perCase.get(c.id)?.outputs ?? {} };
    });
  }

  /** A completed run's row. Throws `unknown_eval_run`, `eval_run_not_completed`. */
  completed(runId: string): EvalRunRow {
    const row = this.get(runId);
    if (row.status !== 'completed') throw new DomainError('conflict', 'eval_run_not_completed', `the evaluation run is ${this.summary(row).status}, not completed`, { status: this.summary(row).status });
    return row;
  }

  /** Cancels a run that has not ended: cases not yet run are not run, nothing is scored. Throws `unknown_eval_run`, `conflict` `eval_run_ended`. */
  cancel(runId: string): EvalRunRow {
    const row = this.get(runId);
    const ended = () => new DomainError('conflict', 'eval_run_ended', `the evaluation run has ended (${row.status})`, { status: row.status });
    if (row.status !== 'queued' && row.status !== 'running') throw ended();
    try {
      cancelEvaluationJob(this.jobs, row.jobId);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'job_ended') throw error;
      // The job completed just now: it is being scored, not cancelled.
      throw ended();
    }
    endEvalRun(this.jobs.db, row.id, { status: 'cancelled', finishedAt: Date.now() });
    return this.get(runId);
  }

  /** Scores the run of an ended job once (a second call while it scores waits for the first). */
  finish(job: JobRow): Promise<void> {
    const run = evalRunOfJob(this.jobs.db, job.id);
    if (!run || (run.status !== 'queued' && run.status !== 'running')) return Promise.resolve();
    const under = this.scoring.get(run.id);
    if (under) return under;
    const work = this.score(run, job).finally(() => this.scoring.delete(run.id));
    this.scoring.set(run.id, work);
    return work;
  }

  private async score(run: EvalRunRow, job: JobRow): Promise<void> {
    const db = this.jobs.db;
    if (job.status === 'cancelled') {
      endEvalRun(db, run.id, { status: 'cancelled', finishedAt: job.finishedAt ?? Date.now() });
      return;
    }
    try {
      const lines = new Map<string, JobResultLine>();
      for await (const page of evaluationJobItems(this.jobs, job.id)) for (const line of page) lines.set(line.id, line);
      const planned = await this.jobs.runner.plans.planOf({ jobId: job.id, slug: job.slug, version: job.version, graphHash: job.graphHash });
      if ('error' in planned) throw new Error(planned.error.message);
      const cases = this.sets.casesOf(run.setId, run.setRevision);
      const plan = planMetrics(planned.plan.outputSchema.properties ?? {}, overridesOf(db, run.setId));
      const metrics = scoreCases(
        plan,
        cases.map((c) => {
          const line = lines.get(c.id);
          const ok = line?.status === 'succeeded';
          return { id: c.id, expected: c.expected, actual: ok ? (line.outputs ?? null) : null, failed: !ok };
        }),
      );
      const results: StoredCaseResult[] = cases.map((c) => {
        const line = lines.get(c.id);
        if (!line) return { id: c.id, run_id: null, status: 'missing' };
        return { id: c.id, run_id: line.run_id, status: line.status, ...(line.outputs ? { outputs: line.outputs } : {}), ...(line.error ? { error: line.error } : {}) };
      });
      const simulated = [...lines.values()].some((l) => l.simulated);
      endEvalRun(db, run.id, { status: 'completed', metrics, results, simulated, finishedAt: Date.now() });
    } catch (error) {
      endEvalRun(db, run.id, { status: 'failed', error: error instanceof Error ? error.message : String(error), finishedAt: Date.now() });
    }
  }
}
