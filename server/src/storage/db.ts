/**
 * Opens the SQLite store (WAL, busy timeout, foreign keys) and applies the committed migrations.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { fillNameKeys } from './name-keys.js';
import * as coreTables from './schema.js';
import * as evaluationTables from './schema-evaluation.js';
import * as liveTables from './schema-live.js';

/** Every table, as drizzle's relational queries and the `Db` type know them. */
export const schema = { ...coreTables, ...evaluationTables, ...liveTables };

/** The drizzle handle every repository function takes. */
export type Db = BetterSQLite3Database<typeof schema>;

/** An open store: the drizzle handle plus a way to close the file. */
export interface Store {
  db: Db;
  /** Absolute path of the SQLite file (`:memory:` for an in-memory store). */
  file: string;
  close(): void;
}

/**
 * Runs `fn` in a write transaction that takes SQLite's write lock at `BEGIN IMMEDIATE`, not at its first
 * write. Every transaction that writes goes through here (or {@link writeTransactionRaw}): the run log
 * writes from its own connection, and a deferred transaction that reads first and writes later fails
 * with `SQLITE_BUSY_SNAPSHOT` when that connection wrote in between, which no busy timeout can wait out
 * (https://www.sqlite.org/rescode.html#busy_snapshot). An immediate one waits up to the busy timeout
 * (5000 ms) for the lock instead. Nested calls become savepoints.
 */
export function writeTransaction<T>(db: Db, fn: (tx: Parameters<Parameters<Db['transaction']>[0]>[0]) => T): T {
  return db.transaction(fn, { behavior: 'immediate' });
}

/** {@link writeTransaction} for a raw better-sqlite3 handle: runs `fn` at once, returns its result. */
export function writeTransactionRaw<T>(sqlite: Database.Database, fn: () => T): T {
  return sqlite.transaction(fn).immediate();
}

/** Resolved from this file so migrations are found whatever the working directory. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** SQLite page size for new stores, bytes. */
export const PAGE_SIZE = 16_384;

/** Opens (creating if needed) `<dataDir>/mofang.db` and brings its schema up to date. */
export function openStore(dataDir: string): Store {
  const dir = path.resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  return openStoreFile(path.join(dir, 'mofang.db'));
}

/** Opens a store at an explicit file path (or `:memory:`), for tests and tools. */
export function openStoreFile(file: string): Store {
  const sqlite = new Database(file);
  // Pages of 16 KB for a new file (an existing one keeps its size): a run row holds its whole trace,
  // ≈ 8 KB for a one-call scenario, which on 4 KB pages spans three (a leaf and two overflow pages),
  // each written to the WAL as two writes and copied back at checkpoint. Must precede WAL mode.
  sqlite.pragma(`page_size = ${PAGE_SIZE}`);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  // Deleted and overwritten content (transcripts the retention cleared, deleted scenarios) is zeroed in
  // the file, not left in free space for a disk image to read. Costs I/O only on deletes and shrinking
  // updates, which the run log's inserts never make.
  sqlite.pragma('secure_delete = ON');
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  for (const r of writeTransaction(db, (tx) => fillNameKeys(tx))) {
    process.stderr.write(`mofang: the login name "${r.from}" is the same as an older user's once case and width are ignored; renamed "${r.to}" (user ${r.id})\n`);
  }
  let closed = false;
  return {
    db,
    file,
    close() {
      if (closed) return;
      closed = true;
      sqlite.close();
    },
  };
}
