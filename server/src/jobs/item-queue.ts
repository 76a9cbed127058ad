/**
 * The job queue on PostgreSQL: pg-boss 10 (its own schema `pgboss`, created by its first start, and its
 * own small pool). A job's pending items are enqueued as slices of {@link SLICE_ITEMS} (one pg-boss job
 * per slice: 100,000 items are 5,000 queue rows; one row per item made pg-boss's fetch sort every
 * waiting row, about 660 items/s at 10,000 items here) in the same transaction that makes them pending
 * (JobStore.onPending). Each server's runner fetches slices within its concurrency; a slice is completed
 * once every item of it has a final outcome written, failed (pg-boss retries it after retryDelay ×
 * 2^n with jitter, up to retryLimit) when one went back to pending for another attempt or is still
 * held by another server, and left active when its outcomes could not be written: pg-boss expires it
 * after `expireInSeconds` (the lease) and another server takes its items over. Items no live slice
 * covers (a slice out of retries, a job copied in with no queue rows) are enqueued again by
 * {@link JobQueue.sweep}. `job_items` stays the record: an outcome is written once, fenced by the
 * item's `attempts`.
 */
import { randomBytes } from 'node:crypto';
import { loggableError } from '../storage/db-errors.js';
import { sql } from 'drizzle-orm';
import { rawRows } from '../storage/dialect-sql.js';
import { claimSlices, pendingSlices, renewClaims, strandedItems, type ItemSlice } from '../storage/job-slices.js';
import { bossDb, PgQueue, type PgQueueOptions } from '../storage/pg-queue.js';
import type { ClaimedItem, ItemOutcome, JobStore } from '../storage/jobs.js';
import type { DataStore } from '../storage/store.js';
import type { ItemSource } from './item-source.js';

/** Items per queued slice. */
export const SLICE_ITEMS = 20;
export const ITEMS_QUEUE = 'mofang-job-items';
export const WEBHOOKS_QUEUE = 'mofang-job-webhooks';
/** The advisory lock (hashed) one server holds while it sweeps. */
const SWEEP_LOCK = 'mofang:job-items-sweep';

export interface JobQueueOptions extends PgQueueOptions {
  /** Seconds a fetched slice may stay unfinished before pg-boss hands it to another server (the lease). */
  expireInSeconds: number;
  /** First retry delay in seconds (then doubled, with jitter); default 1. */
  retryDelaySeconds?: number;
  /** Retries of a slice; default the item attempts + 3 (a retry that finds nothing to do costs one). */
  retryLimit: number;
}

/** A queue id whose order is the slice's (pg-boss fetches by creation time, then id). */
function orderedId(index: number): string {
  const hex = index.toString(16).padStart(8, '0').slice(-8) + randomBytes(12).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** pg-boss on the job store's database with the job queues: started and stopped with the JobService. */
export class JobQueue extends PgQueue {
  constructor(
    store: DataStore,
    readonly options: JobQueueOptions,
  ) {
    super(store, options, [ITEMS_QUEUE, WEBHOOKS_QUEUE]);
  }

  /** Enqueues a job's pending items (or `seqs`) as slices, in the transaction `tx` that made them pending. */
  async enqueue(tx: DataStore, jobId: string, seqs?: number[]): Promise<void> {
    await this.start();
    const slices = await pendingSlices(tx, jobId, SLICE_ITEMS, seqs);
    const { expireInSeconds, retryLimit, retryDelaySeconds = 1 } = this.options;
    const rows = slices.map((s, i) => ({ id: orderedId(i), name: ITEMS_QUEUE, data: s, retryLimit, retryDelay: retryDelaySeconds, retryBackoff: true, expireInSeconds }));
    for (let i = 0; i < rows.length; i += 2000) await this.boss.insert(rows.slice(i, i + 2000), { db: bossDb(tx) });
  }

  /**
   * Enqueues again the items nothing would run (see {@link strandedItems}: pending, or running past
   * `staleBefore`, in active jobs, covered by no live slice), in one transaction under an advisory
   * lock, so of servers sweeping at once one does it and the others (lock taken) skip: each item is
   * enqueued once. A delivered slice's claim takes its items as it takes any (a running item past its
   * lease is taken over, or failed `interrupted` when it has used every attempt). Returns how many items
   * were enqueued (0 as well when another server held the lock).
   */
  async sweep(staleBefore: number): Promise<number> {
    await this.start();
    return this.store.transaction(async (tx) => {
      const [lock] = await rawRows(tx, sql`select pg_try_advisory_xact_lock(hashtext(${SWEEP_LOCK})) as "ok"`);
      if (lock?.ok !== true) return 0;
      let enqueued = 0;
      for (const [jobId, seqs] of await strandedItems(tx, ITEMS_QUEUE, staleBefore)) {
        await this.enqueue(tx, jobId, seqs);
        enqueued += seqs.length;
      }
      return enqueued;
    });
  }

  /** The JobStore hook that enqueues (see JobStore.onPending). */
  attach(jobs: JobStore): void {
    jobs.onPending = (tx, jobId, seqs) => this.enqueue(tx, jobId, seqs);
  }
}

interface HeldSlice {
  id: string;
  /** Items claimed and not yet settled. */
  open: number;
  /** An item went back to pending, another server holds one, or the claim failed: retry the slice later. */
  again: boolean;
}

/** Items from the queue: slices fetched within the runner's concurrency, claimed in the job tables. */
export class QueuedItemSource implements ItemSource {
  readonly recoversRunning = false;
  /**
   * Slices in hand, by the `jobId:seq:attempt` of each item claimed. An item whose outcome is never
   * written (the runner stopped under it, the store failing, a late outcome fenced out) keeps its slice
   * open: pg-boss expires it and another server takes the item over.
   */
  private readonly held = new Map<string, HeldSlice>();
  /** Held items whose outcome was tried and not written: their claims are left to run out. */
  private readonly unrenewed = new Set<string>();

  constructor(
    private readonly queue: JobQueue,
    private readonly options: { maxAttempts: number; leaseMs: number },
  ) {}

  async claim(limit: number, now: number): Promise<{ items: ClaimedItem[]; endedJobs: string[] }> {
    await this.queue.start();
    const fetched = await this.queue.boss.fetch<ItemSlice>(ITEMS_QUEUE, { batchSize: Math.max(1, Math.ceil(limit / SLICE_ITEMS)) });
    if (fetched.length === 0) return { items: [], endedJobs: [] };
    let claim: Awaited<ReturnType<typeof claimSlices>>;
    try {
      claim = await claimSlices(this.queue.store, fetched.map((f) => f.data), this.options.maxAttempts, now, now - this.options.leaseMs);
    } catch (error) {
      await this.queue.boss.fail(ITEMS_QUEUE, fetched.map((f) => f.id)).catch(() => undefined);
      throw error;
    }
    const items: ClaimedItem[] = [];
    const done: string[] = [];
    const again: string[] = [];
    claim.slices.forEach((c, i) => {
      const slice: HeldSlice = { id: fetched[i].id, open: c.claimed.length, again: c.busy > 0 };
      if (c.claimed.length === 0) (slice.again ? again : done).push(slice.id);
      for (const item of c.claimed) {
        this.held.set(`${item.jobId}:${item.seq}:${item.attempts}`, slice);
        items.push(item);
      }
    });
    await this.finish(done, again);
    return { items, endedJobs: claim.endedJobs };
  }

  /**
   * Renews the claims of the items held here (claimed, outcome not yet written: running or waiting for a
   * model slot), so another server never takes over an item that waits here longer than the lease. The
   * runner calls it every lease / 4, before the sweep.
   */
  async renew(now: number): Promise<void> {
    const items: Array<{ jobId: string; seq: number; attempts: number }> = [];
    for (const key of this.held.keys()) {
      const parts = /^(.*):(\d+):(\d+)$/.exec(key);
      if (parts && !this.unrenewed.has(key)) items.push({ jobId: parts[1], seq: Number(parts[2]), attempts: Number(parts[3]) });
    }
    await renewClaims(this.queue.store, items, now);
  }

  /** Enqueues again the items no live slice covers (see JobQueue.sweep); running ones count as stranded a lease after their claim. */
  async sweep(now: number): Promise<void> {
    const enqueued = await this.queue.sweep(now - this.options.leaseMs);
    if (enqueued > 0) console.warn(`[mofang] job queue: ${enqueued} items had no live queue entry (a slice out of retries, or a job copied in); enqueued again`);
  }

  async settle(written: ItemOutcome[], tried: ItemOutcome[] = written): Promise<void> {
    const done: string[] = [];
    const again: string[] = [];
    // Tried and not written (fenced out, or the store failing): no longer renewed, so its slice expires and
    // another server takes the item over after the lease.
    if (tried.length > written.length) {
      const took = new Set(written.map((o) => `${o.jobId}:${o.seq}:${o.attempt}`));
      for (const o of tried) {
        const key = `${o.jobId}:${o.seq}:${o.attempt}`;
        if (!took.has(key) && this.held.has(key)) this.unrenewed.add(key);
      }
    }
    for (const o of written) {
      const slice = this.held.get(`${o.jobId}:${o.seq}:${o.attempt}`);
      if (!slice) continue;
      this.held.delete(`${o.jobId}:${o.seq}:${o.attempt}`);
      this.unrenewed.delete(`${o.jobId}:${o.seq}:${o.attempt}`);
      if (o.status === 'pending') slice.again = true;
      slice.open -= 1;
      if (slice.open === 0) (slice.again ? again : done).push(slice.id);
    }
    await this.finish(done, again);
  }

  private async finish(done: string[], again: string[]): Promise<void> {
    try {
      if (done.length > 0) await this.queue.boss.complete(ITEMS_QUEUE, done);
      if (again.length > 0) await this.queue.boss.fail(ITEMS_QUEUE, again);
    } catch (error) {
      // Left active: pg-boss expires and redelivers them; their items' outcomes are already written.
      console.error('[mofang] job queue: settling slices failed:', loggableError(error));
    }
  }
}
