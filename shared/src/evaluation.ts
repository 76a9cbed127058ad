/**
 * Evaluation sets: labelled cases per scenario, each `{ id, inputs, expected }`, where `expected` holds
 * all of the scenario's end outputs or only those that matter. A set is versioned: every change to its
 * cases (add, edit, remove) makes a new revision, and a revision never changes afterwards, so a result
 * that names `(set, revision)` can always be re-read. Shapes of `/api/scenarios/:id/eval-sets…` and of
 * the JSONL file form (one case a line).
 */
import { z } from 'zod';
import { JobUploadPreviewSchema, MAX_ITEM_ID_LENGTH } from './jobs.js';

/** Most cases one revision of a set may hold. */
export const MAX_EVAL_CASES = 20_000;
/** Longest set name, characters. */
export const MAX_EVAL_SET_NAME = 100;

/**
 * Ids a case may not have: `__proto__`, `prototype` and every name a plain JavaScript object already
 * answers (`constructor`, `toString`, `hasOwnProperty`, …). Keyed into an object, such an id would
 * reach (or replace) the object's prototype instead of a case.
 */
export const RESERVED_CASE_IDS: readonly string[] = [...new Set(['__proto__', 'prototype', ...Object.getOwnPropertyNames(Object.prototype)])].sort();

/** True when `id` is one of {@link RESERVED_CASE_IDS}. */
export function isReservedCaseId(id: string): boolean {
  return RESERVED_CASE_IDS.includes(id);
}

/** A case's id: text (a number is taken as its decimal text), as job item ids are; none of {@link RESERVED_CASE_IDS}. */
export const EvalCaseIdSchema = z
  .union([z.string().trim().min(1).max(MAX_ITEM_ID_LENGTH), z.number().int().nonnegative()])
  .transform((v) => String(v))
  .refine((id) => !isReservedCaseId(id), { message: `is a name JavaScript objects reserve; choose another case id (not ${RESERVED_CASE_IDS.join(', ')})`, params: { rule: 'case_id_reserved' } });

/** One case as a file line or a request sends it: an optional id, the run's inputs, the expected outputs (some or all). */
export const EvalCaseInputSchema = z.object({
  id: EvalCaseIdSchema.optional(),
  inputs: z.record(z.string(), z.unknown()),
  expected: z.record(z.string(), z.unknown()),
});
export type EvalCaseInput = z.infer<typeof EvalCaseInputSchema>;

/** Where a case came from: a file upload, a promoted run or job item, a person's edit, human review, a shipped set. */
export const EvalCaseSourceSchema = z.object({
  kind: z.enum(['upload', 'run', 'job_item', 'manual', 'review', 'builtin', 'live']),
  run_id: z.string().optional(),
  /** The live call session whose desk confirmation made the case (`live`). */
  session_id: z.string().optional(),
  job_id: z.string().optional(),
  item_id: z.string().optional(),
  /** A file name or a shipped set's name. */
  name: z.string().optional(),
});
export type EvalCaseSource = z.infer<typeof EvalCaseSourceSchema>;

/** One case of a revision as the API sends it. */
export const EvalCaseSchema = z.object({
  id: z.string(),
  inputs: z.record(z.string(), z.unknown()),
  expected: z.record(z.string(), z.unknown()),
  source: EvalCaseSourceSchema,
  /** The revision that last set this case's content. */
  revision: z.number().int(),
});
export type EvalCase = z.infer<typeof EvalCaseSchema>;

/** One revision of a set: what it changed, who made it and when. */
export const EvalRevisionSchema = z.object({
  revision: z.number().int(),
  at: z.string(),
  by: z.string(),
  /** e.g. `upload`, `edit`, `remove`, `promote_run`, `promote_job_item`, `builtin` */
  change: z.string(),
  added: z.number().int(),
  changed: z.number().int(),
  removed: z.number().int(),
  cases: z.number().int(),
});
export type EvalRevision = z.infer<typeof EvalRevisionSchema>;

/** A set as listed: its latest revision and how many cases that revision holds. */
export const EvalSetSummarySchema = z.object({
  id: z.string(),
  scenario_id: z.string(),
  name: z.string(),
  description: z.string(),
  revision: z.number().int(),
  cases: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type EvalSetSummary = z.infer<typeof EvalSetSummarySchema>;

/** `GET /api/scenarios/:id/eval-sets`. */
export const EvalSetListSchema = z.object({ sets: z.array(EvalSetSummarySchema) });
export type EvalSetList = z.infer<typeof EvalSetListSchema>;

/** `GET /api/eval-sets/:id[?revision=N]`: the set and the cases of one revision (default: the latest). */
export const EvalSetDetailSchema = EvalSetSummarySchema.extend({
  /** The revision whose cases are listed. */
  shown_revision: z.number().int(),
  case_list: z.array(EvalCaseSchema),
});
export type EvalSetDetail = z.infer<typeof EvalSetDetailSchema>;

/** `POST /api/scenarios/:id/eval-sets`. */
export const CreateEvalSetBodySchema = z.object({
  name: z.string().trim().min(1).max(MAX_EVAL_SET_NAME),
  description: z.string().max(2000).default(''),
});
export type CreateEvalSetBody = z.infer<typeof CreateEvalSetBodySchema>;

/** `POST /api/eval-sets/:id/cases` (JSON): cases to add (an id already in the set replaces that case). */
export const AddEvalCasesBodySchema = z.object({ cases: z.array(z.unknown()).min(1).max(MAX_EVAL_CASES) });

/** `PUT /api/eval-sets/:id/cases/:caseId`: the case's new expected outputs (and, optionally, inputs). */
export const UpdateEvalCaseBodySchema = z.object({
  expected: z.record(z.string(), z.unknown()),
  inputs: z.record(z.string(), z.unknown()).optional(),
});
export type UpdateEvalCaseBody = z.infer<typeof UpdateEvalCaseBodySchema>;

/** `POST /api/eval-sets/:id/promote`: a run, or a job item, becomes a case (its outputs the starting expected). */
export const PromoteBodySchema = z.union([
  z.object({ run_id: z.string().min(1).max(200), case_id: EvalCaseIdSchema.optional() }),
  z.object({ job_id: z.string().min(1).max(200), item_id: z.string().min(1).max(MAX_ITEM_ID_LENGTH), case_id: EvalCaseIdSchema.optional() }),
]);
export type PromoteBody = z.infer<typeof PromoteBodySchema>;

/** The reply of a change: the new revision and what it did. */
export const EvalChangeReplySchema = z.object({
  set_id: z.string(),
  revision: z.number().int(),
  added: z.number().int(),
  changed: z.number().int(),
  removed: z.number().int(),
  cases: z.number().int(),
  /** The ids of the cases the change added or changed. */
  case_ids: z.array(z.string()),
});
export type EvalChangeReply = z.infer<typeof EvalChangeReplySchema>;

/** `GET /api/eval-sets/:id/revisions`. */
export const EvalRevisionListSchema = z.object({ revisions: z.array(EvalRevisionSchema) });
export type EvalRevisionList = z.infer<typeof EvalRevisionListSchema>;

/**
 * `GET /api/scenarios/:id/eval-sets/targets`: what a case may name: the start inputs (with their types
 * and whether required) and the end outputs. Upload mappings name `inputs.<name>` or `expected.<name>`.
 */
export const EvalTargetsSchema = z.object({
  inputs: z.array(z.object({ name: z.string(), type: z.string(), required: z.boolean(), description: z.string() })),
  outputs: z.array(z.object({ name: z.string(), type: z.string(), description: z.string() })),
  /** Shipped sets this scenario may import in one click (from the template it was made from). */
  builtin: z.array(z.object({ name: z.string(), description: z.string(), cases: z.number().int(), citation: z.string() })),
});
export type EvalTargets = z.infer<typeof EvalTargetsSchema>;

/** The prefix of a table column (or mapping target) that feeds an input. */
export const INPUT_PREFIX = 'inputs.';
/** The prefix of a table column (or mapping target) that holds an expected output. */
export const EXPECTED_PREFIX = 'expected.';

/**
 * `POST /api/scenarios/:id/eval-sets/preview`: a set file's first rows as the jobs' preview gives them,
 * and `unknown_columns`: the columns (CSV, .xlsx) or keys (JSONL `inputs.<name>` / `expected.<name>`)
 * that name no start input and no end output. A JSONL key among them makes the upload refused; a table
 * column among them is read only when mapped.
 */
export const EvalUploadPreviewSchema = JobUploadPreviewSchema.extend({ unknown_columns: z.array(z.string()) });
export type EvalUploadPreview = z.infer<typeof EvalUploadPreviewSchema>;
