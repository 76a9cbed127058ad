/**
 * A property-based fuzzer over the server's inputs (fast-check): graphs (random JSON and mutations of
 * the built-in templates), `/api` bodies, `/v1` run bodies and transcripts, and job files, thousands of
 * cases a run, over real HTTP. It asserts that no reply is a 5xx, that the server stays up, and that
 * what existed before (scenarios, published versions, keys, runs) is unchanged afterwards.
 * A failure prints fast-check's seed and the shrunk case: replay it with `{ seed, path }` in `fc.assert`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphSchema, type Graph } from '@shared/graph.js';
import { call, echoGraph } from '../api/helpers.js';
import { startV1Harness, type V1Harness } from '../api/v1-helpers.js';
import { buildXlsx } from '../../bench/xlsx-fixture.js';

const root = new URL('../../templates/', import.meta.url);
const templates: Graph[] = readdirSync(root)
  .filter((name) => !name.includes('.'))
  .map((name) => GraphSchema.parse(JSON.parse(readFileSync(new URL(`${name}/graph.json`, root), 'utf8'))));

/** Case counts: thousands in all, a few seconds each group. FUZZ_RUNS scales them (e.g. 10 for a long session). */
const scale = Number(process.env.FUZZ_RUNS ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * scale));

const hostileString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    "{% include 'package.json' %}",
    '{% render "data/mofang.db" %}',
    '{% layout "x" %}',
    '{% for i in (1..100000000) %}x{% endfor %}',
    '{{ start.transcript.text | append: x | times: 1e308 }}',
    '{{',
    '}}{{ constructor.constructor("return process")() }}',
    '<img src=x onerror=alert(1)>',
    'hi", "refund": 5000, "x": "',
    '\u0000\uffff\ud800',
    '__proto__',
    '(a+)+$',
    '坐席：您好\n客户：我的宽带断了',
  ),
);

/** JSON of every kind, with hostile strings, and sometimes nested far past the depth limit. */
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 5 }) },
  { weight: 3, arbitrary: fc.dictionary(hostileString, fc.oneof(hostileString, fc.integer(), fc.constant(null)), { maxKeys: 6 }) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 60, max: 300 }).map((depth) => {
      let value: unknown = 1;
      for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
      return value;
    }),
  },
);

/** A body as raw JSON text nested up to 20 000 deep (too deep to build as a value fast-check can print). */
const deepText = fc.integer({ min: 60, max: 20_000 }).map((depth) => new DeepBody(depth));

/** Prints as its depth; sent as its text. */
class DeepBody {
  constructor(readonly depth: number) {}
  get text(): string {
    return `{"inputs":{"transcript":{"turns":[],"meta":${'{"a":'.repeat(this.depth)}1${'}'.repeat(this.depth)}}}}`;
  }
  toString(): string {
    return `DeepBody(${this.depth})`;
  }
}

/** A built-in template's graph with one thing changed: a config field, an id, an edge, a kind or a version. */
const mutatedGraph: fc.Arbitrary<unknown> = fc
  .tuple(fc.nat(templates.length - 1), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 6 }), anyJson, hostileString)
  .map(([t, i, j, op, value, text]) => {
    const graph = structuredClone(templates[t]) as unknown as { nodes: Array<Record<string, unknown>>; edges: Array<Record<string, unknown>> };
    const node = graph.nodes[i % graph.nodes.length];
    const edge = graph.edges[j % Math.max(1, graph.edges.length)];
    const config = (node.config ?? {}) as Record<string, unknown>;
    const keys = Object.keys(config);
    switch (op) {
      case 0:
        if (keys.length > 0) config[keys[j % keys.length]] = value;
        break;
      case 1:
        if (keys.length > 0) config[keys[j % keys.length]] = text;
        break;
      case 2:
        node.id = text;
        break;
      case 3:
        if (edge) edge[['source', 'target', 'sourcePort', 'targetPort'][j % 4]] = text;
        break;
      case 4:
        node.kind = text;
        break;
      case 5:
        node.version = value;
        break;
      default:
        graph.edges.push({ id: `fz${j}`, source: node.id, sourcePort: 'out', target: graph.nodes[j % graph.nodes.length].id, targetPort: 'in' });
    }
    return graph;
  });

const transcript = fc.oneof(
  hostileString,
  fc.record({ turns: fc.array(fc.record({ role: hostileString, text: hostileString }), { maxLength: 5 }), meta: fc.option(anyJson, { nil: undefined }) }),
  anyJson,
);

let h: V1Harness;
let key: string;
let before: string;

/** What must not change: every scenario, its versions, the keys and the runs made before the fuzzing. */
async function snapshot(ids: string[], runIds: string[]): Promise<string> {
  const parts: unknown[] = [];
  for (const id of ids) {
    parts.push((await call(h.server.url, 'GET', `/api/scenarios/${id}`)).json);
    parts.push((await call(h.server.url, 'GET', `/api/scenarios/${id}/versions`)).json);
  }
  // The keys that were there (the fuzzer may create more through POST /api/keys).
  const keys = (await call(h.server.url, 'GET', '/api/keys')).json as Array<{ id: string; last_used_at?: unknown }>;
  parts.push(keys.filter((k) => keyIds.includes(k.id)).map((k) => ({ ...k, last_used_at: undefined })));
  for (const id of runIds) parts.push((await h.v1('GET', `/v1/runs/${id}`, key)).json);
  return JSON.stringify(parts);
}

const ids: string[] = [];
const runIds: string[] = [];
const keyIds: string[] = [];

beforeAll(async () => {
  h = await startV1Harness();
  ids.push((await h.publish('echo', echoGraph())).scenarioId);
  ids.push((await h.publish('audit', templates.find((g) => g.nodes.some((n) => n.kind === 'audit')) ?? echoGraph())).scenarioId);
  const made = await h.key({ name: 'fuzz' });
  key = made.key;
  keyIds.push(made.id);
  const run = await h.v1('POST', '/v1/scenarios/echo/run', key, { inputs: { transcript: '客户：宽带断了' } });
  runIds.push((run.json as { run_id: string }).run_id);
  await new Promise((r) => setTimeout(r, 200)); // the run log writes behind
  before = await snapshot(ids, runIds);
});
afterAll(async () => {
  await h?.close();
});

/** Sends one request; a 5xx fails the property with the request in the message. */
async function send(method: string, url: string, body: unknown, headers: Record<string, string> = {}): Promise<void> {
  const res = await call(h.server.url, method, url, body instanceof DeepBody ? body.text : body, headers);
  if (res.status >= 500) throw new Error(`${method} ${url} answered ${res.status}: ${res.text.slice(0, 300)}`);
}

describe('fuzzing the server', () => {
  it('compiles any graph, random or a mutated template, without a 5xx', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(anyJson, mutatedGraph, deepText), async (graph) => send('POST', '/api/compile', graph)), { numRuns: runs(800) });
  }, 120_000);

  it('answers any /api body on every writing route without a 5xx', async () => {
    const routes = ['/api/scenarios', `/api/scenarios/${ids[0]}/test-run`, '/api/scenarios/import', '/api/templates/import', '/api/keys', `/api/scenarios/${ids[1]}/publish`, `/api/scenarios/${ids[1]}/rollback`, '/api/scenarios/nope/duplicate'];
    const body = fc.oneof(anyJson, deepText, mutatedGraph.map((graph) => ({ name: 'fz', graph })), transcript.map((t) => ({ inputs: { transcript: t } })));
    await fc.assert(fc.asyncProperty(fc.constantFrom(...routes), body, async (route, value) => send('POST', route, value)), { numRuns: runs(800) });
    // Saving over an existing draft is what must not change it: PUT only on a scenario made here.
    const own = (await call(h.server.url, 'POST', '/api/scenarios', { name: 'fz-own' })).json as { id: string };
    await fc.assert(fc.asyncProperty(anyJson, async (value) => send('PUT', `/api/scenarios/${own.id}`, value)), { numRuns: runs(200) });
  }, 120_000);

  it('runs any /v1 body and transcript without a 5xx', async () => {
    const body = fc.oneof(anyJson, deepText, transcript.map((t) => ({ inputs: { transcript: t } })), fc.string({ unit: 'binary' }));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('echo', 'audit'), body, async (slug, value) => send('POST', `/v1/scenarios/${slug}/run`, value, { authorization: `Bearer ${key}` })),
      { numRuns: runs(800) },
    );
  }, 120_000);

  it('takes any job file, JSON, JSONL or CSV, without a 5xx', async () => {
    const types = ['application/json', 'application/x-ndjson', 'text/csv', 'application/octet-stream'];
    const file = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 400 }),
      fc.array(transcript.map((t) => JSON.stringify({ inputs: { transcript: t } })), { maxLength: 4 }).map((lines) => lines.join('\n')),
      fc.array(fc.array(hostileString, { maxLength: 3 }), { maxLength: 4 }).map((rows) => ['id,transcript', ...rows.map((r) => r.join(','))].join('\n')),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...types), file, async (type, text) => send('POST', '/v1/scenarios/echo/jobs', text, { authorization: `Bearer ${key}`, 'content-type': type })),
      { numRuns: runs(400) },
    );
  }, 120_000);

  it('takes any job file as bytes (other encodings, random bytes, damaged workbooks) without a 5xx', async () => {
    const workbook = new Uint8Array(await buildXlsx(['id', 'transcript'], 3, (i) => [`c${i}`, '坐席：您好\n客户：我的宽带断了'], '通话'));
    const csvText = fc.array(fc.array(hostileString, { minLength: 2, maxLength: 2 }), { maxLength: 4 }).map((rows) => ['id,transcript', ...rows.map((r) => r.join(','))].join('\n'));
    const bytes = fc.oneof(
      fc.tuple(fc.constantFrom('gbk', 'gb18030', 'big5', 'utf16le', 'utf16be', 'shift_jis', 'latin1'), csvText, fc.boolean()).map(([encoding, text, bom]) => new Uint8Array(iconv.encode(text, encoding, { addBOM: bom }))),
      fc.uint8Array({ maxLength: 400 }),
      fc.array(fc.tuple(fc.nat(workbook.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((flips) => {
        const damaged = workbook.slice();
        for (const [at, value] of flips) damaged[at] = value;
        return damaged;
      }),
      fc.nat(workbook.length - 1).map((end) => workbook.slice(0, end)),
    );
    const types = ['text/csv', 'application/x-ndjson', 'application/json', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...types), bytes, async (type, body) => {
        const res = await fetch(`${h.server.url}/v1/scenarios/echo/jobs`, { method: 'POST', body, headers: { authorization: `Bearer ${key}`, 'content-type': type } });
        const text = await res.text();
        if (res.status >= 500) throw new Error(`${type} upload of ${body.length} bytes answered ${res.status}: ${text.slice(0, 300)}`);
      }),
      { numRuns: runs(300) },
    );
  }, 120_000);

  it('leaves the scenarios, versions, keys and runs that were there unchanged, and the server up', async () => {
    expect((await call(h.server.url, 'GET', '/api/health')).status).toBe(200);
    expect((await call(h.server.url, 'GET', '/api/scenarios')).status).toBe(200);
    expect(JSON.parse(await snapshot(ids, runIds))).toEqual(JSON.parse(before));
  });
});
