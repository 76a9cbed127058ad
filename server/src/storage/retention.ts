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
import { setImmediate as nextTurn } from 'node:timers/promises';
import { writeTransactionRaw, type Db } from './db.js';
import { sqliteOf } from './sqlite.js';

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

/** The sweeper; {@link sweep} can be called directly (tests, the CLI), `start` runs it on a timer. */
export class TranscriptRetention {
  private readonly sqlite: ReturnType<typeof sqliteOf>;
  private readonly retentionMs: number;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private timers: NodeJS.Timeout[] = [];
  /** Runs created before this were all swept by an earlier sweep of this process. */
  private sweptBefore = 0;
  private sweeping: Promise<unknown> | undefined;
  private stopped = false;

  constructor(db: Db, options: TranscriptRetentionOptions) {
    if (!Number.isInteger(options.days) || options.days < 1) throw new RangeError(`transcript retention must be a whole number of days, at least 1 (got ${options.days})`);
    this.sqlite = sqliteOf(db);
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
          console.error('[mofang] clearing old transcripts failed:', error instanceof Error ? error.message : String(error));
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
    writeTransactionRaw(this.sqlite, () => this.sqlite.prepare('update review_items set inputs = null, redacted_at = ? where created_at < ? and redacted_at is null').run(at, cutoff));
    const sessions = await this.sweepSessions(cutoff);
    return { runs, jobs, sessions };
  }

  /**
   * Live call sessions ended before the cutoff lose their turns and their stored stream (the customer's
   * words, as said and as the updates read them); the session row keeps its outputs, alerts and figures.
   */
  private async sweepSessions(cutoff: number): Promise<number> {
    const sql = this.sqlite;
    const pick = sql.prepare(`select id from call_sessions where status = 'ended' and ended_at < ? and (exists (select 1 from call_session_turns t where t.session_id = call_sessions.id) or exists (select 1 from call_session_events e where e.session_id = call_sessions.id)) limit ${CHUNK}`);
    const turns = sql.prepare('delete from call_session_turns where session_id = ?');
    const events = sql.prepare('delete from call_session_events where session_id = ?');
    const inputs = sql.prepare('update call_sessions set inputs = null where id = ?');
    let total = 0;
    for (;;) {
      const ids = pick.all(cutoff).flatMap((r) => (typeof r === 'object' && r !== null && 'id' in r && typeof r.id === 'string' ? [r.id] : []));
      if (ids.length === 0) return total;
      writeTransactionRaw(sql, () => {
        for (const id of ids) {
          turns.run(id);
          events.run(id);
          inputs.run(id);
        }
      });
      total += ids.length;
      if (ids.length < CHUNK) return total;
      await nextTurn();
      if (this.stopped) return total;
    }
  }

  private async sweepRuns(cutoff: number, at: number): Promise<number> {
    const sql = this.sqlite;
    const pick = sql.prepare(`select id from runs where kind = ? and created_at >= ? and created_at < ? and redacted_at is null and status != 'running' limit ${CHUNK}`);
    const clear = sql.prepare(`update runs set inputs = null, events = '[]', redacted_at = ? where id = ?`);
    // Runs written before `runs.events` existed keep their events here.
    const oldEvents = sql.prepare('delete from run_events where run_id = ?');
    let total = 0;
    for (const kind of RUN_KINDS) {
      for (;;) {
        const ids = pick.all(kind, this.sweptBefore, cutoff).flatMap((r) => (typeof r === 'object' && r !== null && 'id' in r && typeof r.id === 'string' ? [r.id] : []));
        if (ids.length === 0) break;
        writeTransactionRaw(sql, () => {
          for (const id of ids) {
            clear.run(at, id);
            oldEvents.run(id);
          }
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
    const sql = this.sqlite;
    const jobs = sql
      .prepare(`select id, (select max(seq) from job_items where job_id = jobs.id) as last from jobs where created_at < ? and redacted_at is null and status in ('completed', 'cancelled')`)
      .all(cutoff)
      .flatMap((r) => (typeof r === 'object' && r !== null && 'id' in r && typeof r.id === 'string' ? [{ id: r.id, last: 'last' in r && typeof r.last === 'number' ? r.last : 0 }] : []));
    const clearItems = sql.prepare(`update job_items set inputs = 'null' where job_id = ? and seq > ? and seq <= ?`);
    const mark = sql.prepare('update jobs set redacted_at = ? where id = ?');
    let done = 0;
    for (const job of jobs) {
      // By ranges of the primary key (job_id, seq): each item is read once.
      for (let from = 0; from < job.last; from += CHUNK) {
        writeTransactionRaw(sql, () => clearItems.run(job.id, from, from + CHUNK));
        await nextTurn();
        if (this.stopped) return done;
      }
      mark.run(at, job.id);
      done++;
    }
    return done;
  }
}
