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
import { parseJson } from '@shared/json.js';
import { Worker } from 'node:worker_threads';
import type { RunError, RunEvent } from '@shared/events.js';
import type { Usage } from '@shared/usage.js';
import { describeBreach, LIMIT_CODES, LIMIT_SETTINGS } from '@shared/limits.js';
import { jsonLimits } from '../limits.js';
import type { Db } from './db.js';
import { createRunWriter, expandEvents, failedRunError, toRow, type RunRow, type RunWriteCheck } from './run-log-rows.mjs';
import { sqliteOf } from './sqlite.js';

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
const WORKER_URL = new URL('./run-log-worker.mjs', import.meta.url);
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

/** The write-behind queue; `close()` writes whatever is left. */
export class RunLog {
  private queue: ApiRunRecord[] = [];
  private readonly byId = new Map<string, ApiRunRecord>();
  private readonly flushTimer: NodeJS.Timeout;
  private readonly pruneTimer: NodeJS.Timeout;
  private flushScheduled = false;
  private closed = false;
  private readonly maxBatch: number;
  private readonly retentionMs: number;
  private readonly retentionRows: number;
  private readonly now: () => number;
  private readonly check: RunWriteCheck;
  private readonly writeBatch: (rows: readonly RunRow[]) => void;
  private readonly sqlite: ReturnType<typeof sqliteOf>;
  private worker: Worker | undefined;
  private workerClosed: Promise<void> | undefined;

  constructor(db: Db, options: RunLogOptions = {}) {
    this.maxBatch = options.maxBatch ?? 500;
    this.retentionMs = (options.retentionDays ?? 30) * DAY_MS;
    this.retentionRows = options.retentionRows ?? 1_000_000;
    this.now = options.now ?? Date.now;
    const sqlite = sqliteOf(db);
    this.sqlite = sqlite;
    this.check = runWriteCheck();
    this.writeBatch = createRunWriter(sqlite, this.check);
    if (options.worker && sqlite.name !== ':memory:' && !sqlite.memory) this.startWorker(sqlite.name, this.check);
    this.flushTimer = setInterval(() => this.flush(), options.flushIntervalMs ?? 50);
    this.flushTimer.unref();
    this.pruneTimer = setInterval(() => this.prune(), options.pruneIntervalMs ?? 600_000);
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
   * the session's end), not a moment later as queued runs are.
   */
  write(run: ApiRunRecord): void {
    this.writeBatch([toRow(run, this.check)]);
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
   * Writes every queued run in one transaction (handed to the worker when there is one). The runs'
   * values become JSON text here: the worker gets flat rows of text, which cost less to hand over than
   * the runs' object trees did to clone, and which it stores as they are.
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
    if (this.worker) {
      // Records stay readable through `pending` until the worker says they are committed.
      this.worker.postMessage({ type: 'batch', rows });
      return;
    }
    try {
      this.writeBatch(rows);
    } catch (error) {
      console.error(`[mofang] ${batch.length} API runs not logged:`, error instanceof Error ? error.message : String(error));
    } finally {
      for (const r of batch) this.byId.delete(r.id);
    }
  }

  /** Deletes API runs (and their events) older than the retention period or beyond the row cap. */
  prune(): number {
    if (this.closed) return 0;
    try {
      return this.pruneOld();
    } catch (error) {
      console.error('[mofang] pruning API runs failed:', error instanceof Error ? error.message : String(error));
      return 0;
    }
  }

  /** Stops the timers and writes what is queued; resolves once the writer has committed it. Idempotent. */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      clearInterval(this.flushTimer);
      clearInterval(this.pruneTimer);
      this.flush();
      const worker = this.worker;
      if (worker) {
        this.workerClosed = new Promise<void>((resolve) => {
          worker.once('exit', () => resolve());
          worker.on('message', (m: unknown) => {
            if (typeof m === 'object' && m !== null && 'type' in m && m.type === 'closed') void worker.terminate();
          });
          worker.postMessage({ type: 'close' });
        });
      }
    }
    return this.workerClosed ?? Promise.resolve();
  }

  private startWorker(file: string, check: RunWriteCheck): void {
    const worker = new Worker(WORKER_URL, { workerData: { file, check } });
    worker.unref();
    worker.on('message', (m: unknown) => {
      if (typeof m !== 'object' || m === null || !('ids' in m) || !Array.isArray(m.ids)) return;
      for (const id of m.ids) if (typeof id === 'string') this.byId.delete(id);
    });
    worker.on('error', (error) => {
      // Fall back to writing on this thread; what the worker had not committed is lost, and said so.
      console.error('[mofang] run log writer failed, writing on the main thread from now on:', error.message);
      this.worker = undefined;
      this.byId.clear();
      for (const r of this.queue) this.byId.set(r.id, r);
    });
    this.worker = worker;
  }

  private pruneOld(): number {
    const sqlite = this.sqlite;
    let cutoff = this.now() - this.retentionMs;
    const nth = sqlite
      .prepare("select created_at as at from runs where kind in ('api', 'job') order by created_at desc limit 1 offset ?")
      .get(this.retentionRows);
    if (nth && typeof nth === 'object' && 'at' in nth && typeof nth.at === 'number') cutoff = Math.max(cutoff, nth.at + 1);
    const del = sqlite.prepare(`delete from runs where id in (select id from runs where kind in ('api', 'job') and created_at < ? limit ${PRUNE_CHUNK})`);
    let total = 0;
    for (;;) {
      const changes = del.run(cutoff).changes;
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

/** A stored JSON column: null when empty (or, for a damaged row, not JSON). */
function jsonColumn(text: unknown): unknown {
  return parseJson(text) ?? null;
}

/** The events of a run written before `runs.events` existed: one `run_events` row each, in order. */
export function oldLayoutEvents(db: Db, runId: string): unknown[] {
  return sqliteOf(db)
    .prepare('select data from run_events where run_id = ? order by seq')
    .all(runId)
    .map((e) => (typeof e === 'object' && e !== null && 'data' in e ? jsonColumn(e.data) : null));
}

/** An API or job-item run from the database (not the queue), or undefined. */
export function getStoredApiRun(db: Db, id: string): StoredApiRun | undefined {
  const row: unknown = sqliteOf(db)
    .prepare(
      `select r.id, s.slug, r.version, r.status, r.inputs, r.outputs, r.error, r.usage, r.latency_ms, r.model, r.api_key_id, r.created_at, r.finished_at, r.events
       from runs r join scenarios s on s.id = r.scenario_id where r.id = ? and r.kind in ('api', 'job')`,
    )
    .get(id);
  if (typeof row !== 'object' || row === null || !('id' in row) || !('slug' in row) || typeof row.slug !== 'string') return undefined;
  const num = (key: string): number | null => {
    const v: unknown = key in row ? Reflect.get(row, key) : null;
    return typeof v === 'number' ? v : null;
  };
  const status = 'status' in row && (row.status === 'running' || row.status === 'succeeded' || row.status === 'failed') ? row.status : 'failed';
  const inputs = jsonColumn('inputs' in row ? row.inputs : null);
  const outputs = jsonColumn('outputs' in row ? row.outputs : null);
  const usage = jsonColumn('usage' in row ? row.usage : null);
  const events = 'events' in row && typeof row.events === 'string' ? expandEvents(parseJson(row.events), { id, inputs, outputs, usage }) : oldLayoutEvents(db, id);
  return {
    id,
    slug: row.slug,
    version: num('version'),
    status,
    inputs,
    outputs,
    error: jsonColumn('error' in row ? row.error : null),
    usage,
    latencyMs: num('latency_ms'),
    model: 'model' in row && typeof row.model === 'string' ? row.model : null,
    apiKeyId: 'api_key_id' in row && typeof row.api_key_id === 'string' ? row.api_key_id : null,
    createdAt: num('created_at') ?? 0,
    finishedAt: num('finished_at'),
    events,
  };
}
