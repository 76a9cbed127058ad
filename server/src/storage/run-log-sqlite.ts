/**
 * The run log's SQLite writer: batches of rows (run-log-rows.mjs) inserted in one immediate transaction,
 * on a worker thread with its own connection to the file when asked (the request thread only hands the
 * rows over), otherwise on this thread. A worker that fails hands the writing back to this thread.
 */
import { loggableMessage } from './db-errors.js';
import { Worker } from 'node:worker_threads';
import type { Db } from './db.js';
import type { RunWriter } from './run-log-writer.js';
import { createRunWriter, type RunRow, type RunWriteCheck } from './run-log-rows.mjs';
import { sqliteOf } from './sqlite.js';

const WORKER_URL = new URL('./run-log-worker.mjs', import.meta.url);

export interface SqliteRunWriterOptions {
  /** Write on a worker thread (needs a file-backed store). */
  worker: boolean;
  /** Called with the ids of each batch once committed (or given up, said on stderr). */
  onWritten: (ids: string[]) => void;
  /** Called when the worker fails and writing moves back to this thread: what it held is lost. */
  onWorkerLost: () => void;
}

/** The SQLite {@link RunWriter} over the connection of `db`. */
export function sqliteRunWriter(db: Db, check: RunWriteCheck, options: SqliteRunWriterOptions): RunWriter & { writeNow(rows: RunRow[]): void } {
  const sqlite = sqliteOf(db);
  const writeBatch = createRunWriter(sqlite, check);
  let worker: Worker | undefined;
  let workerClosed: Promise<void> | undefined;

  if (options.worker && sqlite.name !== ':memory:' && !sqlite.memory) {
    const started = new Worker(WORKER_URL, { workerData: { file: sqlite.name, check } });
    started.unref();
    started.on('message', (m: unknown) => {
      if (typeof m !== 'object' || m === null || !('ids' in m) || !Array.isArray(m.ids)) return;
      options.onWritten(m.ids.filter((id): id is string => typeof id === 'string'));
    });
    started.on('error', (error) => {
      // Fall back to writing on this thread; what the worker had not committed is lost, and said so.
      console.error('[mofang] run log writer failed, writing on the main thread from now on:', error.message);
      worker = undefined;
      options.onWorkerLost();
    });
    worker = started;
  }

  return {
    submit(rows: RunRow[]): void {
      if (worker) {
        // Records stay readable through the log's `pending` until the worker says they are committed.
        worker.postMessage({ type: 'batch', rows });
        return;
      }
      try {
        writeBatch(rows);
      } catch (error) {
        console.error(`[mofang] ${rows.length} API runs not logged:`, loggableMessage(error));
      } finally {
        options.onWritten(rows.map((r) => r.id));
      }
    },
    writeNow(rows: RunRow[]): void {
      // On this connection: inside the caller's transaction when there is one (better-sqlite3 nests it as a savepoint).
      writeBatch(rows);
    },
    close(): Promise<void> {
      const w = worker;
      if (w && !workerClosed) {
        workerClosed = new Promise<void>((resolve) => {
          w.once('exit', () => resolve());
          w.on('message', (m: unknown) => {
            if (typeof m === 'object' && m !== null && 'type' in m && m.type === 'closed') void w.terminate();
          });
          w.postMessage({ type: 'close' });
        });
      }
      return workerClosed ?? Promise.resolve();
    },
  };
}
