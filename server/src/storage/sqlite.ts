/**
 * The better-sqlite3 handle under a drizzle `Db`, for the few hot or window-function queries that are
 * written as prepared SQL (the API run log, its metrics, key checks).
 */
import Database from 'better-sqlite3';
import type { Db } from './db.js';

/** The store's SQLite connection (drizzle keeps it as `$client`). */
export function sqliteOf(db: Db): Database.Database {
  if ('$client' in db && db.$client instanceof Database) return db.$client;
  throw new Error('this store has no better-sqlite3 connection');
}
