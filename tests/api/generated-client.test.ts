/**
 * What a developer does with a scenario's OpenAPI document: generate a typed client (openapi-typescript
 * types + openapi-fetch), write calls against it, type-check them with `tsc --strict`, and run them. For
 * every template in templates/, published on a live test server: a run whose `outputs` are typed
 * without a cast, a run that sends `transcript.meta.call_id`, a job, its results and the trace of an
 * item's run.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphSchema } from '@shared/graph.js';
import { call } from './helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

/** Asynchronous: the server answering the generated client runs in this process. */
const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const templates = readdirSync(path.join(root, 'templates'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

let h: V1Harness;
let key: string;
let dir: string;

beforeAll(async () => {
  h = await startV1Harness();
  for (const slug of templates) await h.publish(slug, GraphSchema.parse(JSON.parse(readFileSync(path.join(root, 'templates', slug, 'graph.json'), 'utf8'))));
  key = (await h.key()).key;
  // Inside the project, so the generated code resolves openapi-fetch and @types/node as a user's would.
  mkdirSync(path.join(root, 'node_modules/.cache'), { recursive: true });
  dir = mkdtempSync(path.join(root, 'node_modules/.cache/generated-client-'));
});
afterAll(async () => {
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} is not an object`);
  return { ...value };
}

/** The calls a developer writes against the generated types of one scenario. */
function clientSource(slug: string, example: unknown, outputs: string[]): string {
  return `import createClient from 'openapi-fetch';
import type { components, paths } from './${slug}-api.js';

export async function main(baseUrl: string, key: string) {
  const client = createClient<paths>({ baseUrl, headers: { Authorization: \`Bearer \${key}\` } });
  const inputs = ${JSON.stringify(example)};
  const run = await client.POST('/v1/scenarios/${slug}/run', { body: { inputs } });
  if (run.error) throw new Error(\`run \${run.error.run_id} failed: \${run.error.error.code}\`);
  // Every declared output is a property of outputs: typed, no cast.
  const outputs: { ${outputs.map((n) => `${JSON.stringify(n)}: unknown`).join('; ')} } = run.data.outputs;
  const latency: number = run.data.latency_ms;

  const withMeta = await client.POST('/v1/scenarios/${slug}/run', {
    body: { inputs: { ...inputs, transcript: { turns: [{ role: 'customer', text: '宽带断了，上不了网' }], meta: { call_id: 'c-1' } } } },
  });
  if (withMeta.error) throw new Error(\`run \${withMeta.error.run_id} failed: \${withMeta.error.error.code}\`);

  const job = await client.POST('/v1/scenarios/${slug}/jobs', { body: { items: [{ id: 'a', inputs }] } });
  if (job.error) throw new Error(\`job refused: \${job.error.error.code}\`);
  const jobId: string = job.data.job_id;
  for (;;) {
    const progress = await client.GET('/v1/jobs/{job_id}', { params: { path: { job_id: jobId } } });
    if (progress.error) throw new Error(progress.error.error.code);
    if (progress.data.status === 'completed' || progress.data.status === 'cancelled') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const results = await client.GET('/v1/jobs/{job_id}/results', { params: { path: { job_id: jobId } }, parseAs: 'text' });
  if (results.error) throw new Error(results.error.error.code);
  const line: components['schemas']['JobResultLine'] = JSON.parse(results.data.trim().split('\\n')[0]);
  const itemRun = await client.GET('/v1/runs/{run_id}', { params: { path: { run_id: line.run_id ?? '' } } });
  if (itemRun.error) throw new Error(\`\${itemRun.error.error.code}\`);
  return {
    outputs: Object.keys(outputs),
    latency,
    metaRun: withMeta.data.status,
    item: { id: line.id, status: line.status, run: itemRun.data.status, trace: itemRun.data.trace.map((t) => t.node_id) },
  };
}
`;
}

describe('a client generated from each template’s OpenAPI document', () => {
  it('type-checks with tsc --strict and runs against the live server', async () => {
    const expected: Record<string, string[]> = {};
    for (const slug of templates) {
      const doc = (await call(h.server.url, 'GET', `/v1/scenarios/${slug}/openapi.json`)).json;
      writeFileSync(path.join(dir, `${slug}-api.ts`), astToString(await openapiTS(JSON.stringify(doc))));
      const schemas = record(record(record(doc, 'doc').components, 'components').schemas, 'schemas');
      const outputs = Object.keys(record(record(schemas[`${slug}.Outputs`], 'outputs').properties, 'properties'));
      const runPath = record(record(record(doc, 'doc').paths, 'paths')[`/v1/scenarios/${slug}/run`], 'run');
      const example = record(record(record(record(record(runPath.post, 'post').requestBody, 'body').content, 'content')['application/json'], 'json').example, 'example').inputs;
      writeFileSync(path.join(dir, `${slug}.ts`), clientSource(slug, example, outputs));
      expected[slug] = outputs;
    }
    const names = templates.map((slug, i) => ({ slug, name: `t${i}` }));
    writeFileSync(
      path.join(dir, 'run.ts'),
      `${names.map((n) => `import { main as ${n.name} } from './${n.slug}.js';`).join('\n')}
const [baseUrl, key] = process.argv.slice(2);
const out: Record<string, unknown> = {};
${names.map((n) => `out[${JSON.stringify(n.slug)}] = await ${n.name}(baseUrl ?? '', key ?? '');`).join('\n')}
console.log(JSON.stringify(out));
`,
    );
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022', 'DOM'], types: ['node'], outDir: 'out', skipLibCheck: true }, include: ['*.ts'] }),
    );
    const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
    try {
      await run(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.json')], { encoding: 'utf8' });
    } catch (error) {
      const output = typeof error === 'object' && error !== null && 'stdout' in error ? String(error.stdout) : String(error);
      throw new Error(`tsc --strict refused the generated client:\n${output}`);
    }
    const { stdout: printed } = await run(process.execPath, [path.join(dir, 'out/run.js'), h.server.url, key], { encoding: 'utf8', timeout: 60_000 });
    const results = record(JSON.parse(printed), 'results');
    for (const slug of templates) {
      const result = record(results[slug], slug);
      expect(result.outputs, slug).toEqual(expected[slug]);
      expect(result.metaRun, slug).toBe('succeeded');
      expect(result.item, slug).toMatchObject({ id: 'a', status: 'succeeded', run: 'succeeded' });
      const trace = record(result.item, 'item').trace;
      expect(Array.isArray(trace) && trace.length > 2, `${slug}: ${JSON.stringify(trace)}`).toBe(true);
    }
  }, 120_000);
});
