/**
 * Evaluation runs as a domain service (no HTTP here): a revision of a set run on a scenario's draft
 * (frozen into the job at the start) or any of its versions, as an evaluation job at the endpoint's
 * capacity; scored when the job ends, with the metric plan of what ran; the result stored with each
 * case's run id and outputs. Crash safety: {@link EvaluationRuns.start} listens for job ends and then
 * scores every run whose job ended while nobody listened. Refusals are {@link DomainError}s.
 */
import { loggableMessage } from '../storage/db-errors.js';
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
import type { DataStore } from '../storage/store.js';

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
  /** Scoring under way, by job id (a job has one run): a second end heard while it scores waits for it. */
  private readonly scoring = new Map<string, Promise<void>>();
  private stopListening: (() => void) | undefined;
  private recovering: Promise<void> | undefined;

  /**
   * @param compile how a draft is checked at the start (template limits, the endpoints' model aliases);
   *   a function, since endpoints change while the server runs
   */
  constructor(
    readonly jobs: JobService,
    readonly sets: EvaluationSets,
    readonly compile: () => CompileOptions = () => ({}),
    private readonly log: (line: string) => void = (line) => console.error(line),
  ) {}

  /** Where the runs are: the sets' store. */
  get store(): DataStore {
    return this.sets.store;
  }

  /**
   * Listens for evaluation jobs' ends, then (in the background) scores the runs whose job ended while
   * nobody listened (a crash between a job's end and its scoring). Call before the job runner starts;
   * calling again does nothing. Failures are logged; {@link recovered} waits for that pass.
   */
  start(): void {
    if (this.stopListening) return;
    this.stopListening = this.jobs.onJobEnded((job) => {
      if (job.purpose === 'evaluation') this.finishLogged(job);
    });
    this.recovering = this.recover().catch((error) => this.log(`[mofang] evaluation runs: scoring runs left open failed: ${loggableMessage(error)}`));
  }

  /** Resolves once the pass {@link start} makes over runs left open is done. */
  async recovered(): Promise<void> {
    await this.recovering;
  }

  private async recover(): Promise<void> {
    for (const run of await openEvalRuns(this.store)) {
      const job = await evaluationJob(this.jobs, run.jobId);
      if (!job) await endEvalRun(this.store, run.id, { status: 'failed', error: `its job ${run.jobId} no longer exists`, finishedAt: Date.now() });
      else if (job.status === 'completed' || job.status === 'cancelled') this.finishLogged(job);
    }
  }

  /** {@link finish} from a listener: nobody awaits it, so a failure is logged. */
  private finishLogged(job: JobRow): void {
    this.finish(job).catch((error) => this.log(`[mofang] evaluation run of job ${job.id}: scoring failed: ${loggableMessage(error)}`));
  }

  /** Stops listening; waits for the recovery pass and scoring under way. */
  async stop(): Promise<void> {
    this.stopListening?.();
    this.stopListening = undefined;
    await this.recovering;
    await Promise.all(this.scoring.values());
  }

  /**
   * Starts a run: the cases of `revision` (default the latest) of set `setId` of the scenario, run on
   * `target`, as an evaluation job owned by user `by.id`. Throws {@link DomainError}s: `unknown_eval_set`
   * (also a set of another scenario), `unknown_revision`, `empty_eval_set` (a revision without cases),
   * and those of {@link submitEvaluationJob} (`unknown_scenario`, `unknown_version`, `compile_failed`, `invalid_item`…).
   */
  async startRun(scenarioId: string, request: { setId: string; revision?: number; target: EvalRunTarget }, by: { id: string; name: string }): Promise<{ run: EvalRunRow; total: number }> {
    const set = await getEvalSet(this.store, request.setId);
    if (!set || set.scenarioId !== scenarioId) throw new DomainError('not_found', 'unknown_eval_set', `the scenario has no evaluation set with id "${request.setId}"`);
    const revision = this.sets.revisionOf(set, request.revision);
    const cases = await this.sets.casesOf(set.id, revision);
    if (cases.length === 0) throw new DomainError('invalid', 'empty_eval_set', `revision ${revision} of the set has no cases`, { revision });
    const submitted = await submitEvaluationJob(this.jobs, { scenarioId, target: request.target, items: cases.map((c) => ({ id: c.id, inputs: c.inputs })), by: by.id, compile: this.compile() });
    const run = await insertEvalRun(this.store, { id: newId(), scenarioId, setId: set.id, setRevision: revision, version: submitted.version, graphHash: submitted.graphHash, jobId: submitted.jobId, total: submitted.total, createdBy: by.name, createdAt: Date.now() });
    // A job that ended before the run was stored (a tiny set on an idle runner) is scored now.
    const job = await evaluationJob(this.jobs, submitted.jobId);
    if (job && (job.status === 'completed' || job.status === 'cancelled')) this.finishLogged(job);
    return { run, total: submitted.total };
  }

  /** A run's row. Throws `not_found` `unknown_eval_run`. */
  async get(runId: string): Promise<EvalRunRow> {
    const row = await getEvalRun(this.store, runId);
    if (!row) throw new DomainError('not_found', 'unknown_eval_run', `no evaluation run with id "${runId}"`);
    return row;
  }

  /** A scenario's runs, newest first. */
  async list(scenarioId: string): Promise<EvalRunSummary[]> {
    const rows = await listEvalRuns(this.store, scenarioId);
    const names = await this.setNames(rows);
    return Promise.all(rows.map((row) => this.summaryWith(row, names.get(row.setId) ?? '')));
  }

  /** The names of the runs' sets (one read per set). */
  private async setNames(rows: EvalRunRow[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    for (const id of new Set(rows.map((r) => r.setId))) names.set(id, (await getEvalSet(this.store, id))?.name ?? '');
    return names;
  }

  /** A run as lists show it: while open, status and counts from its job. */
  async summary(row: EvalRunRow): Promise<EvalRunSummary> {
    return this.summaryWith(row, (await getEvalSet(this.store, row.setId))?.name ?? '');
  }

  private async summaryWith(row: EvalRunRow, setName: string): Promise<EvalRunSummary> {
    const metrics = storedMetrics(row);
    const open = row.status === 'queued' || row.status === 'running';
    const progress = open ? await evaluationJobProgress(this.jobs, row.jobId) : undefined;
    const status = open ? (progress?.status === 'queued' ? 'queued' : 'running') : row.status;
    const results = storedResults(row);
    const done = open ? (progress ? progress.succeeded + progress.failed : 0) : results.filter((r) => r.status !== 'missing').length;
    const failed = open ? (progress?.failed ?? 0) : results.filter((r) => r.status !== 'succeeded').length;
    return {
      id: row.id,
      scenario_id: row.scenarioId,
      set_id: row.setId,
      set_name: setName,
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
  async detail(runId: string): Promise<EvalRunDetail> {
    const row = await this.get(runId);
    const summary = await this.summary(row);
    const open = row.status === 'queued' || row.status === 'running';
    const p = open ? await evaluationJobProgress(this.jobs, row.jobId) : undefined;
    const progress = p ? { total: p.total, succeeded: p.succeeded, failed: p.failed, pending: p.pending, rate_per_s: p.rate_per_s, eta_s: p.eta_s } : null;
    return { ...summary, progress, result: storedMetrics(row) };
  }

  /**
   * Each case of a completed run: expected (from the set's revision), actual outputs, per output right
   * or wrong, its run id. Throws `unknown_eval_run`, `conflict` `eval_run_not_completed`.
   */
  async cases(runId: string): Promise<EvalRunCase[]> {
    const row = await this.completed(runId);
    const metrics = storedMetrics(row);
    const perCase = new Map((metrics?.per_case ?? []).map((c) => [c.id, c]));
    const results = new Map(storedResults(row).map((r) => [r.id, r]));
    return (await this.sets.casesOf(row.setId, row.setRevision)).map((c) => {
      const r = results.get(c.id);
      return { id: c.id, run_id: r?.run_id ?? null, status: r?.status ?? 'missing', expected: c.expected, actual: r?.outputs ?? null, error: r?.error ?? null, outputs: perCase.get(c.id)?.outputs ?? {} };
    });
  }

  /** A completed run's row. Throws `unknown_eval_run`, `eval_run_not_completed`. */
  async completed(runId: string): Promise<EvalRunRow> {
    const row = await this.get(runId);
    if (row.status !== 'completed') {
      const { status } = await this.summaryWith(row, '');
      throw new DomainError('conflict', 'eval_run_not_completed', `the evaluation run is ${status}, not completed`, { status });
    }
    return row;
  }

  /** Cancels a run that has not ended: cases not yet run are not run, nothing is scored. Throws `unknown_eval_run`, `conflict` `eval_run_ended`. */
  async cancel(runId: string): Promise<EvalRunRow> {
    const row = await this.get(runId);
    const ended = () => new DomainError('conflict', 'eval_run_ended', `the evaluation run has ended (${row.status})`, { status: row.status });
    if (row.status !== 'queued' && row.status !== 'running') throw ended();
    try {
      await cancelEvaluationJob(this.jobs, row.jobId);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'job_ended') throw error;
      // The job completed just now: it is being scored, not cancelled.
      throw ended();
    }
    await endEvalRun(this.store, row.id, { status: 'cancelled', finishedAt: Date.now() });
    return this.get(runId);
  }

  /** Scores the run of an ended job once (a second call while it scores waits for the first). */
  finish(job: JobRow): Promise<void> {
    const under = this.scoring.get(job.id);
    if (under) return under;
    const work = this.scoreJob(job).finally(() => this.scoring.delete(job.id));
    this.scoring.set(job.id, work);
    return work;
  }

  private async scoreJob(job: JobRow): Promise<void> {
    const run = await evalRunOfJob(this.store, job.id);
    if (!run || (run.status !== 'queued' && run.status !== 'running')) return;
    await this.score(run, job);
  }

  private async score(run: EvalRunRow, job: JobRow): Promise<void> {
    const store = this.store;
    if (job.status === 'cancelled') {
      await endEvalRun(store, run.id, { status: 'cancelled', finishedAt: job.finishedAt ?? Date.now() });
      return;
    }
    try {
      const lines = new Map<string, JobResultLine>();
      for await (const page of evaluationJobItems(this.jobs, job.id)) for (const line of page) lines.set(line.id, line);
      const planned = await this.jobs.runner.plans.planOf({ jobId: job.id, slug: job.slug, version: job.version, graphHash: job.graphHash });
      if ('error' in planned) throw new Error(planned.error.message);
      const cases = await this.sets.casesOf(run.setId, run.setRevision);
      const plan = planMetrics(planned.plan.outputSchema.properties ?? {}, await overridesOf(store, run.setId));
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
      await endEvalRun(store, run.id, { status: 'completed', metrics, results, simulated, finishedAt: Date.now() });
    } catch (error) {
      await endEvalRun(store, run.id, { status: 'failed', error: error instanceof Error ? error.message : String(error), finishedAt: Date.now() });
    }
  }
}
