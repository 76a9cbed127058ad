/**
 * The store a CLI command works on: the one a server with the same environment uses. PostgreSQL when
 * `MOFANG_DATABASE_URL` is set (so `mofang users create` on any machine that reaches the database
 * acts on the cluster), else the SQLite file in `MOFANG_DATA_DIR` (default `./data`).
 */
import path from 'node:path';
import { openAppStore } from '../storage/app-store.js';
import { databaseConfigFromEnv } from '../common/database-config.js';
import type { OpenDataStore } from '../storage/store.js';
import { CliError } from './errors.js';

/** The data directory `env` names (`MOFANG_DATA_DIR`, default `./data`), absolute. */
export function cliDataDir(env: NodeJS.ProcessEnv): string {
  return path.resolve(env.MOFANG_DATA_DIR?.trim() || './data');
}

/**
 * Opens (and migrates) the store `env` names. Throws {@link CliError} for a malformed
 * `MOFANG_DATABASE_URL` / `MOFANG_DATABASE_POOL_SIZE` or an unreachable PostgreSQL.
 */
export async function openCliStore(env: NodeJS.ProcessEnv): Promise<OpenDataStore> {
  let database;
  try {
    database = databaseConfigFromEnv(env);
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
  try {
    return await openAppStore({ dataDir: cliDataDir(env), ...(database ? { database } : {}) }, { maxConnections: 2 });
  } catch (error) {
    if (database) throw new CliError(error instanceof Error ? error.message : String(error));
    throw error;
  }
}
