/**
 * Job repository. Every item is one row whose status moves pending → running → succeeded | failed;
 * results are read from those rows, so an item appears once whatever happened to the process. Writes
 * come in batches, each batch one transaction (one fsync), never one per item.
 */
import Database from 'better-sqlite3';
import { writeTransactionRaw, type Db } from './db.js';
import { simulatedModel } from '@shared/simulated.js';
import type { ClaimedItem, FinishedItemRow, ItemCounts, ItemOutcome, JobPurpose, JobRow, NewJob } from './job-rows.js';

export type { ClaimedItem, FinishedItemRow, ItemCounts, ItemOutcome, JobPurpose, JobRow, NewJob };

const JOB_COLUMNS = `id, scenario_id as scenarioId, slug, version, owner, purpose, graph_hash as graphHash, status, total, idempotency_key as idempotencyKey, body_hash as bodyHash,
  webhook_url as webhookUrl, webhook_delivered_at as webhookDeliveredAt, created_at as createdAt, started_at as startedAt, finished_at as finishedAt, redacted_at as redactedAt`;

function isJobRow(value: unknown): value is JobRow {
  return typeof value === 'object' && value !== null && 'id' in value && 'bodyHash' in value;
}

/** Statements over one connection, prepared once. */
export class JobStore {
  private readonly sql: Database.Database;
  private claimSql?: Record<'jobs' | 'pick' | 'mark' | 'start', Database.Statement>;

  constructor(db: Db) {
    // The prepared-SQL path needs the better-sqlite3 handle drizzle keeps as `$client`.
    if (!('$client' in db && db.$client instanceof Database)) throw new Error('the job store needs a better-sqlite3 connection');
    this.sql = db.$client;
  }

  /**
   * Starts an upload: the job exists but the runner ignores it until {@link finalize}. `purpose`
   * defaults to `batch`; a frozen draft comes with its graph (JSON text) and plan hash, and version 0.
   */
  beginJob(job: NewJob): void {
    this.sql
      .prepare(`insert into jobs (id, scenario_id, slug, version, owner, purpose, graph, graph_hash, status, total, body_hash, webhook_url, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, 'uploading', 0, '', ?, ?)`)
      .run(job.id, job.scenarioId, job.slug, job.version, job.owner, job.purpose ?? 'batch', job.frozen?.graph ?? null, job.frozen?.hash ?? null, job.webhookUrl, job.createdAt);
  }

  /** The frozen draft's graph (JSON text) a job runs, or undefined for a job of a published version (or no such job). */
  frozenGraph(jobId: string): string | undefined {
    const row = this.sql.prepare(`select graph from jobs where id = ?`).get(jobId);
    return typeof row === 'object' && row !== null && 'graph' in row && typeof row.graph === 'string' ? row.graph : undefined;
  }

  /** Adds a chunk of items to an uploading job, in one transaction. */
  addItems(jobId: string, items: Array<{ seq: number; itemId: string; inputs: string }>): void {
    const insert = this.sql.prepare(`insert into job_items (job_id, seq, item_id, inputs, status, attempts) values (?, ?, ?, ?, 'pending', 0)`);
    writeTransactionRaw(this.sql, () => {
      for (const item of items) insert.run(jobId, item.seq, item.itemId, item.inputs);
    });
  }

  /**
   * Ends an upload. With an idempotency key already used by the same owner the new job is dropped and
   * the existing one returned (`replayed`), or `conflict` when its body differs.
   */
  finalize(jobId: string, owner: string, total: number, bodyHash: string, idempotencyKey: string | null, webhookUrl?: string | null): { job: JobRow; outcome: 'created' | 'replayed' | 'conflict' } {
    return writeTransactionRaw(this.sql, () => {
      if (idempotencyKey !== null) {
        const existing = this.sql.prepare(`select ${JOB_COLUMNS} from jobs where owner = ? and idempotency_key = ?`).get(owner, idempotencyKey);
        if (isJobRow(existing)) {
          this.deleteJob(jobId);
          const outcome: 'replayed' | 'conflict' = existing.bodyHash === bodyHash ? 'replayed' : 'conflict';
          return { job: existing, outcome };
        }
      }
      this.sql.prepare(`update jobs set status = 'queued', total = ?, body_hash = ?, idempotency_key = ? where id = ?`).run(total, bodyHash, idempotencyKey, jobId);
      // A JSON body may name its webhook after its items, so it is known only now.
      if (webhookUrl !== undefined) this.sql.prepare(`update jobs set webhook_url = ? where id = ?`).run(webhookUrl, jobId);
      const job = this.getJob(jobId);
      if (!job) throw new Error(`job ${jobId} vanished while being created`);
      return { job, outcome: 'created' as const };
    });
  }

  /** Finds a finished submission by owner and key before reading a body again. */
  findByIdempotencyKey(owner: string, key: string): JobRow | undefined {
    const row = this.sql.prepare(`select ${JOB_COLUMNS} from jobs where owner = ? and idempotency_key = ?`).get(owner, key);
    return isJobRow(row) ? row : undefined;
  }

  deleteJob(jobId: string): void {
    this.sql.prepare(`delete from jobs where id = ?`).run(jobId);
  }

  /** A job that is past its upload (an uploading job is invisible). */
  getJob(jobId: string): JobRow | undefined {
    const row = this.sql.prepare(`select ${JOB_COLUMNS} from jobs where id = ? and status != 'uploading'`).get(jobId);
    return isJobRow(row) ? row : undefined;
  }

  /** Batch jobs, newest first, optionally of one scenario (evaluation jobs are the evaluation's to show). */
  listJobs(scenarioId: string | undefined, limit: number): JobRow[] {
    const rows =
      scenarioId === undefined
        ? this.sql.prepare(`select ${JOB_COLUMNS} from jobs where status != 'uploading' and purpose = 'batch' order by created_at desc limit ?`).all(limit)
        : this.sql.prepare(`select ${JOB_COLUMNS} from jobs where scenario_id = ? and status != 'uploading' and purpose = 'batch' order by created_at desc limit ?`).all(scenarioId, limit);
    return rows.filter(isJobRow);
  }

  counts(jobId: string): ItemCounts {
    const counts: ItemCounts = { pending: 0, running: 0, succeeded: 0, failed: 0 };
    const rows = this.sql.prepare(`select status, count(*) as n from job_items where job_id = ? group by status`).all(jobId);
    for (const row of rows) {
      if (typeof row !== 'object' || row === null || !('status' in row) || !('n' in row) || typeof row.n !== 'number') continue;
      const n = row.n;
      if (row.status === 'pending') counts.pending = n;
      else if (row.status === 'running') counts.running = n;
      else if (row.status === 'succeeded') counts.succeeded = n;
      else if (row.status === 'failed') counts.failed = n;
    }
    return counts;
  }

  /**
   * Marks up to `limit` pending items of the oldest active jobs as running (one more attempt each) and
   * returns them. One transaction.
   */
  claim(limit: number, now: number): ClaimedItem[] {
    // Prepared once: the runner claims many times a second.
    this.claimSql ??= {
      jobs: this.sql.prepare(`select id, slug, version, graph_hash as graphHash, scenario_id as scenarioId, owner, purpose from jobs where status in ('queued', 'running') order by created_at, id`),
      pick: this.sql.prepare(`select seq, item_id as itemId, inputs, attempts from job_items where job_id = ? and status = 'pending' order by seq limit ?`),
      mark: this.sql.prepare(`update job_items set status = 'running', attempts = attempts + 1, started_at = ? where job_id = ? and seq = ?`),
      start: this.sql.prepare(`update jobs set status = 'running', started_at = coalesce(started_at, ?) where id = ? and status = 'queued'`),
    };
    const { pick, mark, start } = this.claimSql;
    return writeTransactionRaw(this.sql, () => {
      const claimed: ClaimedItem[] = [];
      const jobs = this.claimSql?.jobs.all() ?? [];
      for (const job of jobs) {
        if (claimed.length >= limit) break;
        if (!(typeof job === 'object' && job !== null && 'id' in job && 'slug' in job && 'version' in job)) continue;
        const jobId = String(job.id);
        const rows = pick.all(jobId, limit - claimed.length);
        if (rows.length > 0) start.run(now, jobId);
        for (const row of rows) {
          if (!(typeof row === 'object' && row !== null && 'seq' in row && 'itemId' in row && 'inputs' in row && 'attempts' in row)) continue;
          mark.run(now, jobId, row.seq);
          claimed.push({ jobId, seq: Number(row.seq), itemId: String(row.itemId), inputs: String(row.inputs), attempts: Number(row.attempts) + 1, slug: String(job.slug), version: Number(job.version), graphHash: 'graphHash' in job && typeof job.graphHash === 'string' ? job.graphHash : null, scenarioId: 'scenarioId' in job ? String(job.scenarioId) : '', owner: 'owner' in job ? String(job.owner) : '', purpose: 'purpose' in job && job.purpose === 'evaluation' ? 'evaluation' : 'batch' });
        }
      }
      return claimed;
    });
  }

  /** Writes a batch of outcomes in one transaction; only rows still `running` change. */
  record(outcomes: ItemOutcome[]): void {
    const update = this.sql.prepare(
      `update job_items set status = ?, run_id = ?, outputs = ?, error = ?, latency_ms = ?, finished_at = ?, model = ? where job_id = ? and seq = ? and status = 'running'`,
    );
    writeTransactionRaw(this.sql, () => {
      for (const o of outcomes) {
        const final = o.status !== 'pending';
        update.run(
          o.status,
          o.runId,
          final && o.outputs !== undefined ? JSON.stringify(o.outputs) : null,
          o.error !== undefined ? JSON.stringify(o.error) : null,
          Math.round(o.latencyMs),
          final ? o.finishedAt : null,
          final ? (o.model ?? null) : null,
          o.jobId,
          o.seq,
        );
      }
    });
  }

  /** Marks active jobs with nothing pending or running as completed; returns them. */
  completeFinished(jobIds: Iterable<string>, now: number): JobRow[] {
    const done: JobRow[] = [];
    const left = this.sql.prepare(`select 1 from job_items where job_id = ? and status in ('pending', 'running') limit 1`);
    const complete = this.sql.prepare(`update jobs set status = 'completed', finished_at = ? where id = ? and status in ('queued', 'running')`);
    writeTransactionRaw(this.sql, () => {
      for (const id of jobIds) {
        if (left.get(id) !== undefined) continue;
        if (complete.run(now, id).changes > 0) {
          const job = this.getJob(id);
          if (job) done.push(job);
        }
      }
    });
    return done;
  }

  /**
   * After a crash: items left running go back to pending (their attempt stays counted), or fail when
   * they have used every attempt; half-uploaded jobs are dropped. Returns the ids of active jobs.
   */
  recover(maxAttempts: number, now: number): string[] {
    return writeTransactionRaw(this.sql, () => {
      this.sql.prepare(`delete from jobs where status = 'uploading'`).run();
      const interrupted = JSON.stringify({ code: 'interrupted', message: `the server stopped while this item ran, ${maxAttempts} times` });
      this.sql
        .prepare(`update job_items set status = 'failed', error = ?, finished_at = ? where status = 'running' and attempts >= ?`)
        .run(interrupted, now, maxAttempts);
      this.sql.prepare(`update job_items set status = 'pending' where status = 'running'`).run();
      return this.sql
        .prepare(`select id from jobs where status in ('queued', 'running')`)
        .all()
        .flatMap((r: unknown) => (typeof r === 'object' && r !== null && 'id' in r ? [String(r.id)] : []));
    });
  }

  /** Stops a job: pending items are not started any more (running ones finish). False when already ended. */
  cancel(jobId: string, now: number): boolean {
    return this.sql.prepare(`update jobs set status = 'cancelled', finished_at = ? where id = ? and status in ('queued', 'running')`).run(now, jobId).changes > 0;
  }

  /** Puts failed items back to pending (one, or all of the job's) and reopens the job. Returns how many. */
  retryFailed(jobId: string, itemId?: string): number {
    return writeTransactionRaw(this.sql, () => {
      const result =
        itemId === undefined
          ? this.sql.prepare(`update job_items set status = 'pending', error = null, finished_at = null where job_id = ? and status = 'failed'`).run(jobId)
          : this.sql.prepare(`update job_items set status = 'pending', error = null, finished_at = null where job_id = ? and item_id = ? and status = 'failed'`).run(jobId, itemId);
      if (result.changes > 0) this.sql.prepare(`update jobs set status = 'running', finished_at = null where id = ? and status = 'completed'`).run(jobId);
      return result.changes;
    });
  }

  /** The item's row status, or undefined when the job has no such item. */
  itemStatus(jobId: string, itemId: string): string | undefined {
    const row = this.sql.prepare(`select status from job_items where job_id = ? and item_id = ?`).get(jobId, itemId);
    return typeof row === 'object' && row !== null && 'status' in row ? String(row.status) : undefined;
  }

  /** A page of finished items after `afterSeq`, in submission order (keyset paging: no offset scans). */
  finishedPage(jobId: string, afterSeq: number, limit: number, only?: 'failed'): FinishedItemRow[] {
    const statuses = only === 'failed' ? `('failed')` : `('succeeded', 'failed')`;
    const rows = this.sql
      .prepare(
        `select ji.seq, ji.item_id as itemId, ji.status, ji.run_id as runId, ji.outputs, ji.error, ji.attempts, ji.finished_at as finishedAt, coalesce(ji.model, r.model) as model
         from job_items ji left join runs r on r.id = ji.run_id
         where ji.job_id = ? and ji.seq > ? and ji.status in ${statuses} order by ji.seq limit ?`,
      )
      .all(jobId, afterSeq, limit);
    return rows.filter((r: unknown): r is FinishedItemRow => typeof r === 'object' && r !== null && 'seq' in r && 'itemId' in r);
  }

  /**
   * How many finished items of the job the built-in simulator answered (see `simulatedModel`): one
   * read of their runs' `model` grouped by value, so a 100 000-item job yields a handful of rows.
   */
  simulatedCount(jobId: string): number {
    const rows = this.sql
      .prepare(`select coalesce(ji.model, r.model) as model, count(*) as n from job_items ji left join runs r on r.id = ji.run_id where ji.job_id = ? and ji.status in ('succeeded', 'failed') group by 1`)
      .all(jobId);
    return rows.reduce((sum: number, r: unknown) => sum + (typeof r === 'object' && r !== null && 'model' in r && 'n' in r && simulatedModel(typeof r.model === 'string' ? r.model : null) ? Number(r.n) : 0), 0);
  }

  /** A page of failed items by offset (the admin error list) and how many there are. */
  failures(jobId: string, offset: number, limit: number): { rows: FinishedItemRow[]; total: number } {
    const rows = this.sql
      .prepare(
        `select ji.seq, ji.item_id as itemId, ji.status, ji.run_id as runId, ji.outputs, ji.error, ji.attempts, ji.finished_at as finishedAt, coalesce(ji.model, r.model) as model
         from job_items ji left join runs r on r.id = ji.run_id
         where ji.job_id = ? and ji.status = 'failed' order by ji.seq limit ? offset ?`,
      )
      .all(jobId, limit, offset)
      .filter((r: unknown): r is FinishedItemRow => typeof r === 'object' && r !== null && 'seq' in r && 'itemId' in r);
    return { rows, total: this.counts(jobId).failed };
  }

  /** Webhook delivery bookkeeping. */
  recordWebhookAttempt(jobId: string, attempt: number, status: number | null, error: string | null, now: number): void {
    this.sql.prepare(`insert or replace into job_webhook_attempts (job_id, attempt, at, status, error) values (?, ?, ?, ?, ?)`).run(jobId, attempt, now, status, error);
    if (status !== null && status >= 200 && status < 300) this.sql.prepare(`update jobs set webhook_delivered_at = ? where id = ?`).run(now, jobId);
  }

  webhookAttempts(jobId: string): number {
    const row = this.sql.prepare(`select count(*) as n from job_webhook_attempts where job_id = ?`).get(jobId);
    return typeof row === 'object' && row !== null && 'n' in row ? Number(row.n) : 0;
  }

  /** Ended jobs whose webhook was never delivered (to resume after a restart). */
  undeliveredWebhooks(): JobRow[] {
    return this.sql
      .prepare(`select ${JOB_COLUMNS} from jobs where status in ('completed', 'cancelled') and webhook_url is not null and webhook_delivered_at is null`)
      .all()
      .filter(isJobRow);
  }
}
