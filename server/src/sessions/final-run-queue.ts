/**
 * The final runs of live sessions through the PostgreSQL queue (pg-boss, storage/pg-queue.ts): a session's
 * final run (the call's inspection) is the background work that must never be lost, so on PostgreSQL it is
 * a pg-boss job of its own queue ({@link FINAL_RUNS_QUEUE}), one per session (its id derived from the
 * session's), sent in the transaction that writes the session `ending` and deleted in the transaction that
 * writes it `ended` with its final run (live-session.ts `finish`).
 *
 * The job is a backstop, not the usual path: the holder makes the final run at once, and the job waits
 * (`startAfter`) about a lease. A worker on any server that fetches it (the holder died or stalled) runs
 * {@link FinalRunWork}: the manager takes the session if its lease ran out (one conditional update: one
 * server wins) and makes its final run, fenced by the session writer, so it is written once; a session
 * still held by a live server fails the job, which pg-boss retries after `retryDelay × 2^n` with jitter.
 * A session found `ended` (or gone) completes the job and does nothing. SQLite (one process) has none of
 * this: a server that starts makes the final runs of the sessions it finds ending.
 */
import { eq } from 'drizzle-orm';
import { loggableError } from '../storage/db-errors.js';
import type { DataStore } from '../storage/store.js';
import { bossDb, derivedJobId, type PgQueue } from '../storage/pg-queue.js';

export const FINAL_RUNS_QUEUE = 'mofang-session-final-runs';

/** Sessions whose job is made again per insert at start. */
const START_BATCH = 500;

/** The final-run job of a session as a session's transaction sees it (live-types.ts `SessionDeps.finalRuns`). */
export interface FinalRunJobs {
  /** Sends session `id`'s job in `tx` (the write of `ending`); a job already there is kept. */
  enqueueIn(tx: DataStore, id: string): Promise<void>;
  /** Deletes session `id`'s job in `tx` (the write of `ended` with its final run). */
  doneIn(tx: DataStore, id: string): Promise<void>;
}

/**
 * Makes the final run of ending session `id` on this server if no live server holds it. Resolves once it
 * is written `ended` (or found so); rejects (the job is retried) while another server holds it or when
 * the final run could not be written.
 */
export type FinalRunWork = (id: string) => Promise<void>;

/** The queue id of session `id`'s final run: the same on every server. */
export function finalRunJobId(id: string): string {
  return derivedJobId(`final-run:${id}`);
}

export interface FinalRunQueueOptions {
  /** The sessions' lease, ms: a job waits about this long (whole seconds, plus one) before any worker may fetch it. */
  leaseMs: number;
  /** The deadline of one final run, ms: a fetched job expires (and is retried) after it plus 30 s. */
  deadlineMs: number;
  /** How often this server's worker looks for due jobs, s (default 2; at least 0.5). */
  pollSeconds?: number;
}

export class FinalRunQueue implements FinalRunJobs {
  private starting: Promise<void> | undefined;
  private worker: Promise<string> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly queue: PgQueue,
    private readonly options: FinalRunQueueOptions,
  ) {}

  /** Starts pg-boss (if the JobService has not) and makes the queue; idempotent. */
  ready(): Promise<void> {
    this.starting ??= this.queue
      .start()
      .then(() => this.queue.createQueue(FINAL_RUNS_QUEUE))
      .catch((error: unknown) => {
        // Tried again by the next call (the database unreachable for a moment).
        this.starting = undefined;
        throw error;
      });
    return this.starting;
  }

  /** The job row of session `id`: due after about a lease, expiring after the run deadline, retried with backoff. */
  private row(id: string) {
    const leaseSeconds = Math.ceil(this.options.leaseMs / 1000);
    return {
      id: finalRunJobId(id),
      name: FINAL_RUNS_QUEUE,
      data: { sessionId: id },
      startAfter: String(leaseSeconds + 1),
      expireInSeconds: Math.ceil(this.options.deadlineMs / 1000) + 30,
      retryLimit: 10,
      retryDelay: leaseSeconds,
      retryBackoff: true,
    };
  }

  async enqueueIn(tx: DataStore, id: string): Promise<void> {
    await this.ready();
    await this.queue.boss.insert([this.row(id)], { db: bossDb(tx) });
  }

  async doneIn(tx: DataStore, id: string): Promise<void> {
    await this.ready();
    await this.queue.boss.deleteJob(FINAL_RUNS_QUEUE, finalRunJobId(id), { db: bossDb(tx) });
  }

  /**
   * Gives every ending session a job it lacks: none (made before the queue existed, copied in by `mofang
   * migrate-store`, or deleted), or one that ended without the session ending (its retries ran out, or
   * archived): ended ones are removed and made again. Ids are derived from the sessions', so servers doing
   * it together store each once. Resolves with how many ending sessions it looked at.
   */
  async requeue(store: DataStore): Promise<number> {
    await this.ready();
    const s = store.t.callSessions;
    const ending = (await store.db.select({ id: s.id }).from(s).where(eq(s.status, 'ending'))).map((r) => r.id);
    for (let i = 0; i < ending.length && !this.closed; i += START_BATCH) {
      await this.queue.insertAgain(FINAL_RUNS_QUEUE, ending.slice(i, i + START_BATCH).map((id) => this.row(id)));
    }
    return ending.length;
  }

  /**
   * Gives the ending sessions their jobs ({@link requeue}), starts this server's worker (which runs `work`),
   * and does the requeue again every `everyMs` (default the lease, at least 5 s), so a session whose job
   * was lost is not left `ending` until a server starts. A start that fails (the database unreachable) is
   * logged and tried again after `everyMs`.
   */
  start(store: DataStore, work: FinalRunWork, everyMs = Math.max(5_000, this.options.leaseMs)): void {
    const tick = async () => {
      if (this.closed) return;
      try {
        await this.requeue(store);
        if (this.closed) return;
        this.worker ??= this.queue.boss.work<{ sessionId: string }>(FINAL_RUNS_QUEUE, { batchSize: 1, pollingIntervalSeconds: this.options.pollSeconds ?? 2 }, async ([job]) => {
          if (job) await work(job.data.sessionId);
        });
        await this.worker;
      } catch (error) {
        this.worker = undefined;
        console.error('[mofang] live sessions: the final-run queue (jobs of ending sessions, its worker) failed; trying again:', loggableError(error));
      }
    };
    void tick();
    this.timer = setInterval(() => void tick(), everyMs);
    this.timer.unref();
  }

  /** Stops this server's worker (a job it holds is retried after its expiry); nothing more is started. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    if (this.worker) await this.queue.boss.offWork(FINAL_RUNS_QUEUE).catch((error: unknown) => console.error('[mofang] live sessions: stopping the final-run worker failed:', loggableError(error)));
  }
}
