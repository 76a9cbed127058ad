/**
 * Human review (人工复核): which results of a published scenario an inspector confirms or corrects, the
 * queue of those results, and the decisions. Rules per scenario choose results as they are produced (a
 * `/v1` run, a batch job's item); a decision becomes a labelled case in the scenario's target evaluation
 * set. Shapes of `/api/scenarios/:id/review-rules` and `/api/review/…`.
 */
import { z } from 'zod';

/** The rules a scenario may combine; each names the end output(s) it reads. */
export const REVIEW_RULE_KINDS = ['low_confidence', 'red_line', 'daily_sample', 'disagreement', 'always'] as const;
export type ReviewRuleKind = (typeof REVIEW_RULE_KINDS)[number];

const OutputName = z.string().trim().min(1).max(100);

/** One rule. */
export const ReviewRuleSchema = z.discriminatedUnion('kind', [
  /** A number output (or an object's `confidence`, e.g. a classifier's whole output) below `below`. */
  z.object({ kind: z.literal('low_confidence'), output: OutputName, below: z.number().gt(0).max(1) }),
  /** An audit output with a red-line (fatal) item failed, a non-empty list of red-line ids, or the verdict `fail`. */
  z.object({ kind: z.literal('red_line'), output: OutputName }),
  /** A reproducible random sample: `percent` of the results, at most `max_per_day` a day (server's local day). */
  z.object({ kind: z.literal('daily_sample'), percent: z.number().gt(0).max(100), max_per_day: z.number().int().min(1).max(100_000).optional(), seed: z.string().max(100).default('') }),
  /** Two outputs that should agree (e.g. a model's judgement and a rule's) differ. */
  z.object({ kind: z.literal('disagreement'), outputs: z.tuple([OutputName, OutputName]) }),
  /** Every result (form filling that the agent confirms). */
  z.object({ kind: z.literal('always') }),
]);
export type ReviewRule = z.infer<typeof ReviewRuleSchema>;

/** Most rules one scenario may hold. */
export const MAX_REVIEW_RULES = 20;

/** `PUT /api/scenarios/:id/review-rules`. */
export const ReviewRulesBodySchema = z.object({
  /** Any result that matches any rule enters the queue; none: review is off. */
  rules: z.array(ReviewRuleSchema).max(MAX_REVIEW_RULES),
  /** The end outputs an inspector reviews (what a decision writes as `expected`); empty: all of them. */
  outputs: z.array(OutputName).max(200).default([]),
  /** The evaluation set decisions go to; null: 人工复核 / "Human review", made on first need. */
  set_id: z.string().min(1).max(100).nullable().default(null),
});
export type ReviewRulesBody = z.infer<typeof ReviewRulesBodySchema>;

/** How the review page shows and edits one end output. */
export const REVIEW_OUTPUT_KINDS = ['form', 'audit', 'label', 'boolean', 'number', 'text', 'json'] as const;
export type ReviewOutputKind = (typeof REVIEW_OUTPUT_KINDS)[number];

/** An end output as the rules editor offers it. */
export const ReviewOutputInfoSchema = z.object({ name: z.string(), type: z.string(), kind: z.enum(REVIEW_OUTPUT_KINDS), description: z.string() });
export type ReviewOutputInfo = z.infer<typeof ReviewOutputInfoSchema>;

/** `GET /api/scenarios/:id/review-rules`. */
export const ReviewRulesReplySchema = z.object({
  scenario_id: z.string(),
  rules: z.array(ReviewRuleSchema),
  outputs: z.array(z.string()),
  set_id: z.string().nullable(),
  /** The end outputs the rules are checked against: the live version's, else the draft's. */
  available: z.array(ReviewOutputInfoSchema),
  /** `live` (version N) or `draft` (not published yet). */
  checked_against: z.object({ kind: z.enum(['live', 'draft']), version: z.number().int().nullable() }),
  updated_by: z.string().nullable(),
  updated_at: z.string().nullable(),
});
export type ReviewRulesReply = z.infer<typeof ReviewRulesReplySchema>;

/** Why a result entered the queue: the rule and what it saw (e.g. confidence 0.42 < 0.6). */
export const ReviewReasonSchema = z.object({
  code: z.enum(REVIEW_RULE_KINDS),
  output: z.string().optional(),
  outputs: z.array(z.string()).optional(),
  /** The value the rule read (a confidence, the two values that differ). */
  value: z.unknown().optional(),
  /** The threshold (`low_confidence`) or the sample percentage (`daily_sample`). */
  threshold: z.number().optional(),
  /** The failed red-line item ids (`red_line`). */
  items: z.array(z.string()).optional(),
});
export type ReviewReason = z.infer<typeof ReviewReasonSchema>;

export const REVIEW_STATUSES = ['pending', 'confirmed', 'corrected'] as const;
export const ReviewStatusSchema = z.enum(REVIEW_STATUSES);
export type ReviewStatus = z.infer<typeof ReviewStatusSchema>;

/** Where a reviewed result came from: a `/v1` run, or a batch job's item (and the run that answered it). */
export const ReviewSourceSchema = z.union([
  z.object({ kind: z.literal('run'), run_id: z.string() }),
  z.object({ kind: z.literal('job_item'), job_id: z.string(), item_id: z.string(), run_id: z.string() }),
]);
export type ReviewSource = z.infer<typeof ReviewSourceSchema>;

/** A decision: who, when, the outputs as decided (the reviewed ones), which of them the inspector changed. */
export const ReviewDecisionSchema = z.object({
  by: z.string(),
  at: z.string(),
  outputs: z.record(z.string(), z.unknown()),
  changed: z.array(z.string()),
  note: z.string(),
  set_id: z.string(),
  case_id: z.string(),
  /** The set revision the decision made. */
  revision: z.number().int(),
  /** How many decisions the item has had (2 or more: re-decided). */
  decisions: z.number().int(),
});
export type ReviewDecision = z.infer<typeof ReviewDecisionSchema>;

/** One item of the queue as listed. */
export const ReviewItemSummarySchema = z.object({
  id: z.string(),
  scenario_id: z.string(),
  scenario_name: z.string(),
  slug: z.string(),
  version: z.number().int(),
  source: ReviewSourceSchema,
  reasons: z.array(ReviewReasonSchema),
  status: ReviewStatusSchema,
  simulated: z.boolean(),
  created_at: z.string(),
  decided_at: z.string().nullable(),
  decided_by: z.string().nullable(),
});
export type ReviewItemSummary = z.infer<typeof ReviewItemSummarySchema>;

/** `GET /api/review/items`: a page (oldest first) and the counts by status under the same scenario/reason filter. */
export const ReviewListSchema = z.object({
  items: z.array(ReviewItemSummarySchema),
  next_cursor: z.string().nullable(),
  counts: z.record(ReviewStatusSchema, z.number().int()),
});
export type ReviewList = z.infer<typeof ReviewListSchema>;

/** A transcript turn as the engine numbers it (`t1`, `t2`, …): what evidence ids point at. */
export const ReviewTurnSchema = z.object({ id: z.string(), role: z.string(), text: z.string() });

/** One end output as the review page shows it. */
export const ReviewOutputViewSchema = z.object({
  name: z.string(),
  type: z.string(),
  kind: z.enum(REVIEW_OUTPUT_KINDS),
  description: z.string(),
  /** Whether the inspector reviews it (a decision writes it into `expected`). */
  reviewed: z.boolean(),
  value: z.unknown(),
  /** `form`: per field, the turn ids the value came from (from the value itself or a sibling `evidence` output). */
  evidence: z.record(z.string(), z.array(z.string())).optional(),
  /** `label`: the classes to choose from, with their names where a classifier declares them. */
  labels: z.array(z.object({ id: z.string(), name: z.string() })).optional(),
  /** The output's human name where the graph declares one (a labelled field of an extract or LLM node); show `name` without it. */
  label: z.string().optional(),
  /** `form`: the human names of its fields by key (联系电话 for `phone`), those the graph declares; show the key for the others. */
  field_labels: z.record(z.string(), z.string()).optional(),
});
export type ReviewOutputView = z.infer<typeof ReviewOutputViewSchema>;

/** `GET /api/review/items/:id`: everything needed to review. */
export const ReviewItemDetailSchema = ReviewItemSummarySchema.extend({
  inputs: z.record(z.string(), z.unknown()).nullable(),
  /** Inputs of type transcript, as numbered turns, by input name. */
  transcripts: z.record(z.string(), z.array(ReviewTurnSchema)),
  outputs: z.record(z.string(), z.unknown()),
  views: z.array(ReviewOutputViewSchema),
  decision: ReviewDecisionSchema.nullable(),
  /** When the transcript retention cleared the inputs; null while kept. */
  redacted_at: z.string().nullable(),
});
export type ReviewItemDetail = z.infer<typeof ReviewItemDetailSchema>;

/**
 * `POST /api/review/items/:id/confirm` and `…/correct`. A decided item refuses another decision (409
 * `already_decided`) unless `redecide` is true: then the new decision replaces the old one (and its case).
 */
export const ReviewConfirmBodySchema = z.object({ note: z.string().max(2000).default(''), redecide: z.boolean().default(false) });
export type ReviewConfirmBody = z.infer<typeof ReviewConfirmBodySchema>;
export const ReviewCorrectBodySchema = ReviewConfirmBodySchema.extend({
  /** The corrected values of reviewed outputs (those not named stay as the model gave them). */
  outputs: z.record(z.string(), z.unknown()),
});
export type ReviewCorrectBody = z.infer<typeof ReviewCorrectBodySchema>;

/** The reply of a decision: the item as it now is and the set change it made. */
export const ReviewDecisionReplySchema = z.object({ item: ReviewItemDetailSchema, set_id: z.string(), case_id: z.string(), revision: z.number().int() });
export type ReviewDecisionReply = z.infer<typeof ReviewDecisionReplySchema>;

/** The name of the set made on first need when a scenario names none. */
export const REVIEW_SET_NAME = '人工复核';
