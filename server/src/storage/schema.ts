/**
 * The SQLite tables. These are storage rows only: API shapes live in `@shared/api.ts`.
 * Times are epoch milliseconds; JSON columns hold text that drizzle parses.
 */
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const scenarios = sqliteTable('scenarios', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  graph: text('graph', { mode: 'json' }).$type<unknown>().notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
  /** Bumped on every update; a PUT naming an older revision is refused (optimistic concurrency). */
  revision: integer('revision').notNull().default(1),
});

export const runs = sqliteTable(
  'runs',
  {
    id: text('id').primaryKey(),
    scenarioId: text('scenario_id').references(() => scenarios.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['test', 'api', 'cli'] }).notNull(),
    status: text('status', { enum: ['running', 'succeeded', 'failed'] }).notNull(),
    inputs: text('inputs', { mode: 'json' }).$type<unknown>(),
    outputs: text('outputs', { mode: 'json' }).$type<unknown>(),
    error: text('error', { mode: 'json' }).$type<unknown>(),
    usage: text('usage', { mode: 'json' }).$type<unknown>(),
    latencyMs: integer('latency_ms'),
    model: text('model'),
    createdAt: integer('created_at').notNull(),
    finishedAt: integer('finished_at'),
  },
  (t) => [index('runs_scenario_created_idx').on(t.scenarioId, t.createdAt)],
);

export const runEvents = sqliteTable(
  'run_events',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    nodeId: text('node_id'),
    data: text('data', { mode: 'json' }).$type<unknown>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

