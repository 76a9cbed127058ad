/**
 * The parts of every `/v1` OpenAPI document that do not depend on a scenario: the error shape, usage,
 * run detail, job shapes, the bearer scheme and the shared job and run paths. They are generated from
 * the same zod schemas the `/v1` handlers answer with (`@shared/v1.ts`, `@shared/jobs.ts`).
 */
import { z } from 'zod';
import { JobCreatedSchema, JobProgressSchema, JobResultLineSchema } from '@shared/jobs.js';
import { UsageSchema } from '@shared/usage.js';
import { V1ErrorSchema, V1RunDetailSchema } from '@shared/v1.js';

/** A JSON Schema object as OpenAPI 3.1 embeds it (JSON Schema 2020-12). */
export type SchemaObject = Record<string, unknown>;

/** A zod schema as an OpenAPI 3.1 schema object (no `$schema` key: the document sets the dialect). */
export function toSchema(schema: z.ZodType): SchemaObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any' });
  return rest;
}

/** Component schemas shared by every document. */
export function sharedSchemas(): Record<string, SchemaObject> {
  return {
    Error: toSchema(V1ErrorSchema),
    Usage: toSchema(UsageSchema),
    RunDetail: toSchema(V1RunDetailSchema),
    JobAccepted: toSchema(JobCreatedSchema),
    JobStatus: toSchema(JobProgressSchema),
    JobResultLine: toSchema(JobResultLineSchema),
  };
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** A response whose body is the common error shape. */
export function errorResponse(description: string, code: string): SchemaObject {
  return {
    description,
    content: { 'application/json': { schema: ref('Error'), example: { error: { code, message: description }, run_id: 'run_01' } } },
  };
}

/** The errors any authenticated call may answer with. */
export function authErrors(): Record<string, SchemaObject> {
  return {
    '401': errorResponse('Missing or invalid API key (`Authorization: Bearer <key>`).', 'unauthorized'),
    '403': errorResponse('The key may not call this scenario, or it has been revoked.', 'forbidden'),
    '429': { ...errorResponse('Rate limit of the key exceeded.', 'rate_limited'), headers: { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } } } },
  };
}

const jobIdParam = { name: 'job_id', in: 'path', required: true, schema: { type: 'string' }, description: 'The id returned when the job was submitted.' };

/** The paths about jobs and runs, which are the same for every scenario. */
export function sharedPaths(): Record<string, SchemaObject> {
  return {
    '/v1/jobs/{job_id}': {
      get: {
        operationId: 'getJob',
        summary: 'Progress of a batch job',
        tags: ['jobs'],
        parameters: [jobIdParam],
        responses: { '200': { description: 'The job status.', content: { 'application/json': { schema: ref('JobStatus') } } }, ...authErrors(), '404': errorResponse('No such job.', 'not_found') },
      },
    },
    '/v1/jobs/{job_id}/results': {
      get: {
        operationId: 'getJobResults',
        summary: 'Results of the finished items of a job, one JSON object per line',
        tags: ['jobs'],
        parameters: [jobIdParam, { name: 'format', in: 'query', required: false, schema: { enum: ['jsonl', 'csv'] }, description: 'JSON Lines (default) or CSV with one column per output.' }],
        responses: {
          '200': {
            description: 'JSON Lines (each line a `JobResultLine`), or CSV with `?format=csv`.',
            content: {
              'application/x-ndjson': {
                schema: { type: 'string', contentMediaType: 'application/x-ndjson', 'x-line-schema': ref('JobResultLine') },
                example: '{"id":"1","run_id":"run_01","status":"succeeded","outputs":{}}\n{"id":"2","run_id":"run_02","status":"failed","error":{"code":"model_error","message":"the model endpoint failed"}}\n',
              },
              'text/csv': { schema: { type: 'string' } },
            },
          },
          ...authErrors(),
          '404': errorResponse('No such job.', 'not_found'),
        },
      },
    },
    '/v1/jobs/{job_id}/cancel': {
      post: {
        operationId: 'cancelJob',
        summary: 'Cancel the pending items of a job',
        tags: ['jobs'],
        parameters: [jobIdParam],
        responses: { '200': { description: 'The job status after cancelling.', content: { 'application/json': { schema: ref('JobStatus') } } }, ...authErrors(), '404': errorResponse('No such job.', 'not_found') },
      },
    },
    '/v1/runs/{run_id}': {
      get: {
        operationId: 'getRun',
        summary: 'A run with its per-node trace',
        tags: ['runs'],
        parameters: [{ name: 'run_id', in: 'path', required: true, schema: { type: 'string' }, description: 'The `run_id` of any run response.' }],
        responses: { '200': { description: 'The run.', content: { 'application/json': { schema: ref('RunDetail') } } }, ...authErrors(), '404': errorResponse('No such run.', 'unknown_run') },
      },
    },
  };
}

/** The bearer scheme every `/v1` call (except the documents) uses. */
export const SECURITY_SCHEMES = {
  bearer: { type: 'http', scheme: 'bearer', description: 'An API key created by an admin: `Authorization: Bearer <key>`.' },
};
