import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScenarioSchema } from '@shared/api.js';
import { CreatedKeySchema } from '@shared/keys.js';
import type { RunningServer } from '../../server/src/http/server.js';
import { replyGraph } from '../../server/src/publish/graphs.testing.js';
import { EXAMPLE_TRANSCRIPT } from '../../server/src/openapi/examples.js';
import { call, removeDir, startTestServer, tempDir } from './helpers.js';

let dir: string;
let server: RunningServer;
let base: string;
let scenarioId: string;

function record(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`not an object: ${JSON.stringify(value)}`);
  return { ...value };
}

/** Follows a dotted path of object keys. */
function at(value: unknown, ...keys: string[]): unknown {
  return keys.reduce<unknown>((v, k) => record(v)[k], value);
}

async function validate(doc: unknown) {
  const validator = new Validator();
  const result = await validator.validate(record(doc));
  return { valid: result.valid, errors: result.errors, version: validator.version };
}

beforeAll(async () => {
  dir = tempDir('mofang-openapi-');
  server = await startTestServer(dir);
  base = server.url;
  const created = await call(base, 'POST', '/api/scenarios', { name: 'Work order', graph: replyGraph('Work order') });
  scenarioId = ScenarioSchema.parse(created.json).id;
  expect((await call(base, 'POST', `/api/scenarios/${scenarioId}/publish`, { slug: 'work-order' })).status).toBe(201);
  // A second scenario without sample inputs (the examples of both are generated from the schema).
  const bare = replyGraph('Bare');
  delete bare.inputs;
  const other = ScenarioSchema.parse((await call(base, 'POST', '/api/scenarios', { name: 'Bare', graph: bare })).json);
  expect((await call(base, 'POST', `/api/scenarios/${other.id}/publish`, { slug: 'bare' })).status).toBe(201);
});
afterAll(async () => {
  await server.close();
  removeDir(dir);
});

describe('OpenAPI documents', () => {
  it('per scenario: valid OpenAPI 3.1 with the real input names, examples, the error schema and bearer auth, without a key', async () => {
    const r = await call(base, 'GET', '/v1/scenarios/work-order/openapi.json');
    expect(r.status).toBe(200);
    const doc = r.json;
    const check = await validate(doc);
    expect(check.errors).toBeUndefined();
    expect(check).toMatchObject({ valid: true, version: '3.1' });
    expect(at(doc, 'openapi')).toBe('3.1.0');
    // Swagger UI warns about any dialect other than the default, so none is set.
    expect(record(doc)).not.toHaveProperty('jsonSchemaDialect');
    expect(at(doc, 'info', 'version')).toBe('1');
    expect(at(doc, 'servers')).toEqual([{ url: base }]);
    expect(at(doc, 'components', 'securitySchemes', 'bearer')).toMatchObject({ type: 'http', scheme: 'bearer' });
    const inputs = at(doc, 'components', 'schemas', 'work-order.Inputs');
    expect(Object.keys(record(at(inputs, 'properties')))).toEqual(['transcript', 'channel']);
    expect(at(inputs, 'required')).toEqual(['transcript']);
    expect(Object.keys(record(at(doc, 'components', 'schemas', 'work-order.Outputs', 'properties')))).toEqual(['reply']);
    expect(at(doc, 'components', 'schemas', 'Error', 'properties', 'error', 'required')).toEqual(['code', 'message']);
    const run = record(at(doc, 'paths', '/v1/scenarios/work-order/run', 'post'));
    // One media type per reply and per request body: generated clients type them without a cast.
    expect(Object.keys(record(at(run, 'responses', '200', 'content')))).toEqual(['application/json']);
    const stream = record(at(doc, 'paths', '/v1/scenarios/work-order/run/stream', 'post'));
    expect(Object.keys(record(at(stream, 'responses', '200', 'content')))).toEqual(['text/event-stream']);
    for (const [format, media] of [['', 'application/json'], ['/jsonl', 'application/x-ndjson'], ['/csv', 'text/csv'], ['/xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']]) {
      expect(Object.keys(record(at(doc, 'paths', `/v1/scenarios/work-order/jobs${format}`, 'post', 'requestBody', 'content')))).toEqual([media]);
    }
    // Public: the example is made from the schema, never the graph's stored sample inputs.
    expect(at(run, 'requestBody', 'content', 'application/json', 'example')).toEqual({ inputs: { transcript: EXAMPLE_TRANSCRIPT, channel: 'channel 示例' } });
    expect(Object.keys(record(at(run, 'responses')))).toEqual(['200', '400', '401', '404', '409', '413', '415', '422', '429', '502', '503', '504']);
    expect(at(run, 'responses', '422', 'content', 'application/json', 'schema')).toEqual({ $ref: '#/components/schemas/RunError' });
    expect(at(doc, 'components', 'schemas', 'RunError', 'required')).toEqual(['error', 'run_id']);
    expect(at(doc, 'components', 'schemas', 'Error', 'required')).toEqual(['error']);
    for (const p of ['/v1/scenarios/work-order/jobs', '/v1/jobs/{job_id}', '/v1/jobs/{job_id}/results', '/v1/jobs/{job_id}/cancel', '/v1/jobs/{job_id}/items/{item_id}/retry', '/v1/runs/{run_id}']) {
      expect(record(at(doc, 'paths')), p).toHaveProperty([p]);
    }
  });

  it("the documented example runs: /v1 accepts it and answers with the documented output names", async () => {
    const doc = (await call(base, 'GET', '/v1/scenarios/bare/openapi.json')).json;
    const example = at(doc, 'paths', '/v1/scenarios/bare/run', 'post', 'requestBody', 'content', 'application/json', 'example');
    const key = CreatedKeySchema.parse((await call(base, 'POST', '/api/keys', { name: 'docs example' })).json).key;
    const run = await call(base, 'POST', '/v1/scenarios/bare/run', example, { authorization: `Bearer ${key}` });
    expect(run.status, run.text).toBe(200);
    expect(Object.keys(record(at(run.json, 'outputs')))).toEqual(Object.keys(record(at(doc, 'components', 'schemas', 'bare.Outputs', 'properties'))));
    // The whole reply conforms to the documented RunResult schema.
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema({ $id: 'mofang:doc', components: record(at(doc, 'components')) });
    const conforms = ajv.compile({ $ref: 'mofang:doc#/components/schemas/bare.RunResult' });
    expect(conforms(run.json), JSON.stringify(conforms.errors)).toBe(true);
    expect(conforms({ ...record(run.json), outputs: { reply: 42 } })).toBe(false);

    // The jobs examples (JSON and CSV) are accepted as they are documented.
    const jobs = at(doc, 'paths', '/v1/scenarios/bare/jobs', 'post', 'requestBody', 'content');
    const json = await call(base, 'POST', '/v1/scenarios/bare/jobs', at(jobs, 'application/json', 'example'), { authorization: `Bearer ${key}` });
    expect(json.status, json.text).toBe(202);
    // The CSV and JSONL examples, at their own paths, sent as a generated client may: without a Content-Type.
    for (const [format, media] of [['csv', 'text/csv'], ['jsonl', 'application/x-ndjson']]) {
      const example = String(at(doc, 'paths', `/v1/scenarios/bare/jobs/${format}`, 'post', 'requestBody', 'content', media, 'example'));
      const res = await fetch(`${base}/v1/scenarios/bare/jobs/${format}`, { method: 'POST', body: new TextEncoder().encode(example), headers: { authorization: `Bearer ${key}` } });
      expect(res.status, `${format}: ${await res.text()}`).toBe(202);
      const typed = await fetch(`${base}/v1/scenarios/bare/jobs/${format}`, { method: 'POST', body: example, headers: { authorization: `Bearer ${key}`, 'content-type': media } });
      expect(typed.status, format).toBe(202);
    }
    // Another type at a format's path is refused, before anything is read.
    const wrong = await fetch(`${base}/v1/scenarios/bare/jobs/csv`, { method: 'POST', body: '{}', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } });
    expect(wrong.status).toBe(415);
    expect(await wrong.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });

  it('a branchy scenario: optional outputs are nullable in the document, present (null) in every reply, and the reply conforms', async () => {
    const pitch = JSON.parse(readFileSync(fileURLToPath(new URL('../../server/src/engine/fixtures/branchy/pitch.json', import.meta.url)), 'utf8'));
    const created = ScenarioSchema.parse((await call(base, 'POST', '/api/scenarios', { name: pitch.name, graph: pitch })).json);
    expect((await call(base, 'POST', `/api/scenarios/${created.id}/publish`, { slug: 'broadband-triage' })).status).toBe(201);
    const doc = (await call(base, 'GET', '/v1/scenarios/broadband-triage/openapi.json')).json;
    expect((await validate(doc)).valid).toBe(true);
    const outputs = at(doc, 'components', 'schemas', 'broadband-triage.Outputs');
    expect(at(outputs, 'required')).toEqual(['form', 'missing', 'label']);
    expect(at(outputs, 'properties', 'form', 'anyOf')).toEqual([expect.objectContaining({ type: 'object' }), { type: 'null' }]);
    const key = CreatedKeySchema.parse((await call(base, 'POST', '/api/keys', { name: 'branches' })).json).key;
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema({ $id: 'mofang:pitch', components: record(at(doc, 'components')) });
    const conforms = ajv.compile({ $ref: 'mofang:pitch#/components/schemas/broadband-triage.RunResult' });
    for (const transcript of ['客户：宽带断了，上不了网', '客户：我想查一下上个月的话费', '客户：你们服务太差了我要投诉', '客户：今天天气不错']) {
      const run = await call(base, 'POST', '/v1/scenarios/broadband-triage/run', { inputs: { transcript } }, { authorization: `Bearer ${key}` });
      expect(run.status, run.text).toBe(200);
      expect(Object.keys(record(at(run.json, 'outputs'))).sort()).toEqual(['form', 'label', 'missing']);
      expect(conforms(run.json), JSON.stringify(conforms.errors)).toBe(true);
    }
  });

  it('generates a transcript example in 坐席：/客户： lines when the graph has no sample inputs', async () => {
    const doc = (await call(base, 'GET', '/v1/scenarios/bare/openapi.json')).json;
    const example = record(at(doc, 'paths', '/v1/scenarios/bare/run', 'post', 'requestBody', 'content', 'application/json', 'example', 'inputs'));
    expect(example.transcript).toMatch(/^坐席：.*\n客户：/);
    expect((await validate(doc)).valid).toBe(true);
  });

  it('follows the live version at once, pins ?version=N, and answers 404/400 as JSON errors', async () => {
    await call(base, 'PUT', `/api/scenarios/${scenarioId}`, { graph: { ...replyGraph('Work order', '第二版'), nodes: replyGraph('Work order', '第二版').nodes.map((n) => (n.id === 'start' ? { ...n, config: { inputs: [{ name: 'transcript', type: 'transcript', required: true }, { name: 'account', type: 'string', required: true }] } } : n)) } });
    expect((await call(base, 'POST', `/api/scenarios/${scenarioId}/publish`, {})).status).toBe(201);
    const v2 = (await call(base, 'GET', '/v1/scenarios/work-order/openapi.json')).json;
    expect(at(v2, 'info', 'version')).toBe('2');
    expect(Object.keys(record(at(v2, 'components', 'schemas', 'work-order.Inputs', 'properties')))).toEqual(['transcript', 'account']);
    const pinned = (await call(base, 'GET', '/v1/scenarios/work-order/openapi.json?version=1')).json;
    expect(at(pinned, 'info', 'version')).toBe('1');
    await call(base, 'POST', `/api/scenarios/${scenarioId}/rollback`, { version: 1 });
    expect(at((await call(base, 'GET', '/v1/scenarios/work-order/openapi.json')).json, 'info', 'version')).toBe('1');

    expect((await call(base, 'GET', '/v1/scenarios/nope/openapi.json')).json).toMatchObject({ error: { code: 'unknown_scenario' } });
    expect((await call(base, 'GET', '/v1/scenarios/work-order/openapi.json?version=9')).json).toMatchObject({ error: { code: 'unknown_version' } });
    const bad = await call(base, 'GET', '/v1/scenarios/work-order/openapi.json?version=x');
    expect(bad.status).toBe(400);
  });

  it("names the caller's origin as the server: its proxy's X-Forwarded-Proto and -Host, or MOFANG_PUBLIC_URL", async () => {
    const servers = async (url: string, headers: Record<string, string> = {}) => at((await call(url, 'GET', '/v1/scenarios/work-order/openapi.json', undefined, headers)).json, 'servers');
    expect(await servers(base)).toEqual([{ url: base }]);
    expect(await servers(base, { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'mofang.example.com' })).toEqual([{ url: 'https://mofang.example.com' }]);
    // The first of a chain of proxies; a value that is not a scheme or a host is ignored.
    expect(await servers(base, { 'x-forwarded-proto': 'https, http', 'x-forwarded-host': 'api.example.com:8443, inner:3000' })).toEqual([{ url: 'https://api.example.com:8443' }]);
    expect(await servers(base, { 'x-forwarded-proto': 'javascript', 'x-forwarded-host': 'evil.example.com/"><script>' })).toEqual([{ url: base }]);
    expect(at((await call(base, 'GET', '/v1/openapi.json', undefined, { 'x-forwarded-proto': 'https' })).json, 'servers')).toEqual([{ url: base.replace('http:', 'https:') }]);

    const otherDir = tempDir('mofang-openapi-public-');
    const behind = await startTestServer(otherDir, { MOFANG_PUBLIC_URL: 'https://mofang.example.com/' });
    try {
      expect(at((await call(behind.url, 'GET', '/v1/openapi.json', undefined, { 'x-forwarded-host': 'ignored.example.com' })).json, 'servers')).toEqual([{ url: 'https://mofang.example.com' }]);
    } finally {
      await behind.close();
      removeDir(otherDir);
    }
  });

  it('aggregate: valid OpenAPI 3.1 with every live scenario', async () => {
    const r = await call(base, 'GET', '/v1/openapi.json');
    expect(r.status).toBe(200);
    const check = await validate(r.json);
    expect(check.errors).toBeUndefined();
    expect(check.valid).toBe(true);
    const paths = Object.keys(record(at(r.json, 'paths')));
    expect(paths).toEqual(expect.arrayContaining(['/v1/scenarios/bare/run', '/v1/scenarios/work-order/run', '/v1/scenarios/work-order/jobs', '/v1/runs/{run_id}']));
    expect(Object.keys(record(at(r.json, 'components', 'schemas', 'bare.Inputs', 'properties')))).toEqual(['transcript', 'channel']);
  });
});

describe('/docs', () => {
  it('serves Swagger UI from local assets only, pointed at the aggregate or one scenario', async () => {
    const page = await call(base, 'GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).toContain('data-url="/v1/openapi.json"');
    const refs = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(2);
    for (const ref of refs) expect(ref, ref).toMatch(/^(\/|data:)/);
    for (const ref of refs.filter((x) => x.startsWith('/docs/'))) {
      const asset = await fetch(base + ref);
      expect(asset.status, ref).toBe(200);
      const text = await asset.text();
      if (ref.endsWith('init.js')) expect(text).toContain('validatorUrl: null');
    }
    const one = await call(base, 'GET', '/docs/work-order');
    expect(one.text).toContain('data-url="/v1/scenarios/work-order/openapi.json"');
    expect((await call(base, 'GET', '/docs/nope')).status).toBe(404);
    expect((await call(base, 'GET', '/docs/assets/index.html')).status).toBe(404);
  });

  it('forbids inline script on every docs page, so markup in a description could not run', async () => {
    for (const url of ['/docs', '/docs/work-order', '/docs/nope']) {
      const page = await call(base, 'GET', url);
      const directives = (page.headers.get('content-security-policy') ?? '').split(';').map((d) => d.trim());
      expect(directives, url).toContain("script-src 'self'");
      expect(directives, url).toContain("object-src 'none'");
      expect(directives, url).toContain("frame-src 'none'");
      expect(directives.filter((d) => d.startsWith('script-src')), url).toEqual(["script-src 'self'"]);
      // The page's own scripts are files: nothing inline that the policy would block.
      expect(page.text, url).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    }
  });
});
