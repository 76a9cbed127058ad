/**
 * Cancelling a job's items in flight on one runner: the abort handle of every item running, by job, so
 * a cancel stops them at once (their rows go back to pending, not failed); and the jobs cancelled lately,
 * so an item of one claimed in a transaction that began before the cancel committed (PostgreSQL's
 * claims run beside it) is stopped as it starts.
 */

/** How long a cancelled job is remembered so its late-claimed items stop as they start, ms. */
const CANCEL_MEMORY_MS = 10 * 60_000;

export class JobCancels {
  /** Abort handles of the items in flight, by job. */
  private readonly byJob = new Map<string, Set<AbortController>>();
  /** Jobs cancelled lately, with when (epoch ms). */
  private readonly cancelledAt = new Map<string, number>();

  /** Aborts the job's items in flight (reason `job cancelled`) and remembers it for {@link CANCEL_MEMORY_MS}. */
  cancel(jobId: string): void {
    const now = Date.now();
    for (const [id, at] of this.cancelledAt) if (now - at > CANCEL_MEMORY_MS) this.cancelledAt.delete(id);
    this.cancelledAt.set(jobId, now);
    for (const controller of this.byJob.get(jobId) ?? []) controller.abort(new Error('job cancelled'));
  }

  /** Runs one item of `jobId` with the signal its job's cancel aborts (already aborted when the job was cancelled lately). */
  async run<T>(jobId: string, item: (cancel: AbortSignal) => Promise<T>): Promise<T> {
    const own = new AbortController();
    if (this.cancelledAt.has(jobId)) own.abort(new Error('job cancelled'));
    let set = this.byJob.get(jobId);
    if (!set) this.byJob.set(jobId, (set = new Set()));
    set.add(own);
    try {
      return await item(own.signal);
    } finally {
      set.delete(own);
      if (set.size === 0) this.byJob.delete(jobId);
    }
  }
}
