/**
 * Brings a PostgreSQL database's schema up to date with the committed migrations (server/drizzle-pg/),
 * as `openStore` does for SQLite. Several servers may start at once against one database: each takes a
 * PostgreSQL advisory lock first, so one applies the migrations and the others, once they get the lock,
 * find them applied and do nothing.
 */
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';

/** Resolved from this file so migrations are found whatever the working directory. */
export const PG_MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../drizzle-pg', import.meta.url));

/**
 * The advisory lock key of migrations (one 64-bit number for the whole database cluster): "mofang"
 * in ASCII, so another application's keys are unlikely to meet it.
 */
export const MIGRATION_LOCK_KEY = 0x6d6f66616e67n;

/**
 * Where drizzle records applied migrations: its defaults, named here so tests and tools read the same
 * table (`drizzle.__drizzle_migrations`, one row per migration with its hash and `created_at`).
 */
export const PG_MIGRATIONS_SCHEMA = 'drizzle';
export const PG_MIGRATIONS_TABLE = '__drizzle_migrations';

/**
 * Applies the migrations not yet applied to the database at `url`, under the advisory lock. Holds one
 * connection for the lock and the migrations (a session lock belongs to its connection) and closes it.
 */
export async function migratePostgres(url: string, migrationsFolder: string = PG_MIGRATIONS_FOLDER): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  // A connection lost mid-migration surfaces as the failed query; without a listener it would crash the process.
  client.on('error', () => {});
  await client.connect();
  try {
    const db = drizzle(client);
    await db.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY.toString()}::bigint)`);
    try {
      await migrate(db, { migrationsFolder, migrationsSchema: PG_MIGRATIONS_SCHEMA, migrationsTable: PG_MIGRATIONS_TABLE });
    } finally {
      await db.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY.toString()}::bigint)`);
    }
  } finally {
    await client.end();
  }
}
