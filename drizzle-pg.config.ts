import { defineConfig } from 'drizzle-kit';

/**
 * `npm run db:generate:pg` writes PostgreSQL migrations from the pg schema into server/drizzle-pg/
 * (committed), as `drizzle.config.ts` does for SQLite into server/drizzle/. Change both schemas together
 * and generate both (docs/postgres.md).
 */
export default defineConfig({
  dialect: 'postgresql',
  schema: ['./server/src/storage/pg/schema.ts', './server/src/storage/pg/schema-evaluation.ts', './server/src/storage/pg/schema-live.ts'],
  out: './server/drizzle-pg',
});
