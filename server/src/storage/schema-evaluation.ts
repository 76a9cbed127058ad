/**
 * The SQLite tables of evaluation (sets, revisions, cases, runs), the publish gate and human review:
 * storage rows only, split from `schema.ts` (which holds the rest) so each file stays one job. Times are
 * epoch ms; JSON columns are read through `jsonColumn`.
 */
import { jsonColumn } from './json-column.js';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { scenarios } from './schema.js';

/**
 * Evaluation sets: labelled cases per scenario (server/src/evaluation). `revision` is the latest revision
 * (0: created, no cases yet); `next_case` numbers the ids given to cases that arrive without one.
 */
export const evalSets = sqliteTable(
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
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    /** How its runs are scored where the type-based choice does not fit: `MetricOverrides` by output name (null: none). */
    metrics: jsonColumn<unknown>('metrics', () => null),
  },
  (t) => [uniqueIndex('eval_sets_scenario_name_idx').on(t.scenarioId, t.name)],
);

/** One row per revision of a set: immutable once written. */
export const evalRevisions = sqliteTable(
  'eval_revisions',
  {
    setId: text('set_id')
      .notNull()
      .references(() => evalSets.id, { onDelete: 'cascade' }),
    revision: integer('revision').notNull(),
    at: integer('at').notNull(),
    by: text('by').notNull(),
    change: text('change').notNull(),
    added: integer('added').notNull(),
    changed: integer('changed').notNull(),
    removed: integer('removed').notNull(),
    cases: integer('cases').notNull(),
  },
  (t) => [primaryKey({ columns: [t.setId, t.revision] })],
);

/**
 * A case's content over a range of revisions: it belongs to revision N when `added_in <= N` and
 * (`removed_in` is null or `removed_in > N`). An edit ends the old row (`removed_in` = the new revision)
 * and starts a new one; rows are never changed otherwise, so every revision reads back exactly.
 */
export const evalCases = sqliteTable(
  'eval_cases',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    setId: text('set_id')
      .notNull()
      .references(() => evalSets.id, { onDelete: 'cascade' }),
    caseId: text('case_id').notNull(),
    inputs: jsonColumn<Record<string, unknown>>('inputs', () => ({})).notNull(),
    expected: jsonColumn<Record<string, unknown>>('expected', () => ({})).notNull(),
    source: jsonColumn<Record<string, unknown>>('source', () => ({ kind: 'upload' })).notNull(),
    addedIn: integer('added_in').notNull(),
    removedIn: integer('removed_in'),
  },
  (t) => [uniqueIndex('eval_cases_set_case_added_idx').on(t.setId, t.caseId, t.addedIn), index('eval_cases_set_range_idx').on(t.setId, t.addedIn, t.removedIn)],
);

/**
 * Evaluation runs (server/src/evaluation/runs.ts): one revision of a set run on a scenario's draft (frozen
 * into the job: `version` null) or one of its versions, as an evaluation job; scored when the job ends.
 * `results` holds each case's outcome as the job gave it (`{ id, run_id, status, outputs?, error? }[]`),
 * `metrics` the scoring (`EvalMetrics`, per case by id); both null until the run is completed.
 */
export const evalRuns = sqliteTable(
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
    /** The version run; null for the draft (frozen into the job at the start). */
    version: integer('version'),
    /** The plan hash of what ran (a version's `plan_hash`, or the frozen draft's). */
    graphHash: text('graph_hash').notNull(),
    jobId: text('job_id').notNull(),
    status: text('status', { enum: ['queued', 'running', 'completed', 'failed', 'cancelled'] }).notNull(),
    total: integer('total').notNull(),
    metrics: jsonColumn<unknown>('metrics', () => null),
    results: jsonColumn<unknown>('results', () => null),
    /** Whether the built-in simulator answered any case's model call (then the numbers mean nothing). */
    simulated: integer('simulated', { mode: 'boolean' }).notNull().default(false),
    /** Why scoring failed (status `failed`); null otherwise. */
    error: text('error'),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    finishedAt: integer('finished_at'),
  },
  (t) => [index('eval_runs_scenario_created_idx').on(t.scenarioId, t.createdAt), index('eval_runs_status_idx').on(t.status), index('eval_runs_job_idx').on(t.jobId)],
);

/**
 * A scenario's publish gate (at most one): a metric of an evaluation set's latest revision the draft must
 * reach (`min`) and/or may not drop by more than `max_drop` from the live version. `set_id` is checked at
 * use (a set that is a gate cannot be deleted).
 */
export const publishGates = sqliteTable('publish_gates', {
  scenarioId: text('scenario_id')
    .primaryKey()
    .references(() => scenarios.id, { onDelete: 'cascade' }),
  setId: text('set_id').notNull(),
  metric: text('metric').notNull(),
  min: real('min'),
  maxDrop: real('max_drop'),
  updatedBy: text('updated_by').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * Human review rules per scenario (server/src/review): `config` is `ReviewRulesBody` (shared/src/review.ts)
 * as last saved, checked when saved.
 */
export const reviewRules = sqliteTable('review_rules', {
  scenarioId: text('scenario_id')
    .primaryKey()
    .references(() => scenarios.id, { onDelete: 'cascade' }),
  config: jsonColumn<unknown>('config', () => null),
  updatedBy: text('updated_by').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * The review queue: one row per result a rule chose, never two for the same source (`source_key`:
 * `run:<run id>` or `job:<job id>:<item id>`). Inputs and outputs are copied when chosen; `decision`
 * holds the last decision (`ReviewDecision` without the item), null while `pending`. `day` (the server's
 * local date when chosen) and `sampled` let the daily sample count what it took today.
 */
export const reviewItems = sqliteTable(
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
    inputs: jsonColumn<unknown>('inputs', () => null),
    outputs: jsonColumn<unknown>('outputs', () => null),
    reasons: jsonColumn<unknown>('reasons', () => []).notNull(),
    /** The reasons' codes between commas (`,low_confidence,red_line,`), for the reason filter. */
    reasonCodes: text('reason_codes').notNull(),
    simulated: integer('simulated', { mode: 'boolean' }).notNull().default(false),
    day: text('day').notNull(),
    sampled: integer('sampled', { mode: 'boolean' }).notNull().default(false),
    status: text('status', { enum: ['pending', 'confirmed', 'corrected'] }).notNull(),
    createdAt: integer('created_at').notNull(),
    decidedAt: integer('decided_at'),
    decidedBy: text('decided_by'),
    decision: jsonColumn<unknown>('decision', () => null),
    redactedAt: integer('redacted_at'),
  },
  (t) => [
    uniqueIndex('review_items_source_idx').on(t.sourceKey),
    index('review_items_scenario_status_idx').on(t.scenarioId, t.status, t.createdAt),
    index('review_items_status_idx').on(t.status, t.createdAt),
    index('review_items_sample_idx').on(t.scenarioId, t.day, t.sampled),
  ],
);
