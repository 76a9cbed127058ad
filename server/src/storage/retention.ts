/**
 * Retention of stored transcripts (`MOFANG_TRANSCRIPT_RETENTION_DAYS`): runs (test, API, CLI and job
 * items' runs) and job items older than the period lose what holds the customer's words — a run's
 * inputs and its events (the trace: node inputs and outputs, prompts, raw model replies), a job item's
 * inputs — while their outputs, errors, scores, usage and times stay for the dashboard and the metrics.
 * Each cleared run or job is stamped `redacted_at`, so the UI can say why the transcript is gone.
 *
 * Runs are cleared a chunk at a time through the `(kind, created_at)` index; a job's items are cleared
 * together once the job has ended and was created before the cutoff. A timer sweeps every
 * `intervalMs` (10 minutes by default) and soon after start; the clock is injected for tests.
 */
import { loggableMessage } from './db-errors.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { and, eq, exists, gt, gte, inArray, isNull, lt, lte, max, ne, or, sql } from 'drizzle-orm';
import type { DataStore } from './store.js';

const DAY_MS = 86_400_000;
/** Rows changed per statement, so one sweep never holds the event loop (or the write lock) for long. */
const CHUNK = 500;
const RUN_KINDS = ['test', 'api', 'cli', 'job'] as const;

export interface TranscriptRetentionOptions {
  /** Transcripts older than this many days are cleared. */
  days: number;
  /** Sweep period in ms (default 10 minutes); the first sweep runs a second after start. */
  intervalMs?: number;
  now?: () => number;
}

/** What one sweep cleared. */
export interface SweepResult {
  runs: number;
  jobs: number;
  /** Ended live call sessions whose turns and stream were deleted. */
  sessions: number;
}

/**
 * The sweeper; {@link sweep} can be called directly (tests, the CLI), `start` runs it on a timer. Several
 * servers over one PostgreSQL database may sweep at once: every change is idempotent (a cleared row is
 * not picked again), so they only share the work.
 */
export class TranscriptRetention {
  private readonly retentionMs: number;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private timers: NodeJS.Timeout[] = [];
  /** Runs created before this were all swept by an earlier sweep of this process. */
  private sweptBefore = 0;
  private sweeping: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly store: DataStore,
    options: TranscriptRetentionOptions,
  ) {
    if (!Number.isInteger(options.days) || options.days < 1) throw new RangeError(`transcript retention must be a whole number of days, at least 1 (got ${options.days})`);
    this.retentionMs = options.days * DAY_MS;
    this.intervalMs = options.intervalMs ?? 600_000;
    this.now = options.now ?? Date.now;
  }

  /** Starts the timer (idempotent); the process may exit while it waits. */
  start(): void {
    if (this.timers.length > 0) return;
    this.stopped = false;
    const tick = () => {
      if (this.sweeping) return;
      this.sweeping = this.sweep()
        .catch((error: unknown) => {
          console.error('[mofang] clearing old transcripts failed:', loggableMessage(error));
        })
        .finally(() => {
          this.sweeping = undefined;
        });
    };
    const first = setTimeout(tick, 1000);
    const every = setInterval(tick, this.intervalMs);
    first.unref();
    every.unref();
    this.timers = [first, every];
  }

  /** Stops the timer; resolves once a sweep under way has stopped (it stops between chunks). */
  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    this.stopped = true;
    await this.sweeping;
  }

  /**
   * Clears every transcript past the retention period now; resolves to how many runs and jobs it
   * cleared. The event loop turns between chunks, so requests are answered meanwhile.
   */
  async sweep(): Promise<SweepResult> {
    const at = this.now();
    const cutoff = at - this.retentionMs;
    const runs = await this.sweepRuns(cutoff, at);
    const jobs = await this.sweepJobs(cutoff, at);
    // The review queue keeps a copy of each chosen result's inputs: cleared with the runs'.
    const { db, t } = this.store;
    await db.update(t.reviewItems).set({ inputs: null, redactedAt: at }).where(and(lt(t.reviewItems.createdAt, cutoff), isNull(t.reviewItems.redactedAt)));
    const sessions = await this.sweepSessions(cutoff);
    return { runs, jobs, sessions };
  }

  /**
   * Live call sessions ended before the cutoff lose their turns and their stored stream (the customer's
   * words, as said and as the updates read them); the session row keeps its outputs, alerts and figures.
   */
  private async sweepSessions(cutoff: number): Promise<number> {
    const { db, t } = this.store;
    const { callSessions: s, callSessionTurns: turns, callSessionEvents: events } = t;
    let total = 0;
    for (;;) {
      const held = or(exists(db.select({ one: turns.sessionId }).from(turns).where(eq(turns.sessionId, s.id))), exists(db.select({ one: events.sessionId }).from(events).where(eq(events.sessionId, s.id))));
      const ids = (await db.select({ id: s.id }).from(s).where(and(eq(s.status, 'ended'), lt(s.endedAt, cutoff), held)).limit(CHUNK)).map((r) => r.id);
      if (ids.length === 0) return total;
      await this.store.transaction(async (tx) => {
        await tx.db.delete(turns).where(inArray(turns.sessionId, ids));
        await tx.db.delete(events).where(inArray(events.sessionId, ids));
        await tx.db.update(s).set({ inputs: null }).where(inArray(s.id, ids));
      });
      total += ids.length;
      if (ids.length < CHUNK) return total;
      await nextTurn();
      if (this.stopped) return total;
    }
  }

  private async sweepRuns(cutoff: number, at: number): Promise<number> {
    const { db, t } = this.store;
    const { runs, runEvents } = t;
    let total = 0;
    for (const kind of RUN_KINDS) {
      for (;;) {
        const due = and(eq(runs.kind, kind), gte(runs.createdAt, this.sweptBefore), lt(runs.createdAt, cutoff), isNull(runs.redactedAt), ne(runs.status, 'running'));
        const ids = (await db.select({ id: runs.id }).from(runs).where(due).limit(CHUNK)).map((r) => r.id);
        if (ids.length === 0) break;
        await this.store.transaction(async (tx) => {
          await tx.db.update(runs).set({ inputs: null, events: [], redactedAt: at }).where(inArray(runs.id, ids));
          // Runs written before `runs.events` existed keep their events here.
          await tx.db.delete(runEvents).where(inArray(runEvents.runId, ids));
        });
        total += ids.length;
        if (ids.length < CHUNK) break;
        await nextTurn();
        if (this.stopped) return total;
      }
    }
    // A run still going at the cutoff is left for the next process start (runs end within minutes).
    this.sweptBefore = cutoff;
    return total;
  }

  private async sweepJobs(cutoff: number, at: number): Promise<number> {
    const { db, t } = this.store;
    const { jobs, jobItems } = t;
    const last = db.select({ last: max(jobItems.seq) }).from(jobItems).where(eq(jobItems.jobId, jobs.id));
    const due = await db
      .select({ id: jobs.id, last: sql<number | null>`(${last})` })
      .from(jobs)
      .where(and(lt(jobs.createdAt, cutoff), isNull(jobs.redactedAt), inArray(jobs.status, ['completed', 'cancelled'])));
    let done = 0;
    for (const job of due) {
      const lastSeq = job.last === null ? 0 : Number(job.last);
      // By ranges of the primary key (job_id, seq): each item is read once.
      for (let from = 0; from < lastSeq; from += CHUNK) {
        await db.update(jobItems).set({ inputs: 'null' }).where(and(eq(jobItems.jobId, job.id), gt(jobItems.seq, from), lte(jobItems.seq, from + CHUNK)));
        await nextTurn();
        if (this.stopped) return done;
      }
      await db.update(jobs).set({ redactedAt: at }).where(eq(jobs.id, job.id));
      done++;
    }
    return done;
  }
}
