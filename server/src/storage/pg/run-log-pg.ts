/**
 * The run log's PostgreSQL writer: each batch of checked rows (../run-log-rows.mjs) in one multi-row
 * insert on the pool, batches one after another (a server's runs keep their order, and the log holds
 * one pooled connection at most). A batch the database refuses is written row by row, each in its own
 * savepoint, so one bad run never costs the others: a row whose values the database refuses is stored
 * failed saying why (as on SQLite), one that cannot be stored at all (its scenario was deleted while it
 * was queued) is dropped with a line on stderr.
 */
import { sql } from 'drizzle-orm';
import { databaseError } from '../db-errors.js';
import { rawRows } from '../dialect-sql.js';
import type { DataStore } from '../store.js';
import type { RunWriter } from '../run-log-writer.js';
import { breachOf, failedRunError, type RunRow, type RunWriteCheck } from '../run-log-rows.mjs';

const COLUMNS = sql.raw('id, scenario_id, kind, status, inputs, outputs, error, usage, latency_ms, model, version, api_key_id, created_at, finished_at, events');

/** The row as stored: failed, without its values, when it is past the limits. */
function checked(row: RunRow, check: RunWriteCheck): RunRow {
  const reason = breachOf(row, check);
  return reason === null ? row : failedRow(row, reason);
}

function failedRow(row: RunRow, reason: string): RunRow {
  return { ...row, status: 'failed', inputs: null, outputs: null, error: JSON.stringify(failedRunError(reason)), events: '[]', unwritable: null };
}

function values(r: RunRow) {
  return sql`(${r.id}, ${r.scenarioId}, ${r.kind}, ${r.status}, ${r.inputs}, ${r.outputs}, ${r.error}, ${r.usage}, ${r.latencyMs}, ${r.model}, ${r.version}, ${r.apiKeyId}, ${r.createdAt}, ${r.finishedAt}, ${r.events})`;
}

async function insert(store: DataStore, rows: readonly RunRow[]): Promise<void> {
  // The values are JSON text already (toRow): sent as text for the `json` columns, not encoded again.
  await rawRows(store, sql`insert into runs (${COLUMNS}) values ${sql.join(rows.map(values), sql`, `)}`);
}

/**
 * Writes `rows` in the transaction (or on the store) given: all at once, else one by one as the module
 * docstring says. Rejects only when the database cannot be reached.
 */
export async function insertRunRows(store: DataStore, rows: readonly RunRow[], check: RunWriteCheck): Promise<void> {
  const ready = rows.map((r) => checked(r, check));
  if (ready.length === 0) return;
  try {
    await store.transaction((tx) => insert(tx, ready));
    return;
  } catch {
    // Some row is refused: find which, below.
  }
  for (const row of ready) {
    try {
      await store.transaction((tx) => insert(tx, [row]));
    } catch (error) {
      const reason = databaseError(error).message;
      try {
        await store.transaction(async (tx) => {
          // Replaces a row of the same id, should there be one.
          await rawRows(tx, sql`delete from runs where id = ${row.id}`);
          await insert(tx, [failedRow(row, reason)]);
        });
      } catch (again) {
        console.error(`[mofang] run ${row.id} not logged: ${databaseError(again).message}`);
      }
    }
  }
}

/** The PostgreSQL {@link RunWriter}: `onWritten` gets each batch's ids once it is committed (or given up). */
export function postgresRunWriter(store: DataStore, check: RunWriteCheck, onWritten: (ids: string[]) => void): RunWriter {
  let tail: Promise<void> = Promise.resolve();
  return {
    submit(rows: RunRow[]): void {
      tail = tail.then(async () => {
        try {
          await insertRunRows(store, rows, check);
        } catch (error) {
          console.error(`[mofang] ${rows.length} API runs not logged:`, databaseError(error).message);
        } finally {
          onWritten(rows.map((r) => r.id));
        }
      });
    },
    close: () => tail,
  };
}
