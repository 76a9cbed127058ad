/**
 * Batch jobs: many inputs through one published scenario version, run in the background at batch
 * priority. Shapes of `/v1/scenarios/{slug}/jobs`, `/v1/jobs/…` and the admin `/api/jobs…` replies.
 */
import { z } from 'zod';
import { RunErrorSchema } from './events.js';
import { VALUE_TYPES } from './json-schema.js';

/** Most items one job may hold. */
export const MAX_JOB_ITEMS = 100_000;

/** Longest item id accepted. */
export const MAX_ITEM_ID_LENGTH = 200;

/** One item as submitted: an optional id (a number is taken as its decimal text) and the run's inputs. */
export const JobItemInputSchema = z.object({
  id: z
    .union([z.string().min(1).max(MAX_ITEM_ID_LENGTH), z.number().int().nonnegative()])
    .transform((v) => String(v))
    .optional(),
  inputs: z.record(z.string(), z.unknown()),
});
export type JobItemInput = z.infer<typeof JobItemInputSchema>;

/** Where to POST the job summary when the job ends. */
export const JobWebhookSchema = z.object({ url: z.url({ protocol: /^https?$/ }) });

/** `POST /v1/scenarios/{slug}/jobs` (and `POST /api/scenarios/:id/jobs`) as a JSON body. */
export const JobSubmitBodySchema = z.object({
  items: z.array(z.unknown()).min(1).max(MAX_JOB_ITEMS),
  webhook: JobWebhookSchema.optional(),
});

/** `202` (or `200` for a repeated Idempotency-Key) after a submission. */
export const JobCreatedSchema = z.object({ job_id: z.string(), total: z.number().int() });
export type JobCreated = z.infer<typeof JobCreatedSchema>;

export const JobStatusSchema = z.enum(['queued', 'running', 'completed', 'cancelled']);
export type JobStatus = z.infer<typeof JobStatusSchema>;

export const JobItemStatusSchema = z.enum(['pending', 'running', 'succeeded', 'failed']);
export type JobItemStatus = z.infer<typeof JobItemStatusSchema>;

/** `GET /v1/jobs/{id}`: progress. `running` items count as pending; rate and ETA are null until known. */
export const JobProgressSchema = z.object({
  job_id: z.string(),
  status: JobStatusSchema,
  total: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  pending: z.number().int(),
  /** Items in flight right now (part of `pending`). */
  running: z.number().int(),
  scenario: z.string(),
  version: z.number().int(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  /** Items finished per second over the last half minute (null before any finished). */
  rate_per_s: z.number().nullable(),
  /** Seconds left at that rate (null when unknown, 0 when nothing is pending). */
  eta_s: z.number().nullable(),
  webhook: z.object({ url: z.string(), delivered: z.boolean(), attempts: z.number().int() }).nullable(),
});
export type JobProgress = z.infer<typeof JobProgressSchema>;

/** `202` after `POST /v1/jobs/{id}/items/{item}/retry`: how many items went back to pending, and the job. */
export const JobRetriedSchema = z.object({ retried: z.number().int(), job: JobProgressSchema });
export type JobRetried = z.infer<typeof JobRetriedSchema>;

/** One line of `GET /v1/jobs/{id}/results`: a finished item, exactly once. */
export const JobResultLineSchema = z.object({
  id: z.string(),
  run_id: z.string().nullable(),
  status: z.enum(['succeeded', 'failed']),
  /**
   * True when the built-in simulator answered a model call of the item's run: the outputs are made up.
   * False for a real model, an item that never ran, or a run no longer stored.
   */
  simulated: z.boolean().meta({ description: 'True when the built-in simulator answered a model call of this item\'s run: the outputs are made up, not a real model\'s.' }),
  outputs: z.record(z.string(), z.unknown()).optional(),
  error: RunErrorSchema.optional(),
});
export type JobResultLine = z.infer<typeof JobResultLineSchema>;

/** A failed item with its reason (the admin job view's error list). */
export const JobFailureSchema = z.object({
  id: z.string(),
  line: z.number().int(),
  run_id: z.string().nullable(),
  attempts: z.number().int(),
  error: RunErrorSchema,
  finished_at: z.string().nullable(),
});
export type JobFailure = z.infer<typeof JobFailureSchema>;

/**
 * Who submitted a job (the UI's views only, not `/v1`): a signed-in user or an API key. `id` is null for
 * jobs submitted from the UI before accounts existed; `name` is empty once the user or key is deleted.
 */
export const JobSubmitterSchema = z.object({ type: z.enum(['user', 'api_key']), id: z.string().nullable(), name: z.string() });
export type JobSubmitter = z.infer<typeof JobSubmitterSchema>;

/** `GET /api/jobs/:id`: progress plus a page of failures. */
export const JobDetailSchema = JobProgressSchema.extend({
  scenario_id: z.string(),
  /** How many of the job's finished items the built-in simulator answered (their outputs are made up). */
  simulated: z.number().int(),
  submitted_by: JobSubmitterSchema,
  errors: z.object({ items: z.array(JobFailureSchema), total: z.number().int(), offset: z.number().int(), limit: z.number().int() }),
});
export type JobDetail = z.infer<typeof JobDetailSchema>;

/** `GET /api/jobs?scenario_id=`: newest first. */
export const JobListSchema = z.object({ jobs: z.array(JobProgressSchema.extend({ scenario_id: z.string(), submitted_by: JobSubmitterSchema })) });
export type JobList = z.infer<typeof JobListSchema>;

/** The body POSTed to a job's webhook when it ends. */
export const JobWebhookPayloadSchema = z.object({
  event: z.enum(['job.completed', 'job.cancelled']),
  job_id: z.string(),
  status: JobStatusSchema,
  scenario: z.string(),
  version: z.number().int(),
  total: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  pending: z.number().int(),
  created_at: z.string(),
  finished_at: z.string().nullable(),
});
export type JobWebhookPayload = z.infer<typeof JobWebhookPayloadSchema>;

/** One column of a scenario's upload template: a start input, its type, and whether a row must fill it. */
export const JobTemplateColumnSchema = z.object({
  name: z.string(),
  type: z.enum(VALUE_TYPES),
  required: z.boolean(),
  description: z.string(),
});
export type JobTemplateColumn = z.infer<typeof JobTemplateColumnSchema>;

/**
 * `GET /api/scenarios/:id/jobs/template` (JSON): the columns a job file of the version should have (an
 * optional `id` column first, not listed) and an example row as cell text (samples masked for a reader
 * without `pii:read`). `?format=csv` and `?format=xlsx` download the same as a file.
 */
export const JobUploadTemplateSchema = z.object({
  scenario_id: z.string(),
  slug: z.string(),
  version: z.number().int(),
  columns: z.array(JobTemplateColumnSchema),
  example: z.record(z.string(), z.string()),
});
export type JobUploadTemplate = z.infer<typeof JobUploadTemplateSchema>;

/**
 * `POST /api/scenarios/:id/jobs/preview` (a job file as the submission sends it): its columns and first
 * rows as text (a workbook's first sheet, named), for mapping its columns to the inputs before submitting.
 */
export const JobUploadPreviewSchema = z.object({
  format: z.enum(['json', 'jsonl', 'csv', 'xlsx']),
  sheet: z.string().optional(),
  columns: z.array(z.string()),
  rows: z.array(z.array(z.string())),
});
export type JobUploadPreview = z.infer<typeof JobUploadPreviewSchema>;

/** The media type of an Excel workbook (.xlsx). */
export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * The file formats a job may be uploaded as, each at its own path (`/v1/scenarios/{slug}/jobs/{name}`)
 * with one media type, so a generated client that sends no Content-Type is still understood.
 */
export const JOB_UPLOAD_FORMATS = [
  { name: 'jsonl', label: 'JSON Lines', mediaType: 'application/x-ndjson', description: 'One `{ "id"?, "inputs" }` object per line.' },
  { name: 'csv', label: 'CSV', mediaType: 'text/csv', description: 'A header row of input names (optionally an `id` column), then one item per row; cells are converted to the declared types.' },
  { name: 'xlsx', label: 'Excel', mediaType: XLSX_MEDIA_TYPE, description: 'An Excel workbook: its first sheet read as the CSV is (header row of input names, optional `id` column); errors name the sheet row.' },
] as const;
export type JobUploadFormat = (typeof JOB_UPLOAD_FORMATS)[number];
