/** What the run log hands its checked rows to: the SQLite writer (./run-log-sqlite.ts) or PostgreSQL's (./pg/run-log-pg.ts). */
import type { RunRow } from './run-log-rows.mjs';

export interface RunWriter {
  /** Writes a batch in the background, in one transaction; the writer reports the ids once committed. */
  submit(rows: RunRow[]): void;
  /** Resolves once every batch submitted is committed. */
  close(): Promise<void>;
}
