/**
 * Group commit of live session steps. A step (turns to hold, events to append, the session's new state)
 * is queued; every step queued in one turn of the event loop is written in ONE write transaction on the
 * next (`setImmediate`). Each `write()` resolves when the transaction holding its step has committed
 * (and rejects with the error when it failed), so a caller still answers or hands events on only once
 * they are stored. A crash leaves each step before or after, never half written (a batch is one
 * transaction, and a step lies in one batch); a step is in exactly one batch, so it is never lost nor
 * written twice. One batch is written at a time: steps queued meanwhile make the next one, in order.
 *
 * The rows are written per dialect: on SQLite with statements prepared once (./session-steps-sqlite.ts),
 * in a synchronous `BEGIN IMMEDIATE` transaction when the connection is free, or else (another
 * transaction of the store is open, or a step's `alsoWrite` is asynchronous) inside the store's own
 * transaction queue, so a batch never joins another's transaction; on PostgreSQL in a few multi-row
 * statements per batch on the pool (./session-steps-pg.ts).
 *
 * Why: one session turn used to cost two write transactions, each statement built by drizzle's query
 * builder on every call; at 1,000 live sessions (≈ 250 turns/s) that was a sixth of the server's main
 * thread (`npm run bench:sessions -- --profile`). Group commit is the classic answer (PostgreSQL's
 * `commit_delay`, https://www.postgresql.org/docs/current/wal-configuration.html).
 */
import { AsyncResource } from 'node:async_hooks';
import { claimForWrite, type SessionLease } from './session-lease.js';
import { SqliteSessionSteps } from './session-steps-sqlite.js';
import { writePgSessionSteps } from './session-steps-pg.js';
import type { SessionStepRows } from './sessions.js';
import type { DataStore } from './store.js';

/** One step of one session. */
export interface SessionStep extends SessionStepRows {
  /**
   * Writes other rows in the same transaction, before the step's own (a session's final run, as it
   * ends). On SQLite a synchronous write on the store's connection joins it as well.
   */
  alsoWrite?: (tx: DataStore) => void | Promise<void>;
}

/**
 * A step refused because its session is held by another server now (its lease was taken while this
 * one paused): nothing of it was written. The writer's other steps are not affected.
 */
export class SessionLeaseLost extends Error {
  readonly code = 'session_lease_lost';
  constructor(readonly sessionId: string) {
    super(`session ${sessionId} is held by another server now: this server's write was not made`);
  }
}

interface Queued {
  id: string;
  step: SessionStep;
  resolve(): void;
  reject(error: unknown): void;
}

export class SessionStepWriter {
  private queue: Queued[] = [];
  private scheduled = false;
  /** The batch being written, if any. */
  private writing: Promise<void> | undefined;
  private readonly sqlite: SqliteSessionSteps | undefined;
  /**
   * Schedules the next batch in the writer's own async context: a step queued from inside another
   * transaction of the store must not have its batch join that transaction (which commits apart).
   */
  private readonly later: (fn: () => void) => void;

  /**
   * `lease` (PostgreSQL, several servers): every batch first renews this server's lease of its
   * sessions and locks their rows (`claimForWrite`); the steps of a session it no longer holds are
   * rejected with {@link SessionLeaseLost}, unwritten. A step inserting its session is held by definition.
   */
  constructor(
    private readonly store: DataStore,
    private readonly lease?: SessionLease,
  ) {
    this.sqlite = store.dialect === 'sqlite' ? new SqliteSessionSteps(store.db) : undefined;
    this.later = AsyncResource.bind((fn: () => void) => void setImmediate(fn));
  }

  /** Queues a step; resolves once it is committed. */
  write(id: string, step: SessionStep): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ id, step, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        this.later(() => void this.next());
      }
    });
  }

  /** Writes what is queued now and resolves once it is stored, and every batch before it (a server that stops). */
  async flush(): Promise<void> {
    await this.next();
  }

  /** Starts the next batch once the one being written is done; resolves when it is written. */
  private next(): Promise<void> {
    const run = (this.writing ?? Promise.resolve()).then(() => this.batch());
    this.writing = run;
    void run.finally(() => {
      if (this.writing === run) this.writing = undefined;
    });
    return run;
  }

  private async batch(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    let lost = new Set<Queued>();
    try {
      // SQLite, the common case: no other transaction open and no `alsoWrite` to wait for: the batch
      // is written at once, synchronously, in a transaction of its own (no promise per step).
      if (this.sqlite && !this.sqlite.busy && !batch.some((q) => q.step.alsoWrite)) this.sqlite.writeBatch(batch);
      else lost = await this.store.transaction((tx) => this.apply(tx, batch));
    } catch (error) {
      for (const q of batch) q.reject(error);
      return;
    }
    for (const q of batch) {
      if (lost.has(q)) q.reject(new SessionLeaseLost(q.id));
      else q.resolve();
    }
  }

  /** Writes the batch in `tx`; returns the steps not written because another server holds their session. */
  private async apply(tx: DataStore, batch: Queued[]): Promise<Set<Queued>> {
    const sqlite = this.sqlite;
    if (sqlite) {
      for (const q of batch) {
        // Rare (a session's end): awaited only when it is asynchronous.
        const also = q.step.alsoWrite?.(tx);
        if (also) await also;
        sqlite.apply(q.id, q.step);
      }
      return new Set();
    }
    let kept = batch;
    const lost = new Set<Queued>();
    if (this.lease) {
      // New sessions first (held by this server from their insert), then the claim of every session.
      const fresh = batch.filter((q) => q.step.session);
      if (fresh.length > 0) await writePgSessionSteps(tx, fresh.map((q) => ({ id: q.id, step: { session: q.step.session } })));
      const held = await claimForWrite(tx, [...new Set(batch.map((q) => q.id))], this.lease);
      kept = [];
      for (const q of batch) {
        if (held.has(q.id)) kept.push({ ...q, step: { ...q.step, session: undefined } });
        else lost.add(q);
      }
    }
    for (const q of kept) await q.step.alsoWrite?.(tx);
    await writePgSessionSteps(tx, kept);
    return lost;
  }
}
