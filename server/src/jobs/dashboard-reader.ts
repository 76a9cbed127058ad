/**
 * Where the dashboard's SQL runs. SQLite: on a worker thread with its own read-only connection when the
 * store is a file (aggregating a big job takes seconds of json_each, which must not stall live runs or the
 * job runner), or inline for an in-memory store; the worker starts on first use and stops when idle.
 * PostgreSQL: on the pool, each read in one read-only repeatable-read transaction (one snapshot), after
 * storing the extraction of the outputs not extracted yet (./dashboard-sql.ts `fill`).
 */
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { sql, type SQL } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { loggableMessage } from '../storage/db-errors.js';
import { rawRows } from '../storage/dialect-sql.js';
import type { DataStore } from '../storage/store.js';

/** Rows of each query, in order, read from one snapshot. */
export type SqlReader = (queries: SQL[]) => Promise<Array<Array<Record<string, unknown>>>>;

/** A statement's text and its parameters, as the reader thread takes them. */
interface Query {
  sql: string;
  params: unknown[];
}

const dialect = new SQLiteSyncDialect();

function compiled(queries: SQL[]): Query[] {
  return queries.map((q) => {
    const { sql, params } = dialect.sqlToQuery(q);
    return { sql, params };
  });
}

const WORKER_URL = new URL('./dashboard-worker.mjs', import.meta.url);

/** How long an idle worker stays up. */
const IDLE_MS = 30_000;

function records(rows: unknown): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  if (Array.isArray(rows)) for (const r of rows) if (typeof r === 'object' && r !== null) out.push({ ...r });
  return out;
}

function inline(sqlite: Database.Database): SqlReader {
  return async (queries) => {
    const list = compiled(queries);
    return sqlite.transaction(() => list.map((q) => records(sqlite.prepare(q.sql).all(q.params))))();
  };
}

function isReply(value: unknown): value is { id: number; results?: unknown[]; error?: string } {
  return typeof value === 'object' && value !== null && 'id' in value && typeof value.id === 'number';
}

function threaded(file: string): SqlReader {
  let worker: Worker | undefined;
  let idle: NodeJS.Timeout | undefined;
  let next = 0;
  const waiting = new Map<number, { resolve: (rows: Array<Array<Record<string, unknown>>>) => void; reject: (e: Error) => void }>();

  const stop = () => {
    if (waiting.size > 0) {
      idle = setTimeout(stop, IDLE_MS);
      idle.unref();
      return;
    }
    const w = worker;
    worker = undefined;
    if (w) void w.terminate();
  };
  const start = (): Worker => {
    if (worker) return worker;
    const w = new Worker(WORKER_URL, { workerData: { file } });
    w.unref();
    w.on('message', (m: unknown) => {
      if (!isReply(m)) return;
      const pending = waiting.get(m.id);
      waiting.delete(m.id);
      if (!pending) return;
      if (m.error !== undefined) pending.reject(new Error(m.error));
      else pending.resolve((m.results ?? []).map(records));
    });
    const fail = (error: Error) => {
      if (worker === w) worker = undefined;
      for (const p of waiting.values()) p.reject(error);
      waiting.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`dashboard reader exited with ${code}`)));
    worker = w;
    return w;
  };

  return (queries) =>
    new Promise((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      if (idle) clearTimeout(idle);
      idle = setTimeout(stop, IDLE_MS);
      idle.unref();
      start().postMessage({ id, queries: compiled(queries) });
    });
}

const readers = new WeakMap<Database.Database, SqlReader>();

/** The better-sqlite3 connection under a SQLite store's drizzle handle (drizzle keeps it as `$client`). */
function connectionOf(store: DataStore): Database.Database {
  const client = (store.db as { $client?: unknown }).$client;
  if (client instanceof Database) return client;
  throw new Error('the SQLite store has no better-sqlite3 connection');
}

/** SQLite's reader of a store: threaded for a file, inline in memory. One per connection. */
function sqliteReader(store: DataStore): SqlReader {
  const sqlite = connectionOf(store);
  let reader = readers.get(sqlite);
  if (!reader) {
    reader = sqlite.memory || sqlite.name === ':memory:' || sqlite.name === '' ? inline(sqlite) : threaded(sqlite.name);
    readers.set(sqlite, reader);
  }
  return reader;
}

/**
 * PostgreSQL: `fill` (if given) once, in its own transaction under a per-scenario advisory lock taken
 * without waiting (another server filling the same rows: this read skips it, and its queries extract
 * what is not stored yet themselves; a fill that fails is logged and skipped the same way), then each
 * read's queries in one read-only repeatable-read transaction on the pool.
 */
function postgresReader(store: DataStore, fill: { scenarioId: string; sql: SQL } | undefined): SqlReader {
  let filled = fill === undefined;
  return async (queries) => {
    if (!filled && fill) {
      filled = true;
      // Best effort: a failed fill (a deadlock with another multi-row update, say) costs this read speed, not its answer.
      await store
        .transaction(async (tx) => {
          const [lock] = await rawRows(tx, sql`select pg_try_advisory_xact_lock(hashtext(${`mofang:dashboard-fill:${fill.scenarioId}`})) as ok`);
          if (lock?.ok === true) await rawRows(tx, fill.sql);
        })
        .catch((error: unknown) => console.error(`[mofang] dashboard of scenario ${fill.scenarioId}: storing the outputs' extraction failed: ${loggableMessage(error)}`));
    }
    return store.transaction(async (tx) => {
      await rawRows(tx, sql`set transaction isolation level repeatable read, read only`);
      const results: Array<Array<Record<string, unknown>>> = [];
      for (const q of queries) results.push(await rawRows(tx, q));
      return results;
    });
  };
}

/**
 * The reader of one dashboard request over a store: SQLite's reader thread, or PostgreSQL's pool after
 * storing the extraction of `fill`'s items (./dashboard-sql.ts; none when `fill` is undefined).
 * Queries that fail reject with the driver's error.
 */
export function dashboardReader(store: DataStore, fill?: { scenarioId: string; sql: SQL }): SqlReader {
  return store.dialect === 'postgres' ? postgresReader(store, fill) : sqliteReader(store);
}
