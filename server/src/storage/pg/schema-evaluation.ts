/**
 * The PostgreSQL tables of `../schema-evaluation.ts` (evaluation, publish gates, human review), one for one:
 * same names, columns, keys and indexes (schema-parity.test.ts checks it).
 * Comments on what the columns mean live in the SQLite file; docs/postgres.md says how the types map.
 */
import { bigint, boolean, doublePrecision, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { json, ms } from './columns.js';
import { scenarios } from './schema.js';

export const evalSets = pgTable(
  'eval_sets',
  {
    id: text('id').primaryKey(),
    scenarioId: text('scenario_id')
      .notNull()
      .references(() => scenarios.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    revision: integer('revision').notNull().default(0),
    nextCase: integer('next_case').notNull().default(1),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
    metrics: json<unknown>('metrics'),
  },
  (t) => [uniqueIndex('eval_sets_scenario_name_idx').on(t.scenarioId, t.name)],
);

export const evalRevisions = pgTable(
  'eval_revisions',
  {
    setId: text('set_id')
      .notNull()
      .references(() => evalSets.id, { onDelete: 'cascade' }),
    revision: integer('revision').notNull(),
    at: ms('at').notNull(),
    by: text('by').notNull(),
    change: text('change').notNull(),
    added: integer('added').notNull(),
    changed: integer('changed').notNull(),
    removed: integer('removed').notNull(),
    cases: integer('cases').notNull(),
  },
  (t) => [primaryKey({ columns: [t.setId, t.revision] })],
);

export const evalCases = pgTable(
  'eval_cases',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    setId: text('set_id')
      .notNull()
      .references(() => evalSets.id, { onDelete: 'cascade' }),
    caseId: text('case_id').notNull(),
    inputs: json<Record<string, unknown>>('inputs').notNull(),
    expected: json<Record<string, unknown>>('expected').notNull(),
    source: json<Record<string, unknown>>('source').notNull(),
    addedIn: integer('added_in').notNull(),
    removedIn: integer('removed_in'),
  },
  (t) => [uniqueIndex('eval_cases_set_case_added_idx').on(t.setId, t.caseId, t.addedIn), index('eval_cases_set_range_idx').on(t.setId, t.addedIn, t.removedIn)],
);

export const evalRuns = pgTable(
  'eval_runs',
  {
    id: text('id').primaryKey(),
    scenarioId: text('scenario_id')
      .notNull()
      .references(() => scenarios.id, { onDelete: 'cascade' }),
    setId: text('set_id')
      .notNull()
      .references(() => evalSets.id, { onDelete: 'cascade' }),
    setRevision: integer('set_revision').notNull(),
    version: integer('version'),
    graphHash: text('graph_hash').notNull(),
    jobId: text('job_id').notNull(),
    status: text('status', { enum: ['queued', 'running', 'completed', 'failed', 'cancelled'] }).notNull(),
    total: integer('total').notNull(),
    metrics: json<unknown>('metrics'),
    results: json<unknown>('results'),
    simulated: boolean('simulated').notNull().default(false),
    error: text('error'),
    createdBy: text('created_by').notNull(),
    createdAt: ms('created_at').notNull(),
    finishedAt: ms('finished_at'),
  },
  (t) => [index('eval_runs_scenario_created_idx').on(t.scenarioId, t.createdAt), index('eval_runs_status_idx').on(t.status), index('eval_runs_job_idx').on(t.jobId)],
);

export const publishGates = pgTable('publish_gates', {
  scenarioId: text('scenario_id')
    .primaryKey()
    .references(() => scenarios.id, { onDelete: 'cascade' }),
  setId: text('set_id').notNull(),
  metric: text('metric').notNull(),
  min: doublePrecision('min'),
  maxDrop: doublePrecision('max_drop'),
  updatedBy: text('updated_by').notNull(),
  updatedAt: ms('updated_at').notNull(),
});

export const reviewRules = pgTable('review_rules', {
  scenarioId: text('scenario_id')
    .primaryKey()
    .references(() => scenarios.id, { onDelete: 'cascade' }),
  config: json<unknown>('config'),
  updatedBy: text('updated_by').notNull(),
  updatedAt: ms('updated_at').notNull(),
});

export const reviewItems = pgTable(
  'review_items',
  {
    id: text('id').primaryKey(),
    scenarioId: text('scenario_id')
      .notNull()
      .references(() => scenarios.id, { onDelete: 'cascade' }),
    slug: text('slug').notNull(),
    version: integer('version').notNull(),
    sourceKey: text('source_key').notNull(),
    runId: text('run_id').notNull(),
    jobId: text('job_id'),
    itemId: text('item_id'),
    inputs: json<unknown>('inputs'),
    outputs: json<unknown>('outputs'),
    reasons: json<unknown>('reasons').notNull(),
    reasonCodes: text('reason_codes').notNull(),
    simulated: boolean('simulated').notNull().default(false),
    day: text('day').notNull(),
    sampled: boolean('sampled').notNull().default(false),
    status: text('status', { enum: ['pending', 'confirmed', 'corrected'] }).notNull(),
    createdAt: ms('created_at').notNull(),
    decidedAt: ms('decided_at'),
    decidedBy: text('decided_by'),
    decision: json<unknown>('decision'),
    redactedAt: ms('redacted_at'),
  },
  (t) => [
    uniqueIndex('review_items_source_idx').on(t.sourceKey),
    index('review_items_scenario_status_idx').on(t.scenarioId, t.status, t.createdAt),
    index('review_items_status_idx').on(t.status, t.createdAt),
    index('review_items_sample_idx').on(t.scenarioId, t.day, t.sampled),
  ],
);
