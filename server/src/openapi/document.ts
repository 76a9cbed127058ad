/**
 * OpenAPI 3.1 documents of published scenarios: one per scenario (its run, stream and jobs paths with
 * the start node's input schema and the end node's output schema) and one for every live scenario.
 * Rendered by zod-openapi from the zod schemas the `/v1` routes answer with; only a scenario's own
 * input and output schemas (JSON Schemas compiled from its graph) are spliced in as components.
 */
import { z } from 'zod';
import { createDocument, type ZodOpenApiObject, type ZodOpenApiOperationObject, type ZodOpenApiOverrideContext, type ZodOpenApiOverrideMetaContext, type ZodOpenApiPathsObject } from 'zod-openapi';
import type { JsonSchema } from '@shared/json-schema.js';
import { JOB_UPLOAD_FORMATS, JobItemInputSchema, JobSubmitBodySchema, MAX_ITEM_ID_LENGTH, MAX_JOB_ITEMS, XLSX_MEDIA_TYPE } from '@shared/jobs.js';
import { V1RunBodySchema, V1RunErrorSchema, V1RunResultSchema, V1ErrorSchema } from '@shared/v1.js';
import { AUTH_ERRORS, errorResponses, NUL_NOTE, SECURITY_SCHEMES, SHARED_COMPONENTS, sharedPaths, type ErrorStatus, type SchemaObject } from './components.js';
import { exampleFor, exampleInputs } from './examples.js';
import { SESSION_COMPONENTS, sessionCreateOperation, sessionPaths } from './session-paths.js';
import { escapeSchemaDescriptions, markdownText } from './markdown.js';


/** What a document needs to know about one published scenario. */
export interface DocumentedScenario {
  slug: string;
  name: string;
  description?: string;
  version: number;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
}

/** Where the API is reached. */
export interface DocumentOptions {
  /** e.g. `https://mofang.example.com` (see `publicOrigin`). */
  serverUrl: string;
}

/**
 * A zod stand-in for a component that is a plain JSON Schema (a scenario's inputs or outputs): it
 * renders as a `$ref` to it. No `id` in its metadata, so nothing is added to zod's global registry.
 */
function componentRef(name: string): z.ZodType<Record<string, unknown>> {
  return z.record(z.string(), z.unknown()).meta({
    override: ({ jsonSchema }: ZodOpenApiOverrideMetaContext) => {
      for (const key of Object.keys(jsonSchema)) Reflect.deleteProperty(jsonSchema, key);
      Object.assign(jsonSchema, { $ref: `#/components/schemas/${name}` });
    },
  });
}

function sseExample(outputs: unknown): string {
  const usage = { model_calls: 1, prompt_tokens: 120, completion_tokens: 40 };
  const events = [
    ['run.started', { type: 'run.started', run_id: 'run_01', at: 0, inputs: {} }],
    ['node.started', { type: 'node.started', run_id: 'run_01', at: 1, node_id: 'start', kind: 'start' }],
    ['node.finished', { type: 'node.finished', run_id: 'run_01', at: 2, node_id: 'start', kind: 'start', outputs: {} }],
    ['run.finished', { type: 'run.finished', run_id: 'run_01', at: 350, outputs, usage, latency_ms: 350 }],
  ] as const;
  return events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join('');
}

/** A CSV upload with an id column and one row of the example inputs. */
function csvExample(inputs: Record<string, unknown>): string {
  const cell = (v: unknown) => {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const names = Object.keys(inputs);
  return `${['id', ...names].join(',')}\n${['call-1', ...names.map((n) => cell(inputs[n]))].join(',')}\n`;
}

/** The errors of the run API before a run starts, and those of a run that failed (JSON only). */
const RUN_REFUSALS: Record<string, ErrorStatus> = {
  '400': { description: `The body is not JSON or not \`{ "inputs": { … } }\`, the inputs fail the schema (\`details.problems\` lists the paths), or \`?version\` is not a number. ${NUL_NOTE}`, codes: ['invalid_inputs', 'invalid_json', 'invalid_body', 'invalid_version', 'too_deep', 'nul_character'] },
  ...AUTH_ERRORS,
  '404': { description: 'Unknown scenario or version (also for a scenario outside the key\'s scope).', codes: ['unknown_scenario', 'unknown_version'] },
  '409': { description: 'That version can no longer be run (its graph no longer compiles).', codes: ['version_not_runnable'] },
  '413': { description: 'The body is larger than `MOFANG_API_BODY_LIMIT`, or a value in it breaks a JSON limit.', codes: ['payload_too_large', 'string_too_long', 'array_too_long', 'value_too_large'] },
  '415': { description: 'A charset or `Content-Encoding` the server does not read.', codes: ['charset_unsupported', 'encoding_unsupported'] },
};
const RUN_FAILURES: Record<string, ErrorStatus> = {
  '422': { description: 'The run failed in a node (`details.cause` and `details.node_id` say which and why).', codes: ['run_failed'] },
  '502': { description: 'The model endpoint or an HTTP node\'s target failed.', codes: ['model_error', 'http_error'] },
  '503': { description: 'A code node waited longer than `MOFANG_CODE_QUEUE_MS` for a sandbox worker; the server is busy, try again.', codes: ['code_queue_timeout'] },
  '504': { description: 'The run exceeded its deadline (`MOFANG_RUN_DEADLINE_MS`).', codes: ['deadline_exceeded'] },
};

/** Errors of a job submission (none carries a run: nothing has run yet). */
const JOB_SUBMIT_ERRORS: Record<string, ErrorStatus> = {
  '400': { description: `A bad line, row, body, workbook, webhook, \`?version\` or \`?mapping\`; \`details.line\` (and \`details.row\` for a workbook, \`details.column\` for a cell) names it. Nothing is stored. ${NUL_NOTE}`, codes: ['invalid_item', 'invalid_body', 'invalid_xlsx', 'invalid_webhook', 'invalid_version', 'invalid_mapping', 'unmapped_input', 'nul_character'] },
  ...AUTH_ERRORS,
  '404': { description: 'Unknown scenario or version (also for a scenario outside the key\'s scope).', codes: ['unknown_scenario', 'unknown_version'] },
  '409': { description: 'The Idempotency-Key was used for another body, or that version can no longer be run.', codes: ['idempotency_conflict', 'version_not_runnable'] },
  '413': { description: 'Upload larger than `MOFANG_JOB_UPLOAD_LIMIT`, or a workbook unpacking past `MOFANG_JOB_XLSX_UNPACKED_LIMIT`.', codes: ['upload_too_large'] },
  '415': { description: 'A Content-Type this path does not take, a text encoding other than UTF-8, GB18030/GBK or UTF-16 with a BOM, or a `Content-Encoding` other than gzip, deflate or br.', codes: ['unsupported_media_type', 'unsupported_encoding', 'unsupported_content_encoding'] },
};

const ENCODINGS_NOTE = 'Text bodies may be UTF-8 (a BOM is dropped), GB18030/GBK or UTF-16 with a BOM; any other encoding is refused with 415 `unsupported_encoding` naming it. Bodies may be sent with `Content-Encoding: gzip`, `deflate` or `br`.';

/** The run, stream and jobs paths of one scenario, and the component schemas they reference. */
function scenarioParts(s: DocumentedScenario): { paths: ZodOpenApiPathsObject; schemas: Record<string, SchemaObject | z.ZodType> } {
  // Slugs are unique and may contain only [a-z0-9-], which component names allow as they are.
  const names = { inputs: `${s.slug}.Inputs`, outputs: `${s.slug}.Outputs`, result: `${s.slug}.RunResult` };
  const inputs = exampleInputs(s.inputSchema);
  const outputs = exampleFor(s.outputSchema);
  const id = s.slug.replace(/-/g, '_');
  const tags = [s.slug];
  const version = z.object({
    version: z.number().int().min(1).optional().meta({ description: `Pin a published version (default: the live version, now ${s.version}).` }),
  });
  const runResult = V1RunResultSchema.extend({ outputs: componentRef(names.outputs) });
  const runBody = V1RunBodySchema.extend({ inputs: componentRef(names.inputs) });
  const usage = { model_calls: 1, prompt_tokens: 120, completion_tokens: 40 };
  const runRequest = { required: true, content: { 'application/json': { schema: runBody, example: { inputs } } } };
  const runIdHeader = z.object({ 'X-Run-Id': z.string().meta({ description: 'The run id, also in the body.' }) });

  const run: ZodOpenApiOperationObject = {
    operationId: `run_${id}`,
    summary: `Run ${s.name}`,
    description: 'Runs the scenario and answers with the result when it has finished. To receive the run as server-sent events, call `…/run/stream`.',
    tags,
    requestParams: { query: version },
    requestBody: runRequest,
    responses: {
      '200': {
        description: 'The finished run.',
        headers: runIdHeader,
        content: { 'application/json': { schema: runResult, example: { run_id: 'run_01', scenario: s.slug, version: s.version, status: 'succeeded', outputs, usage, latency_ms: 350, model: 'simulator', simulated: true } } },
      },
      ...errorResponses(V1RunErrorSchema, { ...RUN_REFUSALS, ...RUN_FAILURES }),
    },
  };
  const stream: ZodOpenApiOperationObject = {
    operationId: `stream_${id}`,
    summary: `Run ${s.name}, streaming its events`,
    description:
      'The same run as `…/run`, answered as server-sent events (event name = event type): `run.started`, `node.started`, `node.finished`, … and last `run.finished` or `run.failed`. A run that fails once started ends with `run.failed` in the stream, not with an error status. The same stream is sent by `…/run` to a request with `Accept: text/event-stream`.',
    tags,
    requestParams: {
      query: version,
      header: z.object({
        'Last-Event-ID': z
          .string()
          .optional()
          .meta({ description: 'Sent by a reconnecting EventSource: the id of the last event received (`<run_id>:<n>`). The rest of that run is sent; no new run starts.' }),
      }),
    },
    requestBody: runRequest,
    responses: {
      '204': { description: 'A reconnect (`Last-Event-ID`) naming a run that is no longer known: nothing more to send; an EventSource stops reconnecting.' },
      '200': {
        description: 'The run as server-sent events; each event has an id `<run_id>:<n>`.',
        headers: runIdHeader,
        content: { 'text/event-stream': { schema: z.string().meta({ description: 'Server-sent events; each `data:` is one JSON run event.' }), example: sseExample(outputs) } },
      },
      ...errorResponses(V1RunErrorSchema, RUN_REFUSALS),
    },
  };
  const jobParams = {
    query: version.extend({
      mapping: z.string().optional().meta({ description: 'Where each input comes from, as JSON: input name (or `id`) → the column of a CSV or sheet (a key of `inputs` for JSON and JSONL), e.g. `{"transcript":"通话内容"}`; columns it does not name are left out. 400 `invalid_mapping` (not such an object, or an unknown input) or `unmapped_input` (a required input without a column).' }),
    }),
    header: z.object({ 'Idempotency-Key': z.string().max(200).optional().meta({ description: 'Resubmitting with the same key and body returns the same job (200).' }) }),
  };
  const jobResponses = {
    '200': { description: 'The same Idempotency-Key and body as an earlier submission: that job.', content: { 'application/json': { schema: SHARED_COMPONENTS.JobAccepted } } },
    '202': { description: 'Accepted.', content: { 'application/json': { schema: SHARED_COMPONENTS.JobAccepted, example: { job_id: 'job_01', total: 1 } } } },
    ...errorResponses(V1ErrorSchema, JOB_SUBMIT_ERRORS),
  };
  const jobItem = JobItemInputSchema.extend({
    id: z.union([z.string().min(1).max(MAX_ITEM_ID_LENGTH), z.number().int().nonnegative()]).optional().meta({ description: 'Defaults to the line number.' }),
    inputs: componentRef(names.inputs),
  });
  const jobsBody = JobSubmitBodySchema.extend({ items: z.array(jobItem).min(1).max(MAX_JOB_ITEMS) });
  const jobs: ZodOpenApiOperationObject = {
    operationId: `jobs_${id}`,
    summary: `Submit a batch of ${s.name} runs (JSON)`,
    description: `Items without an \`id\` get their line number. Collect results with \`GET /v1/jobs/{job_id}/results\`. JSON Lines, CSV and Excel files go to \`…/jobs/jsonl\`, \`…/jobs/csv\` and \`…/jobs/xlsx\`. ${ENCODINGS_NOTE}`,
    tags,
    requestParams: jobParams,
    requestBody: { required: true, content: { 'application/json': { schema: jobsBody, example: { items: [{ id: 'call-1', inputs }] } } } },
    responses: jobResponses,
  };
  const examples: Record<string, unknown> = { jsonl: `${JSON.stringify({ id: 'call-1', inputs })}\n`, csv: csvExample(inputs) };
  const paths: ZodOpenApiPathsObject = {
    [`/v1/scenarios/${s.slug}/run`]: { post: run },
    [`/v1/scenarios/${s.slug}/run/stream`]: { post: stream },
    [`/v1/scenarios/${s.slug}/jobs`]: { post: jobs },
    [`/v1/scenarios/${s.slug}/sessions`]: { post: sessionCreateOperation(s.slug, s.name, id, version) },
  };
  for (const format of JOB_UPLOAD_FORMATS) {
    const media = { schema: z.string().meta({ description: format.description, ...(format.mediaType === XLSX_MEDIA_TYPE ? { contentMediaType: XLSX_MEDIA_TYPE } : {}) }), ...(examples[format.name] === undefined ? {} : { example: examples[format.name] }) };
    paths[`/v1/scenarios/${s.slug}/jobs/${format.name}`] = {
      post: {
        operationId: `jobs_${id}_${format.name}`,
        summary: `Submit a batch of ${s.name} runs (${format.label})`,
        description: `${format.description} The Content-Type may be left out. ${ENCODINGS_NOTE}`,
        tags,
        requestParams: jobParams,
        requestBody: { required: true, content: { [format.mediaType]: media } },
        responses: jobResponses,
      },
    };
  }
  const schemas: Record<string, SchemaObject | z.ZodType> = {
    // Field descriptions are typed in the editor: plain text, escaped for the Markdown renderers.
    [names.inputs]: { ...escapeSchemaDescriptions(s.inputSchema), examples: [inputs] },
    [names.outputs]: escapeSchemaDescriptions(s.outputSchema),
    [names.result]: runResult,
  };
  return { paths, schemas };
}

/**
 * Replies are rendered as their zod schemas read them (a plain `z.object` ignores unknown keys), not
 * as zod's output mode writes them (`additionalProperties: false`): a client keeps working when a
 * reply gains a field, and a schema renders the same in requests and replies (one component each).
 */
function openReplies(ctx: ZodOpenApiOverrideContext): void {
  if (ctx.io !== 'output' || ctx.jsonSchema.additionalProperties !== false) return;
  const def = ctx.zodSchema._zod.def;
  if (def.type === 'object' && !('catchall' in def && def.catchall !== undefined)) delete ctx.jsonSchema.additionalProperties;
}

function buildDocument(info: ZodOpenApiObject['info'], options: DocumentOptions, tags: Array<{ name: string; description: string }>, parts: Array<ReturnType<typeof scenarioParts>>): SchemaObject {
  const paths: ZodOpenApiPathsObject = {};
  const schemas: Record<string, SchemaObject | z.ZodType> = { ...SHARED_COMPONENTS, ...SESSION_COMPONENTS };
  for (const part of parts) {
    Object.assign(paths, part.paths);
    Object.assign(schemas, part.schemas);
  }
  Object.assign(paths, sharedPaths(), sessionPaths());
  const document = createDocument({
    openapi: '3.1.0',
    info,
    servers: [{ url: options.serverUrl }],
    security: [{ bearer: [] }],
    tags: [...tags, { name: 'jobs', description: 'Batches of runs.' }, { name: 'sessions', description: 'Live call sessions: a scenario following a call while it happens.' }, { name: 'runs', description: 'Run lookup with the per-node trace.' }],
    paths,
    components: { schemas, securitySchemes: SECURITY_SCHEMES },
  }, { override: openReplies });
  return { ...document };
}

/** The OpenAPI 3.1 document of one scenario at one version. */
export function scenarioDocument(s: DocumentedScenario, options: DocumentOptions): SchemaObject {
  return buildDocument(
    {
      title: `${s.name} (${s.slug})`,
      version: String(s.version),
      description: s.description ? markdownText(s.description) : `The published API of the Mofang scenario "${markdownText(s.name)}", version ${s.version}.`,
    },
    options,
    [{ name: s.slug, description: markdownText(s.name) }],
    [scenarioParts(s)],
  );
}

/** The OpenAPI 3.1 document of every live scenario. */
export function aggregateDocument(list: DocumentedScenario[], options: DocumentOptions & { version: string }): SchemaObject {
  return buildDocument(
    { title: 'Mofang published scenarios', version: options.version, description: `Every live scenario (${list.length}). Each scenario also has its own document at /v1/scenarios/{slug}/openapi.json.` },
    options,
    list.map((s) => ({ name: s.slug, description: `${markdownText(s.name)} (version ${s.version})` })),
    list.map(scenarioParts),
  );
}
