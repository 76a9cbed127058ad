import { defineConfig } from 'drizzle-kit';

/** `npm run db:generate` writes SQL migrations from the schema into server/drizzle/ (committed). */
export default defineConfig({
  dialect: 'sqlite',
  schema: ['./server/src/storage/schema.ts', './server/src/storage/schema-evaluation.ts', './server/src/storage/schema-live.ts'],
  out: './server/drizzle',
});
