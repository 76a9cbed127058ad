/**
 * OpenAPI 3.1 documents of published scenarios: one per scenario (its run and jobs paths with the
 * start node's input schema and the end node's output schema) and one for every live scenario.
 */
import type { JsonSchema } from '@shared/json-schema.js';
import { authErrors, errorResponse, SECURITY_SCHEMES, sharedPaths, sharedSchemas, type SchemaObject } from './components.js';
import { exampleFor, exampleInputs } from './examples.js';
import { escapeSchemaDescriptions, markdownText } from './markdown.js';

/** What a document needs to know about one published scenario. */
export interface DocumentedScenario {
  slug: string;
  name: string;
  description?: string;
  version: number;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
  /** The graph's sample inputs, used as the example when present. */
  sampleInputs?: Record<string, unknown>;
}

/** Where the API is reached and what the aggregate document calls its version. */
export interface DocumentOptions {
  /** e.g. `http://127.0.0.1:3000` (the request's own origin). */
  serverUrl: string;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });


function runResultSchema(outputsRef: string): SchemaObject {
  return {
    type: 'object',
    required: ['run_id', 'scenario', 'version', 'status', 'outputs', 'usage', 'latency_ms', 'model'],
    properties: {
      run_id: { type: 'string' },
      scenario: { type: 'string', description: 'The slug.' },
      version: { type: 'integer', description: 'The version that ran.' },
      status: { const: 'succeeded' },
      outputs: ref(outputsRef),
      usage: ref('Usage'),
      latency_ms: { type: 'number' },
      model: { type: 'string', description: 'The model that answered (`simulator` when the built-in simulator stands in).' },
    },
  };
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

/** The run and jobs paths of one scenario, and the component schemas they reference. */
function scenarioParts(s: DocumentedScenario): { paths: Record<string, SchemaObject>; schemas: Record<string, SchemaObject> } {
  // Slugs are unique and may contain only [a-z0-9-], which component names allow as they are.
  const names = { inputs: `${s.slug}.Inputs`, outputs: `${s.slug}.Outputs`, result: `${s.slug}.RunResult` };
  const inputs = exampleInputs(s.inputSchema, s.sampleInputs);
  const outputs = exampleFor(s.outputSchema);
  const versionParam = {
    name: 'version',
    in: 'query',
    required: false,
    schema: { type: 'integer', minimum: 1 },
    description: `Pin a published version (default: the live version, now ${s.version}).`,
  };
  const tag = s.slug;
  const runBody = { type: 'object', required: ['inputs'], properties: { inputs: ref(names.inputs) }, additionalProperties: false };
  const jobsBody = {
    type: 'object',
    required: ['items'],
    properties: {
      items: { type: 'array', minItems: 1, items: { type: 'object', required: ['inputs'], properties: { id: { type: ['string', 'integer'], description: 'Defaults to the line number.' }, inputs: ref(names.inputs) } } },
      webhook: { type: 'object', required: ['url'], properties: { url: { type: 'string', format: 'uri' } }, description: 'POSTed the job summary when the job ends.' },
    },
  };
  const paths: Record<string, SchemaObject> = {
    [`/v1/scenarios/${s.slug}/run`]: {
      post: {
        operationId: `run_${s.slug.replace(/-/g, '_')}`,
        summary: `Run ${s.name}`,
        description: 'Runs the scenario and answers when it has finished. Send `Accept: text/event-stream` to receive the run as server-sent events instead: `run.started`, `node.started`, `node.finished`, … and last `run.finished` or `run.failed`.',
        tags: [tag],
        parameters: [versionParam],
        requestBody: { required: true, content: { 'application/json': { schema: runBody, example: { inputs } } } },
        responses: {
          '200': {
            description: 'The finished run (JSON), or its events (SSE) when asked for `text/event-stream`.',
            headers: { 'X-Run-Id': { description: 'The run id, also in the body.', schema: { type: 'string' } } },
            content: {
              'application/json': {
                schema: ref(names.result),
                example: { run_id: 'run_01', scenario: s.slug, version: s.version, status: 'succeeded', outputs, usage: { model_calls: 1, prompt_tokens: 120, completion_tokens: 40 }, latency_ms: 350, model: 'simulator' },
              },
              'text/event-stream': { schema: { type: 'string', description: 'Server-sent events; each `data:` is one JSON run event.' }, example: sseExample(outputs) },
            },
          },
          '400': errorResponse('Invalid JSON or inputs; `details` lists the failing paths.', 'invalid_inputs'),
          ...authErrors(),
          '404': errorResponse('Unknown scenario or version.', 'unknown_scenario'),
          '413': errorResponse('Request body too large.', 'payload_too_large'),
          '502': errorResponse('The model endpoint failed; carries the `run_id`.', 'model_error'),
          '503': errorResponse('A code node waited longer than the server allows (`MOFANG_CODE_QUEUE_MS`) for a sandbox worker; the server is busy, try again. Carries the `run_id`.', 'code_queue_timeout'),
          '504': errorResponse('The run exceeded its deadline; carries the `run_id`.', 'deadline_exceeded'),
        },
      },
    },
    [`/v1/scenarios/${s.slug}/jobs`]: {
      post: {
        operationId: `jobs_${s.slug.replace(/-/g, '_')}`,
        summary: `Submit a batch of ${s.name} runs`,
        description:
          'Items without an `id` get their line number. Collect results with `GET /v1/jobs/{job_id}/results`. Text bodies may be UTF-8 (a BOM is dropped), GB18030/GBK or UTF-16 with a BOM; any other encoding is refused with 415 `unsupported_encoding` naming it. Bodies may be sent with `Content-Encoding: gzip`, `deflate` or `br`.',
        tags: [tag],
        parameters: [
          versionParam,
          { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 }, description: 'Resubmitting with the same key returns the same job.' },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: jobsBody, example: { items: [{ id: 'call-1', inputs }] } },
            'application/x-ndjson': { schema: { type: 'string', description: 'One `{ "id"?, "inputs" }` object per line.' }, example: `${JSON.stringify({ id: 'call-1', inputs })}\n` },
            'text/csv': { schema: { type: 'string', description: 'A header row of input names (optionally an `id` column), then one item per row; cells are converted to the declared types.' }, example: csvExample(inputs) },
            'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
              schema: { type: 'string', contentMediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', description: 'An Excel workbook: its first sheet read as the CSV is (header row of input names, optional `id` column); errors name the sheet row.' },
            },
          },
        },
        responses: {
          '202': { description: 'Accepted.', content: { 'application/json': { schema: ref('JobAccepted'), example: { job_id: 'job_01', total: 1 } } } },
          '400': errorResponse('Invalid JSON, JSONL, CSV, workbook or items.', 'invalid_body'),
          ...authErrors(),
          '404': errorResponse('Unknown scenario or version.', 'unknown_scenario'),
          '413': errorResponse('Upload larger than MOFANG_JOB_UPLOAD_LIMIT (or a workbook unpacking past MOFANG_JOB_XLSX_UNPACKED_LIMIT).', 'upload_too_large'),
          '415': errorResponse('A Content-Type, text encoding or Content-Encoding that is not read.', 'unsupported_encoding'),
        },
      },
    },
  };
  const schemas: Record<string, SchemaObject> = {
    // Field descriptions are typed in the editor: plain text, escaped for the Markdown renderers.
    [names.inputs]: { ...escapeSchemaDescriptions(s.inputSchema), examples: [inputs] },
    [names.outputs]: escapeSchemaDescriptions(s.outputSchema),
    [names.result]: runResultSchema(names.outputs),
  };
  return { paths, schemas };
}

function baseDocument(info: SchemaObject, options: DocumentOptions, tags: SchemaObject[]): SchemaObject & { paths: Record<string, SchemaObject>; components: { schemas: Record<string, SchemaObject>; securitySchemes: SchemaObject } } {
  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: options.serverUrl }],
    security: [{ bearer: [] }],
    tags: [...tags, { name: 'jobs', description: 'Batches of runs.' }, { name: 'runs', description: 'Run lookup with the per-node trace.' }],
    paths: {},
    components: { schemas: sharedSchemas(), securitySchemes: SECURITY_SCHEMES },
  };
}

/** The OpenAPI 3.1 document of one scenario at one version. */
export function scenarioDocument(s: DocumentedScenario, options: DocumentOptions): SchemaObject {
  const doc = baseDocument(
    {
      title: `${s.name} (${s.slug})`,
      version: String(s.version),
      description: s.description ? markdownText(s.description) : `The published API of the Mofang scenario "${markdownText(s.name)}", version ${s.version}.`,
    },
    options,
    [{ name: s.slug, description: markdownText(s.name) }],
  );
  const parts = scenarioParts(s);
  Object.assign(doc.paths, parts.paths, sharedPaths());
  Object.assign(doc.components.schemas, parts.schemas);
  return doc;
}

/** The OpenAPI 3.1 document of every live scenario. */
export function aggregateDocument(list: DocumentedScenario[], options: DocumentOptions & { version: string }): SchemaObject {
  const doc = baseDocument(
    { title: 'Mofang published scenarios', version: options.version, description: `Every live scenario (${list.length}). Each scenario also has its own document at /v1/scenarios/{slug}/openapi.json.` },
    options,
    list.map((s) => ({ name: s.slug, description: `${markdownText(s.name)} (version ${s.version})` })),
  );
  for (const s of list) {
    const parts = scenarioParts(s);
    Object.assign(doc.paths, parts.paths);
    Object.assign(doc.components.schemas, parts.schemas);
  }
  Object.assign(doc.paths, sharedPaths());
  return doc;
}
