/**
 * One reading of a job's progress for every place that shows it (the jobs list, the job view, the API's
 * progress replies): how many items are done, the percent, the bar's state, the rate and the share that
 * succeeded. The list and the view once computed these each their own way and disagreed (issue 13).
 */
import type { JobProgress } from './jobs.js';

/** What a progress bar shows: still moving, all done and well, or ended with failures or cancelled. */
export type JobBarState = 'active' | 'success' | 'exception';

/** The figures of one job, as every view shows them. */
export interface JobFigures {
  /** Items finished either way (succeeded + failed). */
  done: number;
  /** `done / total` in whole percent, rounded down (100 only when every item is done; 100 for an empty job). */
  percent: number;
  /** The bar's state: `active` while queued or running, `success` when completed without a failure, else `exception`. */
  state: JobBarState;
  /** Items per second: the recent rate while the job runs, its average over the run once it ended; null when unknown. */
  ratePerS: number | null;
  /** Succeeded items as whole percent of those done, rounded down; null before any is done. */
  successPercent: number | null;
}

/**
 * Items per second over a whole run: `done` over the seconds from `startedAt` to `finishedAt` (ISO 8601
 * or epoch ms), rounded to 2 decimals; null when either time is missing or nothing was done. A run
 * shorter than a second counts as one second, so a tiny job does not read as thousands per second.
 */
export function averageRate(done: number, startedAt: string | number | null, finishedAt: string | number | null): number | null {
  if (startedAt === null || finishedAt === null || done <= 0) return null;
  const ms = new Date(finishedAt).getTime() - new Date(startedAt).getTime();
  if (!Number.isFinite(ms)) return null;
  return Math.round((done / Math.max(1, ms / 1000)) * 100) / 100;
}

/** Whether a job status is an end (nothing more changes without a retry). */
export function jobStatusEnded(status: JobProgress['status']): boolean {
  return status === 'completed' || status === 'cancelled';
}

/** The figures of a job's progress reply (see {@link JobFigures}). */
export function jobFigures(job: Pick<JobProgress, 'status' | 'total' | 'succeeded' | 'failed' | 'rate_per_s' | 'started_at' | 'finished_at'>): JobFigures {
  const done = job.succeeded + job.failed;
  const percent = job.total <= 0 ? 100 : Math.min(100, Math.floor((100 * done) / job.total));
  const ended = jobStatusEnded(job.status);
  const state: JobBarState = !ended ? 'active' : job.status === 'completed' && job.failed === 0 ? 'success' : 'exception';
  const ratePerS = ended ? averageRate(done, job.started_at, job.finished_at) : job.rate_per_s;
  const successPercent = done === 0 ? null : Math.floor((100 * job.succeeded) / done);
  return { done, percent, state, ratePerS, successPercent };
}
