/**
 * Job files as people have them, over real HTTP: GBK and UTF-16 text, UTF-8 with a BOM, Excel
 * workbooks, gzip bodies; refused before anything runs when the encoding is another one, and over
 * the upload limits with the setting named.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connect } from 'node:net';
import iconv from 'iconv-lite';
import { GRAPH_FORMAT, type Graph } from '@shared/graph.js';
import { JobCreatedSchema, JobListSchema } from '@shared/jobs.js';
import { buildXlsx } from '../../bench/xlsx-fixture.js';
import { call, authHeaders } from './helpers.js';
import { resultLines, waitForJob } from './jobs-helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** start (transcript, priority: number) → end: the reply is the transcript's text, so decoding shows in the results. */
const graph: Graph = {
  schema: GRAPH_FORMAT,
  name: 'echo-input',
  nodes: [
    { id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [{ name: 'transcript', type: 'transcript', required: true }, { name: 'priority', type: 'number', required: false }] } },
    { id: 'end', kind: 'end', version: 1, position: { x: 300, y: 0 }, config: { outputs: [{ name: 'reply', value: '{{ start.transcript.text }}' }, { name: 'priority', value: '{{ start.priority }}' }] } },
  ],
  edges: [{ id: 'e1', source: 'start', sourcePort: 'out', target: 'end', targetPort: 'in' }],
};

const rows = [
  ['c1', '坐席：您好，请问有什么可以帮您？\n客户：我家宽带断了，路由器灯一直红。', 2],
  ['c2', '客户：话费怎么多扣了二十元？“套餐”里不是包含的吗', 1],
] as const;
const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
const csv = `id,transcript,priority\r\n${rows.map((r) => `${r[0]},${quote(r[1])},${r[2]}`).join('\r\n')}\r\n`;
const jsonl = rows.map((r) => JSON.stringify({ id: r[0], inputs: { transcript: r[1], priority: r[2] } })).join('\n');

let h: V1Harness;
let key: string;
let scenarioId: string;

beforeAll(async () => {
  h = await startV1Harness();
  scenarioId = (await h.publish('echo-input', graph)).scenarioId;
  key = (await h.key()).key;
});
afterAll(() => h.close());

async function send(bytes: Uint8Array | string, contentType: string, headers: Record<string, string> = {}, url = '/v1/scenarios/echo-input/jobs') {
  const res = await fetch(h.server.url + url, { method: 'POST', body: typeof bytes === 'string' ? bytes : new Uint8Array(bytes), headers: { 'content-type': contentType, authorization: `Bearer ${key}`, ...headers } });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) };
}

/** Submits, waits for the end, and gives the replies by id. */
async function runs(bytes: Uint8Array | string, contentType: string, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const res = await send(bytes, contentType, headers);
  expect(res.status, JSON.stringify(res.json)).toBe(202);
  const { job_id } = JobCreatedSchema.parse(res.json);
  const done = await waitForJob(h.server.url, `/v1/jobs/${job_id}`, { authorization: `Bearer ${key}` });
  expect(done).toMatchObject({ succeeded: rows.length, failed: 0 });
  const lines = resultLines((await h.v1('GET', `/v1/jobs/${job_id}/results`, key)).text);
  return Object.fromEntries(lines.map((l) => [l.id, l.outputs]));
}

const jobCount = async () => JobListSchema.parse((await call(h.server.url, 'GET', '/api/jobs?limit=500')).json).jobs.length;

describe('job files in the encodings people have', () => {
  it('decodes a GBK CSV: the run sees the Chinese text, not mojibake', async () => {
    const outputs = await runs(iconv.encode(csv, 'gbk'), 'text/csv');
    expect(outputs.c1).toMatchObject({ reply: expect.stringContaining('宽带断了'), priority: 2 });
    expect(outputs.c2).toMatchObject({ reply: expect.stringContaining('“套餐”') });
  });

  it('decodes UTF-16LE JSONL with a BOM, a UTF-8 CSV with a BOM and a GBK JSON body', async () => {
    expect((await runs(iconv.encode(jsonl, 'utf16le', { addBOM: true }), 'application/x-ndjson')).c1).toMatchObject({ reply: expect.stringContaining('宽带断了') });
    // The BOM must not stick to the first column's name ("\uFEFFid" would be an input, not the id).
    expect(Object.keys(await runs(Buffer.from(`\uFEFF${csv}`), 'text/csv'))).toEqual(['c1', 'c2']);
    const body = JSON.stringify({ items: rows.map((r) => ({ id: r[0], inputs: { transcript: r[1] } })) });
    expect((await runs(iconv.encode(body, 'gbk'), 'application/json')).c2).toMatchObject({ reply: expect.stringContaining('多扣了') });
  });

  it('refuses a Big5 file and a Latin-1 file before anything runs, naming the encoding', async () => {
    const before = await jobCount();
    const big5 = await send(iconv.encode(csv.replace('宽带', '寬頻'), 'big5'), 'text/csv');
    expect(big5.status).toBe(415);
    expect(big5.json).toMatchObject({ error: { code: 'unsupported_encoding', details: { encoding: 'Big5', line: 2 } } });
    expect(big5.json.error.message).toMatch(/not UTF-8: it looks like Big5/);
    const latin1 = await send(iconv.encode('{"id":"x","inputs":{"transcript":"Je voudrais résilier mon abonnement, ça coûte trop cher"}}\n', 'latin1'), 'application/x-ndjson');
    expect(latin1.status).toBe(415);
    expect(latin1.json.error.details.encoding).toMatch(/ISO-8859|windows-125/);
    // Header, c1 (two lines: a newline in its transcript), c2, then the GBK row on line 5.
    const mixed = await send(Buffer.concat([Buffer.from(csv), iconv.encode(`c3,"客户：宽带又断了，第三次了，请尽快处理",1\r\n`, 'gbk')]), 'text/csv');
    expect(mixed.json).toMatchObject({ error: { code: 'unsupported_encoding', details: { line: 5 } } });
    expect(await jobCount()).toBe(before);
  });

  it('takes a gzip body and a webhook named after the items', async () => {
    expect(Object.keys(await runs(gzipSync(Buffer.from(jsonl)), 'application/x-ndjson', { 'content-encoding': 'gzip' }))).toHaveLength(2);
    const res = await send(JSON.stringify({ items: [{ inputs: { transcript: '客户：你好' } }], webhook: { url: 'http://127.0.0.1:9/hook' } }), 'application/json');
    expect(res.status).toBe(202);
    const progress = await h.v1('GET', `/v1/jobs/${String(res.json.job_id)}`, key);
    expect(progress.json).toMatchObject({ webhook: { url: 'http://127.0.0.1:9/hook' } });
    expect((await send('x', 'text/csv', { 'content-encoding': 'compress' })).json.error.code).toBe('unsupported_content_encoding');
    // Said to be compressed but not: a clear 400 naming the encoding, for every way of saying it (not a 500).
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const plain = await send(jsonl, 'application/x-ndjson', { 'content-encoding': encoding });
      expect(plain.status).toBe(400);
      expect(plain.json.error).toMatchObject({ code: 'invalid_content_encoding', details: { encoding } });
    }
    const cut = gzipSync(Buffer.from(jsonl)).subarray(0, 30);
    expect((await send(cut, 'application/x-ndjson', { 'content-encoding': 'gzip' })).json.error.code).toBe('invalid_content_encoding');
  });
});

describe('.xlsx job files', () => {
  it('runs the first sheet of a workbook: header row = input names, numbers typed as the inputs want', async () => {
    const xlsx = await buildXlsx(['id', 'transcript', 'priority'], rows.length, (i) => [...rows[i]], '通话');
    const outputs = await runs(xlsx, XLSX);
    expect(outputs).toEqual({ c1: { reply: expect.stringContaining('宽带断了'), priority: 2 }, c2: { reply: expect.stringContaining('多扣了'), priority: 1 } });
    // The browser's admin route takes the same bytes.
    const admin = await fetch(`${h.server.url}/api/scenarios/${scenarioId}/jobs`, { method: 'POST', body: new Uint8Array(xlsx), headers: { ...authHeaders(h.server.url), 'content-type': XLSX } });
    expect(admin.status).toBe(202);
  });

  it('names the sheet row of a bad cell, and refuses what is not a workbook', async () => {
    const xlsx = await buildXlsx(['id', 'transcript', 'priority'], 3, (i) => (i === 2 ? ['c3', '客户：你好', '高'] : [...rows[i]]), '通话');
    const bad = await send(xlsx, XLSX);
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: 'invalid_item', message: 'sheet "通话" row 4: column "priority" must be a number, got "高"', details: { sheet: '通话', row: 4 } } });
    expect((await send(Buffer.from(csv), XLSX)).json).toMatchObject({ error: { code: 'invalid_xlsx' } });
    const asCsv = await send(xlsx, 'text/csv');
    expect(asCsv.json).toMatchObject({ error: { code: 'unsupported_encoding', details: { encoding: expect.stringContaining('ZIP') } } });
  });
});

describe('.xlsx job files, damaged', () => {
  it('refuses a workbook whose local file header is damaged with 400 invalid_xlsx (found by the fuzzer: it was a 500)', async () => {
    const xlsx = await buildXlsx(['id', 'transcript'], 2, (i) => [...rows[i]].slice(0, 2), '通话');
    // The first entry's signature "PK\x03\x04" with its first byte gone: the directory at the end still reads.
    const damaged = Buffer.from(xlsx);
    damaged[0] = 0;
    const res = await send(damaged, XLSX);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 'invalid_xlsx', message: expect.stringContaining('damaged') } });
    expect((await call(h.server.url, 'GET', '/api/health')).status).toBe(200);
  });
});

describe('upload limits', () => {
  let small: V1Harness;
  let smallKey: string;
  beforeAll(async () => {
    small = await startV1Harness({ MOFANG_JOB_UPLOAD_LIMIT: '16kb', MOFANG_JOB_XLSX_UNPACKED_LIMIT: '4kb' });
    await small.publish('echo-input', graph);
    smallKey = (await small.key()).key;
  });
  afterAll(() => small.close());

  it('413 over the upload limit and over the unpacked limit of a workbook, naming the setting', async () => {
    const post = async (bytes: Uint8Array, contentType: string) => {
      const res = await fetch(`${small.server.url}/v1/scenarios/echo-input/jobs`, { method: 'POST', body: new Uint8Array(bytes), headers: { 'content-type': contentType, authorization: `Bearer ${smallKey}` } });
      return { status: res.status, json: await res.json() };
    };
    const big = Buffer.from(`id,transcript\r\n${Array.from({ length: 400 }, (_, i) => `c${i},${quote(rows[0][1])}`).join('\r\n')}`);
    expect(await post(big, 'text/csv')).toMatchObject({ status: 413, json: { error: { code: 'upload_too_large', details: { setting: 'MOFANG_JOB_UPLOAD_LIMIT', limit_bytes: 16384 } } } });
    // A small workbook that unpacks past 4 KB (its XML parts alone are more): the unpacked limit holds.
    const xlsx = await buildXlsx(['id', 'transcript'], 1, () => ['c1', '客户：你好']);
    expect(xlsx.length).toBeLessThan(16 * 1024);
    expect(await post(xlsx, XLSX)).toMatchObject({ status: 413, json: { error: { code: 'upload_too_large', details: { setting: 'MOFANG_JOB_XLSX_UNPACKED_LIMIT' } } } });
  });
});

describe('an upload cut off by its client', () => {
  it('is no server error: nothing logged as unhandled, no job, and the server answers the next request', async () => {
    const logged: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
    try {
      const before = await jobCount();
      const { port } = new URL(h.server.url);
      const body = `${JSON.stringify({ id: 'a', transcript: '坐席：您好' })}\n`.repeat(200);
      await new Promise<void>((resolve) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write(`POST /v1/scenarios/echo-input/jobs/jsonl HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/x-ndjson\r\nContent-Length: ${Buffer.byteLength(body) * 4}\r\n\r\n${body}`);
          setTimeout(() => socket.destroy(), 100);
        });
        socket.on('close', () => resolve());
        socket.on('error', () => resolve());
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await call(h.server.url, 'GET', '/api/health')).status).toBe(200);
      expect(await jobCount()).toBe(before);
      expect(logged.filter((line) => line.includes('unhandled'))).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });
});
