/**
 * The evaluation domain's synchronous reads of its jobs, over the SQLite `Db` it still takes (its
 * summaries and cancel are synchronous). Transitional: when the evaluation moves to the DataStore it
 * awaits the job store instead (`JobService.store.getJob`, `JobService.progress`, `JobService.cancel`)
 * and this file goes.
 */
import { and, count, eq, inArray } from 'drizzle-orm';
import type { JobProgress } from '@shared/jobs.js';
import { DomainError } from '../common/domain-error.js';
import { schema } from '../storage/db.js';
import { jobColumns, type ItemCounts, type JobRow } from '../storage/jobs.js';
import { toProgress } from './progress.js';
import type { JobService } from './service.js';

/** An evaluation job by id; undefined when there is none (or it is a batch job). */
export function evaluationJob(jobs: JobService, jobId: string): JobRow | undefined {
  const job = jobs.db.select(jobColumns(schema)).from(schema.jobs).where(eq(schema.jobs.id, jobId)).get() as JobRow | undefined;
  return job?.purpose === 'evaluation' && (job.status as string) !== 'uploading' ? job : undefined;
}

function counts(jobs: JobService, jobId: string): ItemCounts {
  const counts: ItemCounts = { pending: 0, running: 0, succeeded: 0, failed: 0 };
  const ji = schema.jobItems;
  for (const row of jobs.db.select({ status: ji.status, n: count() }).from(ji).where(eq(ji.jobId, jobId)).groupBy(ji.status).all()) counts[row.status] = row.n;
  return counts;
}

/** An evaluation job's progress (counts, rate, ETA; `status` `completed` or `cancelled` once ended), or undefined. */
export function evaluationJobProgress(jobs: JobService, jobId: string): JobProgress | undefined {
  const job = evaluationJob(jobs, jobId);
  // Evaluation jobs have no webhook.
  return job ? toProgress(job, counts(jobs, jobId), jobs.runner.rates.rate(job.id), 0) : undefined;
}

/**
 * Cancels an evaluation job: pending items are not run, items in flight are stopped; the end listeners
 * are told. Throws a {@link DomainError}: `not_found` `unknown_job`, `conflict` `job_ended`.
 */
export function cancelEvaluationJob(jobs: JobService, jobId: string): JobProgress {
  const job = evaluationJob(jobs, jobId);
  if (!job) throw new DomainError('not_found', 'unknown_job', `no evaluation job "${jobId}"`);
  const now = Date.now();
  const { changes } = jobs.db
    .update(schema.jobs)
    .set({ status: 'cancelled', finishedAt: now })
    .where(and(eq(schema.jobs.id, job.id), inArray(schema.jobs.status, ['queued', 'running'])))
    .run();
  if (changes === 0) throw new DomainError('conflict', 'job_ended', `job ${job.id} is already ${job.status}`);
  const updated: JobRow = { ...job, status: 'cancelled', finishedAt: now };
  jobs.cancelled(updated);
  return toProgress(updated, counts(jobs, job.id), jobs.runner.rates.rate(job.id), 0);
}
