/**
 * Opens the store a server or a CLI command works on, as the configuration says: PostgreSQL when
 * `MOFANG_DATABASE_URL` is set (migrated under the advisory lock, a pool of `MOFANG_DATABASE_POOL_SIZE`),
 * else the SQLite file `<MOFANG_DATA_DIR>/mofang.db` (migrated, one connection).
 */
import { openStore } from './db.js';
import { redactDatabaseUrl, type DatabaseConfig } from '../common/database-config.js';
import { openPostgresStore } from './pg/store.js';
import { storeReadiness, type ReadinessCheck } from './readiness.js';
import { sqliteDataStore, type OpenDataStore } from './store.js';
import { databaseError } from './db-errors.js';

/** An open store with its readiness check and a line saying where it is. */
export interface AppDataStore extends OpenDataStore {
  /** What `GET /api/ready` asks of the store. */
  readiness: ReadinessCheck;
  /** `SQLite <file>` or `PostgreSQL <url with the password hidden>`, for the start-up line. */
  where: string;
}

/**
 * Opens the configured store; `options.maxConnections` caps the PostgreSQL pool below the configured size. Rejects with an Error saying which database and why when PostgreSQL cannot
 * be reached or migrated (the password never appears in it); SQLite errors are the driver's.
 */
export async function openAppStore(config: { dataDir: string; database?: DatabaseConfig }, options: { maxConnections?: number } = {}): Promise<AppDataStore> {
  if (config.database) {
    const where = redactDatabaseUrl(config.database.url);
    let store: OpenDataStore;
    try {
      // A CLI command needs a connection or two, not a server's pool.
      const maxConnections = Math.min(config.database.poolSize, options.maxConnections ?? config.database.poolSize);
      store = await openPostgresStore(config.database.url, { maxConnections });
    } catch (error) {
      throw new Error(`PostgreSQL at ${where} (MOFANG_DATABASE_URL): ${databaseError(error).message}`);
    }
    return { ...store, readiness: storeReadiness(store), where: `PostgreSQL ${where}` };
  }
  const sqlite = openStore(config.dataDir);
  const store = sqliteDataStore(sqlite);
  return { ...store, readiness: storeReadiness(store), where: `SQLite ${sqlite.file}` };
}
