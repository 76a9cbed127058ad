/**
 * Progress replies: counts from the item rows, rate from a sliding window of recent finishes kept by
 * the runner, ETA from both.
 */
import type { JobProgress, JobStatus, JobWebhookPayload } from '@shared/jobs.js';
import type { ItemCounts, JobRow } from '../storage/jobs.js';
import { averageRate } from '@shared/job-progress.js';

/** Finishes per second over the last `windowS` seconds, per job, in one-second buckets. */
export class RateMeter {
  private readonly buckets = new Map<string, Map<number, number>>();

  constructor(
    private readonly windowS = 30,
    private readonly now: () => number = Date.now,
  ) {}

  add(jobId: string, count = 1): void {
    const second = Math.floor(this.now() / 1000);
    let job = this.buckets.get(jobId);
    if (!job) this.buckets.set(jobId, (job = new Map()));
    job.set(second, (job.get(second) ?? 0) + count);
    for (const s of job.keys()) if (s <= second - this.windowS) job.delete(s);
  }

  /** Items per second, or null when nothing finished within the window. */
  rate(jobId: string): number | null {
    const job = this.buckets.get(jobId);
    if (!job) return null;
    const second = Math.floor(this.now() / 1000);
    let total = 0;
    let first = second;
    for (const [s, n] of job) {
      if (s <= second - this.windowS) continue;
      total += n;
      first = Math.min(first, s);
    }
    if (total === 0) return null;
    // Over the seconds the window has really seen, so a job that just started is not under-rated.
    const span = Math.max(1, (this.now() - first * 1000) / 1000);
    return total / span;
  }

  forget(jobId: string): void {
    this.buckets.delete(jobId);
  }
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** The public status of a stored job (a half-uploaded job is never shown). */
export function publicStatus(job: JobRow): JobStatus {
  return job.status === 'uploading' ? 'queued' : job.status;
}

/** `GET /v1/jobs/{id}`. */
export function toProgress(job: JobRow, counts: ItemCounts, rate: number | null, webhookAttempts: number): JobProgress {
  const pending = counts.pending + counts.running;
  const status = publicStatus(job);
  const active = status === 'queued' || status === 'running';
  return {
    job_id: job.id,
    status,
    total: job.total,
    succeeded: counts.succeeded,
    failed: counts.failed,
    pending,
    running: counts.running,
    scenario: job.slug,
    version: job.version,
    created_at: new Date(job.createdAt).toISOString(),
    started_at: iso(job.startedAt),
    finished_at: iso(job.finishedAt),
    // Once the job ended, its average over the run (the recent window would decay to nothing): the
    // figure the jobs list and the job view both show (shared/job-progress.ts).
    rate_per_s: active ? (rate === null ? null : Math.round(rate * 100) / 100) : averageRate(counts.succeeded + counts.failed, job.startedAt, job.finishedAt),
    eta_s: !active || pending === 0 ? 0 : rate === null ? null : Math.ceil(pending / rate),
    webhook: job.webhookUrl === null ? null : { url: job.webhookUrl, delivered: job.webhookDeliveredAt !== null, attempts: webhookAttempts },
  };
}

/** What the webhook receives when a job ends. */
export function webhookPayload(job: JobRow, counts: ItemCounts): JobWebhookPayload {
  const status = publicStatus(job);
  return {
    event: status === 'cancelled' ? 'job.cancelled' : 'job.completed',
    job_id: job.id,
    status,
    scenario: job.slug,
    version: job.version,
    total: job.total,
    succeeded: counts.succeeded,
    failed: counts.failed,
    pending: counts.pending + counts.running,
    created_at: new Date(job.createdAt).toISOString(),
    finished_at: iso(job.finishedAt),
  };
}
