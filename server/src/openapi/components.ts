/**
 * The parts of every `/v1` OpenAPI document that do not depend on a scenario: the component schemas
 * (the zod schemas the `/v1` handlers answer with, from `@shared/v1.ts` and `@shared/jobs.ts`), the
 * error responses each operation really sends, the bearer scheme and the job and run paths. zod-openapi
 * renders them, so a schema changed in `shared/` changes the documents with it.
 */
import { z } from 'zod';
import type { ZodOpenApiPathsObject, ZodOpenApiResponseObject, ZodOpenApiResponsesObject } from 'zod-openapi';
import { JobCreatedSchema, JobProgressSchema, JobResultLineSchema, JobRetriedSchema } from '@shared/jobs.js';
import { UsageSchema } from '@shared/usage.js';
import { V1ErrorSchema, V1RunDetailSchema, V1RunErrorSchema } from '@shared/v1.js';

/** A JSON Schema object as OpenAPI 3.1 embeds it (JSON Schema 2020-12). */
export type SchemaObject = Record<string, unknown>;

/** Component schemas shared by every document, by component name. */
export const SHARED_COMPONENTS = {
  Error: V1ErrorSchema,
  RunError: V1RunErrorSchema,
  Usage: UsageSchema,
  RunDetail: V1RunDetailSchema,
  JobAccepted: JobCreatedSchema,
  JobStatus: JobProgressSchema,
  JobRetried: JobRetriedSchema,
  JobResultLine: JobResultLineSchema,
};

/** A `$ref` to a component schema, as a raw schema object. */
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** One error status of an operation: what it means and the `error.code`s sent with it. */
export interface ErrorStatus {
  description: string;
  codes: readonly string[];
}

/** The NUL rule (shared/src/nul.ts), as every operation that takes input says it. */
export const NUL_NOTE = 'No value may hold the character U+0000 (NUL), in the body (keys too), a file, the query or the path: 400 `nul_character`, with `details.path` (`body.inputs.transcript`, `query.webhook`, `url`) or, in a file, `details.line` (`row`, `sheet`, `column` for a cell).';

/** The errors every key-protected call may answer with before it reaches its route. */
export const AUTH_ERRORS = {
  '401': { description: 'Missing, unknown or revoked API key (`Authorization: Bearer <key>`).', codes: ['unauthorized'] },
  '429': { description: "The key's rate limit is used up; retry after `Retry-After` seconds.", codes: ['rate_limited'] },
} satisfies Record<string, ErrorStatus>;

/**
 * Error responses with `schema` as their body (the run API's errors carry a `run_id`, the others need
 * not); each lists its codes, and its example is the first of them.
 */
export function errorResponses(schema: z.ZodType, statuses: Record<string, ErrorStatus>): ZodOpenApiResponsesObject {
  const out: Record<string, ZodOpenApiResponseObject> = {};
  for (const [status, { description, codes }] of Object.entries(statuses)) {
    const example = { error: { code: codes[0], message: description }, ...(schema === V1RunErrorSchema ? { run_id: '01936d3c-7a1e-7c3f-9a2b-5e8f1d2c3b4a' } : {}) };
    const response: ZodOpenApiResponseObject = {
      description: `${description} Codes: ${codes.map((c) => `\`${c}\``).join(', ')}.`,
      content: { 'application/json': { schema, example } },
    };
    if (status === '429') response.headers = z.object({ 'Retry-After': z.number().int().meta({ description: 'Seconds to wait before retrying.' }) });
    out[status] = response;
  }
  return out;
}

const jobIdParams = z.object({ job_id: z.string().meta({ description: 'The id returned when the job was submitted.' }) });

const JOB_ERRORS = { ...AUTH_ERRORS, '404': { description: 'No such job, or one this key may not see: a key sees the jobs it submitted (one with the `runs:read` scope also reads, but never cancels or retries, every job of the scenarios it may call).', codes: ['unknown_job'] } };

/** The paths about jobs and runs, which are the same for every scenario. */
export function sharedPaths(): ZodOpenApiPathsObject {
  return {
    '/v1/jobs/{job_id}': {
      get: {
        operationId: 'getJob',
        summary: 'Progress of a batch job',
        tags: ['jobs'],
        requestParams: { path: jobIdParams },
        responses: { '200': { description: 'The job status.', content: { 'application/json': { schema: JobProgressSchema } } }, ...errorResponses(V1ErrorSchema, JOB_ERRORS) },
      },
    },
    '/v1/jobs/{job_id}/results': {
      get: {
        operationId: 'getJobResults',
        summary: 'Results of the finished items of a job, one JSON object per line',
        tags: ['jobs'],
        requestParams: {
          path: jobIdParams,
          query: z.object({
            format: z.enum(['jsonl', 'csv', 'xlsx']).optional().meta({ description: 'JSON Lines (default), or CSV or an Excel workbook: `id`, `run_id`, `status`, `simulated` (true when the built-in simulator answered the item: its outputs are made up), one column per output and a score and result column per audit item, then `error_code` and `error_message`.' }),
            lang: z.enum(['zh', 'en']).optional().meta({ description: 'Language of the audit item columns (`<item> · 得分/结果` or `<item> · score/result`) and their pass/fail words in CSV and Excel; default zh.' }),
          }),
        },
        responses: {
          '200': {
            description: 'JSON Lines (each line a `JobResultLine`, whose `simulated` says whether the built-in simulator answered it), or CSV with `?format=csv`, or an Excel workbook with `?format=xlsx`.',
            content: {
              'application/x-ndjson': {
                schema: { type: 'string', contentMediaType: 'application/x-ndjson', 'x-line-schema': ref('JobResultLine') },
                example: '{"id":"1","run_id":"run_01","status":"succeeded","simulated":false,"outputs":{}}\n{"id":"2","run_id":"run_02","status":"failed","simulated":false,"error":{"code":"model_error","message":"the model endpoint failed"}}\n',
              },
              'text/csv': { schema: { type: 'string' } },
              'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } },
            },
          },
          ...errorResponses(V1ErrorSchema, JOB_ERRORS),
        },
      },
    },
    '/v1/jobs/{job_id}/cancel': {
      post: {
        operationId: 'cancelJob',
        summary: 'Cancel the pending items of a job',
        tags: ['jobs'],
        requestParams: { path: jobIdParams },
        responses: {
          '200': { description: 'The job status after cancelling.', content: { 'application/json': { schema: JobProgressSchema } } },
          ...errorResponses(V1ErrorSchema, { ...JOB_ERRORS, '409': { description: 'The job had already ended (completed or cancelled).', codes: ['job_ended'] } }),
        },
      },
    },
    '/v1/jobs/{job_id}/items/{item_id}/retry': {
      post: {
        operationId: 'retryJobItem',
        summary: 'Run one failed item of a job again',
        description: 'The item goes back to pending and gets a new `run_id` when it runs.',
        tags: ['jobs'],
        requestParams: { path: jobIdParams.extend({ item_id: z.string().meta({ description: "The item's `id` (its line number when it was submitted without one)." }) }) },
        responses: {
          '202': { description: 'The item is pending again; `retried` is 1.', content: { 'application/json': { schema: JobRetriedSchema } } },
          ...errorResponses(V1ErrorSchema, {
            ...AUTH_ERRORS,
            '404': { description: 'No such job, or no such item in it.', codes: ['unknown_job', 'unknown_item'] },
            '409': { description: 'The job was cancelled, or the item has not failed.', codes: ['job_cancelled', 'item_not_failed'] },
          }),
        },
      },
    },
    '/v1/runs/{run_id}': {
      get: {
        operationId: 'getRun',
        summary: 'A run with its per-node trace',
        description: "Any `run_id` of a run reply, a run error or a job result line. A key reads the runs it made (its jobs' included); a key with the `runs:read` scope reads every run of the scenarios it may call.",
        tags: ['runs'],
        requestParams: { path: z.object({ run_id: z.string().meta({ description: 'The `run_id` of a run response or of a job result.' }) }) },
        responses: {
          '200': { description: 'The run.', content: { 'application/json': { schema: V1RunDetailSchema } } },
          ...errorResponses(V1ErrorSchema, { ...AUTH_ERRORS, '404': { description: 'No such run (or one this key may not see).', codes: ['unknown_run'] } }),
        },
      },
    },
  };
}

/** The bearer scheme every `/v1` call (except the documents) uses. */
export const SECURITY_SCHEMES = {
  bearer: { type: 'http' as const, scheme: 'bearer', description: 'An API key created by an admin: `Authorization: Bearer <key>`.' },
};
