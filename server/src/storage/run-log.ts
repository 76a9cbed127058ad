/**
 * Write-behind log of API runs and job items' runs. A run is queued in memory when it ends and written,
 * as one `runs` row holding its events, in one transaction every ~50 ms or every 500 runs, so the
 * request path never waits for the disk. The writer checks each run (run-log-rows.mjs): one past the
 * limits, or one JSON cannot write, is stored failed saying why. With `worker: true` the writes happen
 * on a worker thread with its own connection (the request thread only hands the rows over); otherwise
 * on this thread. Queued runs can be read back until they are committed (`pending`). Old API runs are
 * pruned by age and by count on a timer. Runs written before `runs.events` existed keep their events
 * in `run_events`, where the readers still find them.
 */
import { loggableMessage } from './db-errors.js';
import { and, asc, desc, eq, inArray, lt } from 'drizzle-orm';
import type { RunError, RunEvent } from '@shared/events.js';
import type { Usage } from '@shared/usage.js';
import { describeBreach, LIMIT_CODES, LIMIT_SETTINGS } from '@shared/limits.js';
import { jsonLimits } from '../limits.js';
import { insertRunRows, postgresRunWriter } from './pg/run-log-pg.js';
import { expandEvents, failedRunError, toRow, type RunWriteCheck } from './run-log-rows.mjs';
import { sqliteRunWriter } from './run-log-sqlite.js';
import type { RunWriter } from './run-log-writer.js';
import type { DataStore } from './store.js';

/** One finished API run, or a run of a job item, as it will be stored. */
export interface ApiRunRecord {
  id: string;
  /** `job` for a job item's run (its key is the job's owner); `api` when absent. */
  kind?: 'api' | 'job';
  scenarioId: string;
  /** The scenario's slug, for lookups before the row is written. */
  slug: string;
  /** The published version run; null for a job item of a frozen draft. */
  version: number | null;
  /** The key that made the run (a job item's: its job's key); null for a job a user submitted in the UI. */
  apiKeyId: string | null;
  inputs: unknown;
  status: 'succeeded' | 'failed';
  outputs?: unknown;
  error?: RunError;
  usage: Usage;
  latencyMs: number;
  model: string;
  events: RunEvent[];
  createdAt: number;
  finishedAt: number;
}

export interface RunLogOptions {
  /** Flush period in ms (default 50). */
  flushIntervalMs?: number;
  /** Queue length that triggers a flush before the period is up (default 500). */
  maxBatch?: number;
  /** API runs older than this many days are pruned (default 30). */
  retentionDays?: number;
  /** At most this many API runs are kept (default 1 000 000). */
  retentionRows?: number;
  /** Prune period in ms (default 10 minutes); the first prune runs soon after start. */
  pruneIntervalMs?: number;
  /** Write on a worker thread (needs a file-backed store; default false). */
  worker?: boolean;
  now?: () => number;
}

const DAY_MS = 86_400_000;
/** Rows deleted per statement while pruning, so one prune never holds the event loop for long. */
const PRUNE_CHUNK = 2000;

/**
 * What the writer checks a run against: the JSON limits, looser than at the boundaries (which every part
 * of the run has passed: events nest values a few levels deeper and repeat them), and the message each
 * breach leaves on the failed run. Read when the log starts: the limits are set once, at start.
 */
export function runWriteCheck(): RunWriteCheck {
  const limits = jsonLimits();
  const depth = limits.depth + 16;
  const totalBytes = limits.totalBytes * 4;
  const breach = (kind: 'depth' | 'totalBytes', path: string, limit: number): string =>
    describeBreach({ kind, code: LIMIT_CODES[kind], path, limit, setting: LIMIT_SETTINGS[kind] }, 'run');
  return {
    depth,
    totalBytes,
    messages: {
      depth: { inputs: breach('depth', 'inputs', depth), outputs: breach('depth', 'outputs', depth), error: breach('depth', 'error', depth), usage: breach('depth', 'usage', depth), events: breach('depth', 'events', depth) },
      totalBytes: breach('totalBytes', '', totalBytes),
    },
  };
}

/**
 * The write-behind queue; `close()` writes whatever is left. On SQLite the batches go to a worker
 * thread (`worker: true`) or are written on this thread; on PostgreSQL they are inserted on the pool,
 * one batch after another (./pg/run-log-pg.ts). Several servers over one PostgreSQL database each
 * keep their own queue; `pending` answers for this server's runs only, the database for the rest.
 */
export class RunLog {
  private queue: ApiRunRecord[] = [];
  private readonly byId = new Map<string, ApiRunRecord>();
  private readonly flushTimer: NodeJS.Timeout;
  private readonly pruneTimer: NodeJS.Timeout;
  private flushScheduled = false;
  private closed: Promise<void> | undefined;
  private pruning: Promise<number> | undefined;
  private readonly maxBatch: number;
  private readonly retentionMs: number;
  private readonly retentionRows: number;
  private readonly now: () => number;
  private readonly check: RunWriteCheck;
  private readonly writer: RunWriter;
  private readonly sqliteWriteNow: ((rows: ReturnType<typeof toRow>[]) => void) | undefined;

  constructor(
    private readonly store: DataStore,
    options: RunLogOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.retentionMs = (options.retentionDays ?? 30) * DAY_MS;
    this.retentionRows = options.retentionRows ?? 1_000_000;
    this.now = options.now ?? Date.now;
    this.check = runWriteCheck();
    const written = (ids: string[]) => {
      for (const id of ids) this.byId.delete(id);
    };
    if (store.dialect === 'sqlite') {
      const lost = () => {
        this.byId.clear();
        for (const r of this.queue) this.byId.set(r.id, r);
      };
      const writer = sqliteRunWriter(store.db, this.check, { worker: options.worker ?? false, onWritten: written, onWorkerLost: lost });
      this.writer = writer;
      this.sqliteWriteNow = (rows) => writer.writeNow(rows);
    } else {
      this.writer = postgresRunWriter(store, this.check, written);
    }
    this.flushTimer = setInterval(() => this.flush(), options.flushIntervalMs ?? 50);
    this.flushTimer.unref();
    this.pruneTimer = setInterval(() => void this.prune(), options.pruneIntervalMs ?? 600_000);
    this.pruneTimer.unref();
  }

  /** Queues a finished run; a full queue is flushed on the next turn of the event loop. */
  add(run: ApiRunRecord): void {
    if (this.closed) return;
    // Checked by the writer, not here: this is the thread that answers requests.
    this.queue.push(run);
    this.byId.set(run.id, run);
    if (this.queue.length >= this.maxBatch && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /**
   * Writes one run now, on this thread, in the caller's transaction when there is one (a savepoint): for a
   * run whose record must be in the store together with another write (a live session's final run and
   * the session's end), not a moment later as queued runs are. SQLite only (synchronous); see {@link writeIn}.
   */
  write(run: ApiRunRecord): void {
    if (!this.sqliteWriteNow) throw new Error('RunLog.write is synchronous, SQLite only: use writeIn(tx, run)');
    this.sqliteWriteNow([toRow(run, this.check)]);
  }

  /** {@link write} on either store: the run is written in `tx`, the transaction of the other write. */
  async writeIn(tx: DataStore, run: ApiRunRecord): Promise<void> {
    if (tx.dialect === 'sqlite') return this.write(run);
    await insertRunRows(tx, [toRow(run, this.check)], this.check);
  }

  /** A queued run that is not written yet. */
  pending(id: string): ApiRunRecord | undefined {
    return this.byId.get(id);
  }

  /** How many runs wait to be written. */
  get size(): number {
    return this.queue.length;
  }

  /**
   * Hands every queued run to the writer, to be written in one transaction. The runs' values become
   * JSON text here: the worker gets flat rows of text, which cost less to hand over than the runs'
   * object trees did to clone, and which it stores as they are.
   */
  flush(): void {
    this.flushScheduled = false;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    const rows = batch.map((r) => toRow(r, this.check));
    for (let i = 0; i < rows.length; i++) {
      const reason = rows[i].unwritable;
      // Read back until written as what it will be: a failed run that says why, without its values.
      if (reason !== null) this.byId.set(batch[i].id, { ...batch[i], status: 'failed', inputs: null, outputs: undefined, events: [], error: failedRunError(reason) });
    }
    // Records stay readable through `pending` until the writer says they are committed.
    this.writer.submit(rows);
  }

  /** Deletes API runs (and their events) older than the retention period or beyond the row cap; resolves with how many. */
  prune(): Promise<number> {
    if (this.closed) return Promise.resolve(0);
    this.pruning ??= this.pruneOld()
      .catch((error: unknown) => {
        console.error('[mofang] pruning API runs failed:', loggableMessage(error));
        return 0;
      })
      .finally(() => {
        this.pruning = undefined;
      });
    return this.pruning;
  }

  /** Stops the timers and writes what is queued; resolves once the writer has committed it. Idempotent. */
  close(): Promise<void> {
    if (!this.closed) {
      clearInterval(this.flushTimer);
      clearInterval(this.pruneTimer);
      this.flush();
      this.closed = Promise.all([this.writer.close(), this.pruning]).then(() => undefined);
    }
    return this.closed;
  }

  private async pruneOld(): Promise<number> {
    const { db, t } = this.store;
    const { runs } = t;
    const logged = inArray(runs.kind, ['api', 'job']);
    let cutoff = this.now() - this.retentionMs;
    const [nth] = await db.select({ at: runs.createdAt }).from(runs).where(logged).orderBy(desc(runs.createdAt)).limit(1).offset(this.retentionRows);
    if (nth) cutoff = Math.max(cutoff, nth.at + 1);
    let total = 0;
    for (;;) {
      const chunk = db.select({ id: runs.id }).from(runs).where(and(logged, lt(runs.createdAt, cutoff))).limit(PRUNE_CHUNK);
      const changes = (await db.delete(runs).where(inArray(runs.id, chunk)).returning({ id: runs.id })).length;
      total += changes;
      if (changes < PRUNE_CHUNK) return total;
    }
  }
}

/** A stored API run with its scenario's slug and its events, as `GET /v1/runs/{id}` needs it. */
export interface StoredApiRun {
  id: string;
  slug: string;
  version: number | null;
  status: 'running' | 'succeeded' | 'failed';
  inputs: unknown;
  outputs: unknown;
  error: unknown;
  usage: unknown;
  latencyMs: number | null;
  model: string | null;
  /** The API key that made the run (its job's key for a job item); null if none is recorded. */
  apiKeyId: string | null;
  createdAt: number;
  finishedAt: number | null;
  events: unknown[];
}

/** The events of a run written before `runs.events` existed: one `run_events` row each, in order. */
export async function oldLayoutEvents(store: DataStore, runId: string): Promise<unknown[]> {
  const { db, t } = store;
  const rows = await db.select({ data: t.runEvents.data }).from(t.runEvents).where(eq(t.runEvents.runId, runId)).orderBy(asc(t.runEvents.seq));
  return rows.map((e) => e.data ?? null);
}

/** An API or job-item run from the database (not the queue), or undefined. */
export async function getStoredApiRun(store: DataStore, id: string): Promise<StoredApiRun | undefined> {
  const { db, t } = store;
  const { runs, scenarios } = t;
  const [row] = await db
    .select({ run: runs, slug: scenarios.slug })
    .from(runs)
    .innerJoin(scenarios, eq(scenarios.id, runs.scenarioId))
    .where(and(eq(runs.id, id), inArray(runs.kind, ['api', 'job'])))
    .limit(1);
  if (!row || typeof row.slug !== 'string') return undefined;
  const r = row.run;
  const inputs = r.inputs ?? null;
  const outputs = r.outputs ?? null;
  const usage = r.usage ?? null;
  // Damaged `events` text reads as null, like a run of the old layout, whose events are in `run_events`.
  const events = r.events !== null ? expandEvents(r.events, { id, inputs, outputs, usage }) : await oldLayoutEvents(store, id);
  return {
    id,
    slug: row.slug,
    version: r.version,
    status: r.status,
    inputs,
    outputs,
    error: r.error ?? null,
    usage,
    latencyMs: r.latencyMs,
    model: r.model,
    apiKeyId: r.apiKeyId,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
    events,
  };
}
