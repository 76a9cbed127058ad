/**
 * Whether the store can serve: the database answers a trivial query and every committed migration is
 * applied. `GET /api/ready` asks this on every probe, so it costs two indexed reads and nothing more.
 * The check is a function: each store brings its own ({@link sqliteReadiness}, {@link postgresReadiness}).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { MIGRATIONS_FOLDER, type Db } from './db.js';
import { PG_MIGRATIONS_FOLDER } from './pg/migrate.js';
import { rawRows } from './dialect-sql.js';
import { databaseError } from './db-errors.js';

/** Why the store cannot serve: a stable code and an English sentence for operators' logs. */
export interface StoreProblem {
  code: 'database_unavailable' | 'migrations_pending';
  message: string;
}

/** Resolves undefined when the store can serve, else why not; never rejects. */
export type ReadinessCheck = () => Promise<StoreProblem | undefined>;

/** The `when` (ms) of the newest migration committed in `folder`'s drizzle journal. */
export function latestMigration(folder: string): { tag: string; when: number } {
  const journal: unknown = JSON.parse(readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8'));
  const entries = typeof journal === 'object' && journal !== null && 'entries' in journal && Array.isArray(journal.entries) ? journal.entries : [];
  let latest = { tag: '', when: 0 };
  for (const e of entries) {
    if (typeof e === 'object' && e !== null && typeof e.when === 'number' && typeof e.tag === 'string' && e.when > latest.when) latest = { tag: e.tag, when: e.when };
  }
  return latest;
}

/**
 * The readiness of a SQLite store: `select 1`, then the newest applied migration (drizzle's own table,
 * compared as drizzle's migrator does, by the journal's `when`) against the newest committed one.
 */
export function sqliteReadiness(db: Db, migrationsFolder: string): ReadinessCheck {
  // Read once: the committed migrations do not change while the server runs.
  const expected = latestMigration(migrationsFolder);
  return async () => {
    let applied: number | null;
    try {
      db.get(sql`select 1`);
    } catch (error) {
      return { code: 'database_unavailable', message: `the database did not answer: ${error instanceof Error ? error.message : String(error)}` };
    }
    try {
      const row: unknown = db.get(sql`select max(created_at) as applied from __drizzle_migrations`);
      applied = typeof row === 'object' && row !== null && 'applied' in row ? Number(row.applied ?? 0) : 0;
    } catch {
      applied = null;
    }
    if (applied === null || applied < expected.when) {
      return { code: 'migrations_pending', message: `the database schema is older than this server's (migration ${expected.tag || 'none'} is not applied)` };
    }
    return undefined;
  };
}

/**
 * The readiness of a PostgreSQL store (`store` with dialect `postgres`): `select 1` on the pool, then the
 * newest migration drizzle recorded (`drizzle.__drizzle_migrations`, ./pg/migrate.ts) against the newest
 * committed one in `migrationsFolder`. A pool that cannot connect answers `database_unavailable` within
 * the pool's connection timeout.
 */
export function postgresReadiness(store: { dialect: 'postgres' | 'sqlite'; db: unknown }, migrationsFolder: string, migrationsTable = 'drizzle.__drizzle_migrations'): ReadinessCheck {
  const expected = latestMigration(migrationsFolder);
  return async () => {
    try {
      await rawRows(store as { dialect: 'postgres'; db: unknown }, sql`select 1`);
    } catch (error) {
      return { code: 'database_unavailable', message: `the database did not answer: ${databaseError(error).message}` };
    }
    let applied: number | null;
    try {
      const [row] = await rawRows(store as { dialect: 'postgres'; db: unknown }, sql.raw(`select max(created_at) as applied from ${migrationsTable}`));
      applied = Number(row?.applied ?? 0);
    } catch {
      applied = null;
    }
    if (applied === null || applied < expected.when) {
      return { code: 'migrations_pending', message: `the database schema is older than this server's (migration ${expected.tag || 'none'} is not applied)` };
    }
    return undefined;
  };
}

/** The readiness check of `store` against this build's committed migrations, whichever its dialect. */
export function storeReadiness(store: { dialect: 'postgres' | 'sqlite'; db: Db }): ReadinessCheck {
  return store.dialect === 'sqlite' ? sqliteReadiness(store.db, MIGRATIONS_FOLDER) : postgresReadiness(store, PG_MIGRATIONS_FOLDER);
}
