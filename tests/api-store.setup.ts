/**
 * Vitest global setup of the API suite's PostgreSQL pass (`MOFANG_TEST_STORE=postgres`, run by
 * `npm test` after the SQLite pass): starts one throwaway PostgreSQL on 127.0.0.1 (Debian's packages,
 * server/src/storage/pg/testing.ts), migrates a template database once, and hands its URL to the tests
 * (`inject('mofangTestPostgres')`, read by tests/api/test-store.ts), which copy the template into one
 * database per test server's data directory. Stopped (and its folder removed) when the run ends.
 * Without `MOFANG_TEST_STORE=postgres` it does nothing.
 */
import type { TestProject } from 'vitest/node';
import { migratePostgres } from '../server/src/storage/pg/migrate.js';
import { startTestPostgres } from '../server/src/storage/pg/testing.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the migrated template database, or '' when the API tests run on SQLite. */
    mofangTestPostgres: string;
  }
}

/** The template every test server's database is copied from. */
export const TEMPLATE_DATABASE = 'mofang_template';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (process.env.MOFANG_TEST_STORE !== 'postgres') {
    project.provide('mofangTestPostgres', '');
    return undefined;
  }
  const pg = await startTestPostgres({ database: TEMPLATE_DATABASE });
  try {
    await migratePostgres(pg.url);
  } catch (error) {
    await pg.stop();
    throw error;
  }
  project.provide('mofangTestPostgres', pg.url);
  return () => pg.stop();
}
