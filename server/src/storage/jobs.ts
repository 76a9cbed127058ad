/**
 * Job repository, on either store (SQLite or PostgreSQL). Every item is one row whose status moves
 * pending → running → succeeded | failed; results are read from those rows, so an item appears once
 * whatever happened to the process. Writes come in batches, each batch one statement or transaction,
 * never one per item.
 *
 * Items change state in three places only: {@link JobStore.claim} (pending → running, one more attempt),
 * {@link JobStore.record} (running → final or back to pending) and {@link JobStore.recover} (running →
 * pending or failed, after a crash), plus the admin's {@link JobStore.retryFailed} (failed → pending).
 * With several servers on one PostgreSQL database:
 * - a claim is one conditional `update … returning` per job over a `select … for update skip locked`,
 *   so an item is claimed by one server only;
 * - an outcome is written only while the row is `running` with the attempt it was claimed at (the
 *   claim's `attempts`, a fencing token), so a second completion of an item, or a late one from a server
 *   whose claim was taken over, changes nothing;
 * - a crashed server's items are taken up by {@link JobStore.recover} once their claim is older than a
 *   lease (`runningBefore`), so items a live server holds are left to it.
 *
 * The hot statements are in ./job-statements.ts, the reads of finished items in ./job-results.ts and the
 * webhook bookkeeping in ./job-webhook-attempts.ts; this class is their one door.
 */
import { isUniqueViolation } from './db-errors.js';
import { and, count, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import { claimItems, completeJobs, recordOutcomes, recoverItems } from './job-statements.js';
import { failedItemsPage, finishedItemsPage, simulatedItemCount } from './job-results.js';
import { countWebhookAttempts, recordWebhookAttempt, undeliveredWebhookJobs } from './job-webhook-attempts.js';
import type { DataStore } from './store.js';
import { jobColumns, type ClaimedItem, type FinishedItemRow, type ItemCounts, type ItemOutcome, type JobPurpose, type JobRow, type NewJob } from './job-rows.js';

export type { ClaimedItem, FinishedItemRow, ItemCounts, ItemOutcome, JobPurpose, JobRow, NewJob };

/** Items written per insert while an upload streams in (6 values each, under either store's limit). */
const INSERT_ROWS = 1000;

const ACTIVE = ['queued', 'running'] as const;
/** `uploading` is a status the schema's enum does not list: a job the runner and the API do not see yet. */
const UPLOADING = sql`'uploading'`;

/** Which interrupted work {@link JobStore.recover} takes up: all of it (one server on the store), or only what is older than these times. */
export interface RecoverScope {
  /** Items claimed before this time (ms) whose outcome never came; all running items when absent. */
  runningBefore?: number;
  /** Uploads begun before this time (ms) and never finished; all of them when absent. */
  uploadingBefore?: number;
  /** Leave running items alone (the PostgreSQL queue redelivers a gone server's items itself). */
  leaveRunning?: boolean;
}

/** The job tables of one store. */
export class JobStore {
  /**
   * Told, inside the transaction that makes items pending (a job's upload finalized: all its items; the
   * admin's retry: `seqs`), so the PostgreSQL queue enqueues them in the same transaction. None on SQLite.
   */
  onPending?: (tx: DataStore, jobId: string, seqs?: number[]) => Promise<void>;

  constructor(readonly store: DataStore) {}

  /** True when several servers may share the store (PostgreSQL): recovery then goes by lease, not by restart. */
  get shared(): boolean {
    return this.store.dialect === 'postgres';
  }

  /**
   * Starts an upload: the job exists but the runner ignores it until {@link finalize}. `purpose`
   * defaults to `batch`; a frozen draft comes with its graph (JSON text) and plan hash, and version 0.
   */
  async beginJob(job: NewJob): Promise<void> {
    const { db, t } = this.store;
    await db.insert(t.jobs).values({
      id: job.id, scenarioId: job.scenarioId, slug: job.slug, version: job.version, owner: job.owner, purpose: job.purpose ?? 'batch', graph: job.frozen?.graph ?? null,
      graphHash: job.frozen?.hash ?? null, status: UPLOADING, total: 0, bodyHash: '', webhookUrl: job.webhookUrl, createdAt: job.createdAt,
    });
  }

  /** The frozen draft's graph (JSON text) a job runs, or undefined for a job of a published version (or no such job). */
  async frozenGraph(jobId: string): Promise<string | undefined> {
    const { db, t } = this.store;
    const [row] = await db.select({ graph: t.jobs.graph }).from(t.jobs).where(eq(t.jobs.id, jobId)).limit(1);
    return row?.graph ?? undefined;
  }

  /** Adds a chunk of items to an uploading job, in one transaction. */
  async addItems(jobId: string, items: Array<{ seq: number; itemId: string; inputs: string }>): Promise<void> {
    if (items.length === 0) return;
    await this.store.transaction(async (tx) => {
      for (let i = 0; i < items.length; i += INSERT_ROWS) {
        const rows = items.slice(i, i + INSERT_ROWS).map((item) => ({ jobId, seq: item.seq, itemId: item.itemId, inputs: item.inputs, status: 'pending' as const, attempts: 0 }));
        await tx.db.insert(tx.t.jobItems).values(rows);
      }
    });
  }

  /**
   * Ends an upload. With an idempotency key already used by the same owner the new job is dropped and
   * the existing one returned (`replayed`), or `conflict` when its body differs. Two uploads with one
   * key finishing at once on PostgreSQL: the unique index refuses the second, which then finds the first.
   */
  async finalize(jobId: string, owner: string, total: number, bodyHash: string, idempotencyKey: string | null, webhookUrl?: string | null): Promise<{ job: JobRow; outcome: 'created' | 'replayed' | 'conflict' }> {
    try {
      return await this.finalizeOnce(jobId, owner, total, bodyHash, idempotencyKey, webhookUrl);
    } catch (error) {
      if (idempotencyKey === null || !isUniqueViolation(error)) throw error;
      return this.finalizeOnce(jobId, owner, total, bodyHash, idempotencyKey, webhookUrl);
    }
  }

  private finalizeOnce(jobId: string, owner: string, total: number, bodyHash: string, idempotencyKey: string | null, webhookUrl?: string | null): Promise<{ job: JobRow; outcome: 'created' | 'replayed' | 'conflict' }> {
    return this.store.transaction(async (tx) => {
      const jobs = new JobStore(tx);
      if (idempotencyKey !== null) {
        const existing = await jobs.findByIdempotencyKey(owner, idempotencyKey);
        if (existing) {
          await jobs.deleteJob(jobId);
          const outcome: 'replayed' | 'conflict' = existing.bodyHash === bodyHash ? 'replayed' : 'conflict';
          return { job: existing, outcome };
        }
      }
      // A JSON body may name its webhook after its items, so it is known only now.
      const [job] = await tx.db
        .update(tx.t.jobs)
        .set({ status: 'queued', total, bodyHash, idempotencyKey, ...(webhookUrl !== undefined ? { webhookUrl } : {}) })
        .where(eq(tx.t.jobs.id, jobId))
        .returning(jobColumns(tx.t));
      if (!job) throw new Error(`job ${jobId} vanished while being created`);
      await this.onPending?.(tx, jobId);
      return { job: job as JobRow, outcome: 'created' as const };
    });
  }

  /** Finds a finished submission by owner and key before reading a body again. */
  async findByIdempotencyKey(owner: string, key: string): Promise<JobRow | undefined> {
    const { db, t } = this.store;
    const [row] = await db.select(jobColumns(t)).from(t.jobs).where(and(eq(t.jobs.owner, owner), eq(t.jobs.idempotencyKey, key))).limit(1);
    return row as JobRow | undefined;
  }

  async deleteJob(jobId: string): Promise<void> {
    const { db, t } = this.store;
    await db.delete(t.jobs).where(eq(t.jobs.id, jobId));
  }

  /** A job that is past its upload (an uploading job is invisible). */
  async getJob(jobId: string): Promise<JobRow | undefined> {
    const { db, t } = this.store;
    const [row] = await db.select(jobColumns(t)).from(t.jobs).where(and(eq(t.jobs.id, jobId), ne(t.jobs.status, UPLOADING))).limit(1);
    return row as JobRow | undefined;
  }

  /** Batch jobs, newest first (then by id), optionally of one scenario (evaluation jobs are the evaluation's to show). */
  async listJobs(scenarioId: string | undefined, limit: number): Promise<JobRow[]> {
    const { db, t } = this.store;
    const rows = await db
      .select(jobColumns(t))
      .from(t.jobs)
      .where(and(scenarioId === undefined ? undefined : eq(t.jobs.scenarioId, scenarioId), ne(t.jobs.status, UPLOADING), eq(t.jobs.purpose, 'batch')))
      .orderBy(desc(t.jobs.createdAt), desc(t.jobs.id))
      .limit(limit);
    return rows as JobRow[];
  }

  async counts(jobId: string): Promise<ItemCounts> {
    const { db, t } = this.store;
    const counts: ItemCounts = { pending: 0, running: 0, succeeded: 0, failed: 0 };
    const rows = await db.select({ status: t.jobItems.status, n: count() }).from(t.jobItems).where(eq(t.jobItems.jobId, jobId)).groupBy(t.jobItems.status);
    for (const row of rows) if (row.status in counts) counts[row.status] = Number(row.n);
    return counts;
  }

  /**
   * Marks up to `limit` pending items of the oldest active jobs as running (one more attempt each) and
   * returns them, in job then submission order. One transaction; per job one `update … returning` whose
   * rows a concurrent claim (another server on PostgreSQL) cannot also take. Text statements (prepared
   * once on SQLite): the runner claims many times a second.
   */
  claim(limit: number, now: number): Promise<ClaimedItem[]> {
    return claimItems(this.store, limit, now);
  }

  /**
   * Writes a batch of outcomes, one statement per {@link RECORD_ROWS}; only rows still `running` at the
   * attempt their outcome is of change, so an outcome written twice, or late after its item was taken
   * over, is a no-op. Resolves with the outcomes written on PostgreSQL (the others were fenced out); with
   * all of them on SQLite (one server: nothing fences).
   */
  record(outcomes: ItemOutcome[]): Promise<ItemOutcome[]> {
    return recordOutcomes(this.store, outcomes);
  }

  /**
   * Marks the given active jobs that have nothing pending or running as completed, in one conditional
   * statement (a job is completed once, by whichever server gets there first); returns them. Run after
   * the outcomes' write has committed, so of two servers writing a job's last items, the later sees both.
   */
  completeFinished(jobIds: Iterable<string>, now: number): Promise<JobRow[]> {
    return completeJobs(this.store, jobIds, now);
  }

  /**
   * Takes up interrupted work: items left running go back to pending (their attempt stays counted), or
   * fail when they have used every attempt; half-uploaded jobs are dropped. `scope` limits it to what is
   * older than a lease (a store shared by live servers); without it, everything (at the start of the one
   * server of a SQLite file). Returns the ids of active jobs.
   */
  recover(maxAttempts: number, now: number, scope: RecoverScope = {}): Promise<string[]> {
    return recoverItems(this.store, maxAttempts, now, scope);
  }

  /** Stops a job: pending items are not started any more (running ones finish). False when already ended. */
  async cancel(jobId: string, now: number): Promise<boolean> {
    const { db, t } = this.store;
    const rows = await db.update(t.jobs).set({ status: 'cancelled', finishedAt: now }).where(and(eq(t.jobs.id, jobId), inArray(t.jobs.status, [...ACTIVE]))).returning({ id: t.jobs.id });
    return rows.length > 0;
  }

  /** Puts failed items back to pending (one, or all of the job's) and reopens the job. Returns how many. */
  retryFailed(jobId: string, itemId?: string): Promise<number> {
    return this.store.transaction(async (tx) => {
      const { db, t } = tx;
      const ji = t.jobItems;
      const rows = await db
        .update(ji)
        .set({ status: 'pending', error: null, finishedAt: null })
        .where(and(eq(ji.jobId, jobId), itemId === undefined ? undefined : eq(ji.itemId, itemId), eq(ji.status, 'failed')))
        .returning({ seq: ji.seq });
      if (rows.length > 0) {
        await db.update(t.jobs).set({ status: 'running', finishedAt: null }).where(and(eq(t.jobs.id, jobId), eq(t.jobs.status, 'completed')));
        await this.onPending?.(tx, jobId, rows.map((r) => r.seq));
      }
      return rows.length;
    });
  }

  /** The item's row status, or undefined when the job has no such item. */
  async itemStatus(jobId: string, itemId: string): Promise<string | undefined> {
    const { db, t } = this.store;
    const [row] = await db.select({ status: t.jobItems.status }).from(t.jobItems).where(and(eq(t.jobItems.jobId, jobId), eq(t.jobItems.itemId, itemId))).limit(1);
    return row?.status;
  }

  /** A page of finished items after `afterSeq`, in submission order (keyset paging: no offset scans). */
  finishedPage(jobId: string, afterSeq: number, limit: number, only?: 'failed'): Promise<FinishedItemRow[]> {
    return finishedItemsPage(this.store, jobId, afterSeq, limit, only);
  }

  /**
   * How many finished items of the job the built-in simulator answered (see `simulatedModel`): one
   * read of their runs' `model` grouped by value, so a 100 000-item job yields a handful of rows.
   */
  simulatedCount(jobId: string): Promise<number> {
    return simulatedItemCount(this.store, jobId);
  }

  /** A page of failed items by offset (the admin error list) and how many there are. */
  async failures(jobId: string, offset: number, limit: number): Promise<{ rows: FinishedItemRow[]; total: number }> {
    return { rows: await failedItemsPage(this.store, jobId, offset, limit), total: (await this.counts(jobId)).failed };
  }

  /** Records attempt `attempt` of a job's completion webhook (HTTP `status`, or null and `error`); a 2xx marks the webhook delivered. */
  recordWebhookAttempt(jobId: string, attempt: number, status: number | null, error: string | null, now: number): Promise<void> {
    return recordWebhookAttempt(this.store, jobId, attempt, status, error, now);
  }

  /** How many attempts of the job's completion webhook were made. */
  webhookAttempts(jobId: string): Promise<number> {
    return countWebhookAttempts(this.store, jobId);
  }

  /** Ended jobs whose webhook was never delivered (to resume after a restart). */
  undeliveredWebhooks(): Promise<JobRow[]> {
    return undeliveredWebhookJobs(this.store);
  }
}
