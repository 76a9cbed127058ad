/**
 * Which store the API tests' servers use: the SQLite file in their data directory (the default), or,
 * when the suite runs with `MOFANG_TEST_STORE=postgres` (the second pass of `npm test`), a PostgreSQL
 * database of their own on the run's throwaway server (tests/api-store.setup.ts): one database per data
 * directory, copied from the migrated template, so a test that restarts a server on the same directory
 * finds its data again. A test that checks something only SQLite has (the file itself, its backup)
 * says so with {@link sqliteOnly}.
 */
import { createHash } from 'node:crypto';
import { inject } from 'vitest';
import pg from 'pg';
import { openAppStore } from '../../server/src/storage/app-store.js';
import type { OpenDataStore } from '../../server/src/storage/store.js';
import { TEMPLATE_DATABASE } from '../api-store.setup.js';

/** The template database's URL when this run is the PostgreSQL pass, else ''. */
const templateUrl = inject('mofangTestPostgres') ?? '';

/** Whether this run's servers keep their data in PostgreSQL. */
export const onPostgres = templateUrl !== '';

/** The key every PostgreSQL test server seals secrets with (a cluster's servers share one). */
export const TEST_SECRET_KEY = 'mofang-api-tests-shared-secret-key';

/** Skip reason for tests of what only the SQLite store has; `describe.skipIf(sqliteOnly)` / `it.skipIf(sqliteOnly)`. */
export const sqliteOnly = onPostgres;

const made = new Map<string, Promise<string>>();

function urlOf(database: string): string {
  const url = new URL(templateUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** The database of `dataDir` on the run's PostgreSQL, made from the template on first use. */
export function databaseFor(dataDir: string): Promise<string> {
  let url = made.get(dataDir);
  if (!url) {
    const name = `api_${createHash('sha256').update(dataDir).digest('hex').slice(0, 24)}`;
    url = (async () => {
      const client = new pg.Client({ connectionString: urlOf('postgres') });
      await client.connect();
      try {
        await client.query(`create database "${name}" template "${TEMPLATE_DATABASE}"`);
      } catch (error) {
        // 42P04: made already (by another file's server on the same directory, or a restart).
        if ((error as { code?: string }).code !== '42P04') throw error;
      } finally {
        await client.end();
      }
      return urlOf(name);
    })();
    made.set(dataDir, url);
  }
  return url;
}

/** The environment that points a server (or the CLI) at `dataDir`'s store: nothing on SQLite. */
export async function storeEnv(dataDir: string): Promise<NodeJS.ProcessEnv> {
  if (!onPostgres) return {};
  return { MOFANG_DATABASE_URL: await databaseFor(dataDir), MOFANG_SECRET_KEY: TEST_SECRET_KEY, MOFANG_DATABASE_POOL_SIZE: '4' };
}

/** A second handle on the store a test server over `dataDir` uses (for looking at rows); close it after. */
export async function openTestStore(dataDir: string): Promise<OpenDataStore> {
  if (!onPostgres) return openAppStore({ dataDir });
  return openAppStore({ dataDir, database: { url: await databaseFor(dataDir), poolSize: 2 } });
}
