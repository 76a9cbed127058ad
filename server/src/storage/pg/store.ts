/**
 * The PostgreSQL store (`MOFANG_DATABASE_URL=postgres://…`): migrations applied under the advisory lock
 * (./migrate.ts), then a node-postgres pool behind the {@link DataStore} interface the repositories take.
 * Transactions are drizzle's (a pooled connection, `BEGIN`, savepoints when nested) at READ COMMITTED; a
 * transaction of this store started from inside one by code not handed its `tx` (the same async
 * context) joins it as a savepoint rather than taking a second connection.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Db } from '../db.js';
import type { OpenDataStore, DataStore, Tables } from '../store.js';
import { migratePostgres } from './migrate.js';
import { pgSchema, type PgDb } from './tables.js';

export interface PostgresStoreOptions {
  /** Connections in the pool (default 10). */
  maxConnections?: number;
  /** How long taking a new connection may wait before failing, ms (default 10,000; a readiness probe must not hang). */
  connectionTimeoutMs?: number;
}

/** Opens the database at `url`, bringing its schema up to date first. Rejects when it cannot connect or migrate. */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<OpenDataStore> {
  await migratePostgres(url);
  const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10, connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000 });
  // An idle connection the server drops (a restart, a failover) must not crash the process: the next
  // query takes another connection, or fails and says why.
  pool.on('error', (error) => console.error(`[mofang] PostgreSQL connection lost: ${error.message}`));
  const root = drizzle(pool, { schema: pgSchema });
  const inside = new AsyncLocalStorage<PgDb>();
  // The PostgreSQL tables stand in for the SQLite ones: the same row types (pg/schema-parity.test.ts).
  const t = pgSchema as unknown as Tables;
  const bind = (db: PgDb, isRoot: boolean): DataStore => ({
    dialect: 'postgres',
    db: db as unknown as Db,
    t,
    transaction<T>(fn: (tx: DataStore) => Promise<T>): Promise<T> {
      const base = (isRoot ? inside.getStore() : undefined) ?? db;
      return base.transaction((tx) => inside.run(tx, () => fn(bind(tx as unknown as PgDb, false))));
    },
  });
  let closed: Promise<void> | undefined;
  return {
    ...bind(root, true),
    close: () => (closed ??= pool.end()),
  };
}
