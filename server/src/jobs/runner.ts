/**
 * The job runner: claims items in batches from its {@link ItemSource}, runs each through its job's
 * plan at batch priority (1, ./runner-item.ts), and writes outcomes back in batched transactions
 * (./runner-outcomes.ts). It keeps about 1.5× the endpoint's adaptive limit of items in flight, so the
 * limiter, not the runner, sets the pace. After a crash, items left running are taken up again: on
 * SQLite by {@link JobStore.recover} at start (one server per file); on PostgreSQL by the pg-boss queue
 * (./item-queue.ts), which redelivers a gone server's slices once they expire (the late outcome of an
 * item taken over is not written: see JobStore.record). On a shared store the runner also drops
 * abandoned uploads, completes finished jobs and has its source sweep up items nothing would run
 * (ItemSource.sweep) every {@link JobRunnerOptions.leaseMs} / 4. Its options: ./runner-options.ts.
 */
import { loggableError } from '../storage/db-errors.js';
import type { ClaimedItem, ItemOutcome, JobRow, JobStore } from '../storage/jobs.js';
import { RateMeter, webhookPayload } from './progress.js';
import { JobPlans } from './job-plans.js';
import { StoreItemSource, type ItemSource } from './item-source.js';
import { runClaimedItem, type ItemRunContext, type SucceededItem } from './runner-item.js';
import { OutcomeWriter } from './runner-outcomes.js';
import { JobCancels } from './runner-cancels.js';
import { DEFAULT_ITEM_DEADLINE_MS, leaseMsOf, type JobRunnerOptions } from './runner-options.js';

export type { SucceededItem, JobRunnerOptions };

/** Most items claimed and started in one turn of the event loop. */
const CLAIM_PER_TURN = 64;

/** Runs jobs in the background; one per server. */
export class JobRunner {
  readonly rates = new RateMeter();
  /** The plans items run: published versions and frozen drafts. */
  readonly plans: JobPlans;
  private readonly store: JobStore;
  private readonly options: JobRunnerOptions;
  private readonly now: () => number;
  private readonly controller = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  /** Items in flight by job, and jobs cancelled lately: a cancel stops its items at once. */
  private readonly cancels = new JobCancels();
  private readonly source: ItemSource;
  private readonly writer: OutcomeWriter;
  private readonly itemContext: ItemRunContext;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private pumping = false;
  private wakeSoon: ReturnType<typeof setImmediate> | undefined;
  private started = false;
  /** Recovery at start has run: claims may begin (before it, a claimed item could be recovered as interrupted). */
  private ready = false;
  /** {@link wake} was called while a claim was under way: look again once it is done. */
  private wakeAgain = false;
  /** The claim under way, and the outcome writes: {@link drain} and {@link stop} wait for them. */
  private claiming: Promise<void> | undefined;
  private recoverTimer: ReturnType<typeof setInterval> | undefined;
  private stopped = false;
  /** Claims no more items (a stopping server lets those in flight end first). */
  private draining = false;

  constructor(options: JobRunnerOptions) {
    this.options = options;
    this.store = options.store;
    this.now = options.now ?? Date.now;
    this.plans = new JobPlans(options.published, (jobId) => this.store.frozenGraph(jobId), options.compile);
    this.source = options.source ?? new StoreItemSource(this.store);
    this.writer = new OutcomeWriter(this.store, (written, succeeded, tried) => this.written(written, succeeded, tried), options);
    this.itemContext = {
      plans: this.plans, models: options.models, services: options.services, runLog: options.runLog, deadlineMs: options.deadlineMs ?? DEFAULT_ITEM_DEADLINE_MS, maxAttempts: this.maxAttempts,
      stopped: () => this.stopped, collectSucceeded: options.onItemsSucceeded !== undefined, now: this.now,
    };
  }

  private get maxAttempts(): number {
    return this.options.maxAttempts ?? 3;
  }

  /** How long a claim belongs to a live server (see {@link JobRunnerOptions.leaseMs}). */
  get leaseMs(): number {
    return leaseMsOf(this.options);
  }

  /**
   * Recovers interrupted items, resends undelivered webhooks, and starts pulling work. Settles once
   * recovery is done (work is pulled from then on); a store that fails is logged, not thrown.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    try {
      await this.recover();
      for (const job of await this.store.undeliveredWebhooks()) this.options.webhooks?.send(job, webhookPayload(job, await this.store.counts(job.id)));
    } catch (error) {
      console.error('[mofang] jobs: recovery at start failed:', loggableError(error));
    }
    if (this.stopped) return;
    this.ready = true;
    this.pollTimer = setInterval(() => this.wake(), this.options.pollMs ?? 1000);
    this.pollTimer.unref();
    if (this.store.shared) {
      // Another server's crash is seen here, not at this one's start.
      this.recoverTimer = setInterval(() => void this.recover().catch((error: unknown) => console.error('[mofang] jobs: recovery failed:', loggableError(error))), Math.max(1000, this.leaseMs / 4));
      this.recoverTimer.unref();
    }
    this.wake();
  }

  /** Takes up interrupted items (all on SQLite; past their lease on a shared store) and completes jobs they leave finished. */
  private async recover(): Promise<void> {
    const now = this.now();
    // This server's own claims first, so none of them looks like a gone server's below or to another server.
    await this.source.renew?.(now).catch((error: unknown) => console.error('[mofang] jobs: renewing the claims of held items failed:', loggableError(error)));
    // The queue redelivers a gone server's items itself; the store's claim needs them put back.
    const scope = this.store.shared ? { runningBefore: now - this.leaseMs, uploadingBefore: now - 12 * this.leaseMs, leaveRunning: !this.source.recoversRunning } : {};
    const active = await this.store.recover(this.maxAttempts, now, scope);
    // A job whose last items failed for good during recovery (or were written before a crash) may now be complete.
    await this.finishJobs(active);
    // The queue's items that no slice will deliver (its retries ran out, never enqueued): enqueued again.
    await this.source.sweep?.(now).catch((error: unknown) => console.error('[mofang] jobs: the queue sweep failed:', loggableError(error)));
  }

  /** Looks for work now (after a submission or a retry). */
  wake(): void {
    if (!this.ready || this.stopped || this.draining) return;
    if (this.pumping) {
      this.wakeAgain = true;
      return;
    }
    const target = Math.max(1, Math.floor(this.options.targetInFlight?.() ?? 16));
    const room = target - this.inFlight.size;
    if (room <= 0) return;
    this.pumping = true;
    this.wakeAgain = false;
    // Starting an item costs CPU before its first await: a few at a turn, the rest on the next ones.
    const want = Math.min(room, CLAIM_PER_TURN);
    this.claiming = this.source.claim(want, this.now()).then(
      ({ items, endedJobs }) => {
        this.pumping = false;
        // Claimed while stopping: the rows stay running and are taken up again (at the next start, or redelivered).
        if (!this.stopped) for (const item of items) this.track(item);
        if (endedJobs.length > 0) void this.finishJobs(endedJobs).catch((error: unknown) => console.error('[mofang] jobs: completing jobs failed:', loggableError(error)));
        if (this.wakeAgain || (room > CLAIM_PER_TURN && items.length >= want)) this.wakeAfterIo();
      },
      (error: unknown) => {
        this.pumping = false;
        console.error('[mofang] jobs: claiming items failed:', loggableError(error));
      },
    );
  }

  /**
   * {@link wake} on the next turn of the event loop. An item that ends without I/O (a failed resolve,
   * a graph with no model call, an instant endpoint) ends in a microtask; waking there would claim and
   * finish the next batch in microtasks too, and a 100,000-item job would hold the loop to the end.
   */
  private wakeAfterIo(): void {
    if (this.wakeSoon !== undefined || this.stopped) return;
    this.wakeSoon = setImmediate(() => {
      this.wakeSoon = undefined;
      this.wake();
    });
  }

  /** Items being run right now. */
  get running(): number {
    return this.inFlight.size;
  }

  /**
   * Stops claiming and settles once the items in flight have ended and their outcomes are written (a
   * stopping server calls this first, then {@link stop} for whatever the drain timeout left).
   */
  async drain(): Promise<void> {
    this.draining = true;
    if (this.wakeSoon !== undefined) clearImmediate(this.wakeSoon);
    this.wakeSoon = undefined;
    await this.claiming;
    await Promise.allSettled([...this.inFlight]);
    if (!this.stopped) await this.flush();
    await this.writer.settled();
  }

  /**
   * Stops claiming, aborts items in flight (their rows stay `running` and are retried at the next
   * start, attempt counted) and writes the outcomes already known.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.recoverTimer) clearInterval(this.recoverTimer);
    if (this.wakeSoon !== undefined) clearImmediate(this.wakeSoon);
    this.controller.abort();
    await this.claiming;
    await Promise.allSettled([...this.inFlight]);
    await this.flush();
    await this.writer.settled();
  }

  private track(item: ClaimedItem): void {
    const task = this.runItem(item).catch((error: unknown) => {
      console.error(`[mofang] job ${item.jobId} item ${item.itemId}:`, loggableError(error));
    });
    const tracked = task.finally(() => {
      this.inFlight.delete(tracked);
      this.wakeAfterIo();
    });
    this.inFlight.add(tracked);
  }

  /**
   * Stops a cancelled job's items in flight; their rows go back to pending (not failed). Items of it claimed
   * in a transaction that began before the cancel committed (PostgreSQL's claims run beside it) are stopped
   * as they start (see JobCancels).
   */
  cancelJob(jobId: string): void {
    this.cancels.cancel(jobId);
  }

  private async runItem(item: ClaimedItem): Promise<void> {
    const ran = await this.cancels.run(item.jobId, (cancel) => runClaimedItem(item, this.itemContext, this.controller.signal, cancel));
    if (ran) this.writer.push(ran.outcome, ran.succeeded);
  }

  /** Writes the outcomes known now (see OutcomeWriter.flush); never rejects. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** After a batch was written: tells of its succeeded items, settles it with the source, completes finished jobs. */
  private async written(written: ItemOutcome[], succeeded: SucceededItem[], tried: ItemOutcome[]): Promise<void> {
    if (succeeded.length > 0) {
      const done = new Set(written.filter((o) => o.status === 'succeeded').map((o) => o.runId));
      const told = succeeded.filter((i) => done.has(i.runId));
      if (told.length > 0) this.tellSucceeded(told);
    }
    const jobs = new Set<string>();
    for (const o of written) {
      jobs.add(o.jobId);
      if (o.status !== 'pending') this.rates.add(o.jobId);
    }
    await this.source.settle(written, tried);
    await this.finishJobs(jobs);
  }

  private async finishJobs(jobIds: Iterable<string>): Promise<void> {
    for (const job of await this.store.completeFinished(jobIds, this.now())) {
      if (job.webhookUrl !== null) this.options.webhooks?.send(job, webhookPayload(job, await this.store.counts(job.id)));
      this.tellEnded(job);
    }
  }

  /** Calls {@link JobRunnerOptions.onItemsSucceeded}; a listener's fault is logged, not the runner's. */
  private tellSucceeded(items: SucceededItem[]): void {
    try {
      this.options.onItemsSucceeded?.(items);
    } catch (error) {
      console.error(`[mofang] ${items.length} succeeded job items: a listener failed:`, loggableError(error));
    }
  }

  /** Calls {@link JobRunnerOptions.onJobEnded}; a listener's fault is logged, not the runner's. */
  tellEnded(job: JobRow): void {
    try {
      this.options.onJobEnded?.(job);
    } catch (error) {
      console.error(`[mofang] job ${job.id}: a listener of its end failed:`, loggableError(error));
    }
  }
}
