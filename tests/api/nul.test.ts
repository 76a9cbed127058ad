/**
 * The NUL rule over real HTTP and the CLI (issue 16): U+0000 is refused wherever input enters, with
 * 400 `nul_character` naming where, and nothing is stored (PostgreSQL could not store it; SQLite would).
 */
import { rawRows } from '../../server/src/storage/dialect-sql.js';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import JSZip from 'jszip';
import { GRAPH_FORMAT, type Graph } from '@shared/graph.js';
import { V1SessionCreatedSchema } from '@shared/sessions.js';
import { buildXlsx } from '../../bench/xlsx-fixture.js';
import { authHeaders, call, echoGraph } from './helpers.js';
import { mofang } from './cli-helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** start (transcript) → end: no model, so a run is quick. */
const plain: Graph = {
  schema: GRAPH_FORMAT,
  name: 'nul-plain',
  nodes: [
    { id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [{ name: 'transcript', type: 'transcript', required: true }] } },
    { id: 'end', kind: 'end', version: 1, position: { x: 300, y: 0 }, config: { outputs: [{ name: 'reply', value: '{{ start.transcript.text }}' }] } },
  ],
  edges: [{ id: 'e1', source: 'start', sourcePort: 'out', target: 'end', targetPort: 'in' }],
};

let h: V1Harness;
let key: string;
let plainId: string;

beforeAll(async () => {
  h = await startV1Harness();
  plainId = (await h.publish('plain', plain)).scenarioId;
  key = (await h.key()).key;
});
afterAll(() => h.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Rows of a table, counted in the server's own store. */
async function count(table: string): Promise<number> {
  const [row] = await rawRows(h.store, sql.raw(`SELECT count(*) AS n FROM ${table}`));
  return Number(row?.n ?? 0);
}

/** The row counts a refused request must leave as they were (the run log writes behind: waited for). */
async function counts(): Promise<Record<string, number>> {
  await sleep(150);
  const tables = ['scenarios', 'runs', 'jobs', 'job_items', 'call_sessions', 'call_session_turns', 'eval_sets', 'eval_revisions', 'eval_cases'];
  return Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await count(t)] as const)));
}

function expectNul(res: { status: number; json: unknown }, details: Record<string, unknown>): void {
  expect(res.status, JSON.stringify(res.json)).toBe(400);
  expect(res.json).toMatchObject({ error: { code: 'nul_character', details } });
  expect(JSON.stringify(res.json)).toMatch(/NUL character \(U\+0000\)/);
}

describe('JSON bodies', () => {
  it('/api: a string or an object key holding U+0000 anywhere in the body, or the body a bare string', async () => {
    const before = await counts();
    expectNul(await call(h.server.url, 'POST', '/api/scenarios', { name: '质检\u0000' }), { path: 'body.name' });
    expectNul(await call(h.server.url, 'POST', '/api/scenarios', { name: 'ok', graph: { ...plain, nodes: [plain.nodes[0], { ...plain.nodes[1], config: { outputs: [{ name: 'reply', value: 'a\u0000' }] } }] } }), { path: 'body.graph.nodes.1.config.outputs.0.value' });
    expectNul(await call(h.server.url, 'POST', '/api/scenarios', { name: 'ok', ['des\u0000cription']: 'x' }), { path: 'body.des\\u0000cription', in_key: true });
    expectNul(await call(h.server.url, 'POST', '/api/scenarios', JSON.stringify('\u0000')), { path: 'body' });
    // An escaped backslash before u0000 is text, not a NUL: taken.
    expect((await call(h.server.url, 'POST', '/api/scenarios', { name: 'a\\u0000 is text' })).status).toBe(201);
    expect(await counts()).toEqual({ ...before, scenarios: before.scenarios + 1 });
  });

  const run = { inputs: { transcript: { turns: [{ role: 'agent', text: '您好' }, { role: 'customer', text: '宽带\u0000断了' }] } } };
  for (const [lane, url] of [['fast lane', '/v1/scenarios/plain/run'], ['Express route', '/v1/scenarios/plain/run/']] as const) {
    it(`/v1 run through the ${lane}`, async () => {
      const before = await counts();
      const res = await h.v1('POST', url, key, run);
      expectNul(res, { path: 'body.inputs.transcript.turns.1.text' });
      // The same input without the NUL runs: the refusal is the rule, not the route.
      const ok = await h.v1('POST', url, key, { inputs: { transcript: '客户：宽带断了' } });
      expect(ok.status, ok.text).toBe(200);
      expect(await counts()).toEqual({ ...before, runs: before.runs + 1 });
    });
  }

  for (const [lane, suffix] of [['fast lane', ''], ['Express route', '/']] as const) {
    it(`a live session's turns through the ${lane}`, async () => {
      const created = await h.v1('POST', '/v1/scenarios/plain/sessions', key, {});
      expect(created.status, created.text).toBe(201);
      const { session_id } = V1SessionCreatedSchema.parse(created.json);
      const before = await counts();
      const turns = ['a', 'b', 'c', 'd'].map((id, i) => ({ id, role: 'customer', text: i === 3 ? '话费\u0000' : '话费' }));
      expectNul(await h.v1('POST', `/v1/sessions/${session_id}/turns${suffix}`, key, { turns }), { path: 'body.turns.3.text' });
      expect(await counts()).toEqual(before);
      expect((await h.v1('POST', `/v1/sessions/${session_id}/end`, key)).status).toBe(200);
    });
  }
});

describe('request targets', () => {
  it('%00 in a query value or a path parameter, named', async () => {
    const before = await counts();
    expectNul(await h.v1('POST', '/v1/scenarios/plain/jobs?webhook=http%3A%2F%2F127.0.0.1%2F%00', key, '{"items":[{"inputs":{"transcript":"x"}}]}'), { path: 'query.webhook' });
    expectNul(await h.v1('GET', '/v1/runs/r%00n', key), { path: 'url' });
    // Written as a JSON escape inside ?mapping=, it passes %00 but not the rule.
    expectNul(await h.v1('POST', `/v1/scenarios/plain/jobs?mapping=${encodeURIComponent('{"transcript":"通话\\u0000"}')}`, key, '{"items":[{"inputs":{"transcript":"x"}}]}'), { path: 'query.mapping.transcript' });
    expectNul(await call(h.server.url, 'GET', '/api/scenarios/s%00'), { path: 'url' });
    expect(await counts()).toEqual(before);
  });
});

describe('uploads', () => {
  const upload = async (body: string | Uint8Array, type: string) => {
    const res = await fetch(`${h.server.url}/v1/scenarios/plain/jobs`, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { 'content-type': type, authorization: `Bearer ${key}` } });
    return { status: res.status, json: (await res.json()) as unknown };
  };

  it('CSV: the line and column of the cell (UTF-16, or UTF-8 with the NUL past the encoding sample), nothing stored', async () => {
    const before = await counts();
    const utf16 = (text: string) => new Uint8Array([0xff, 0xfe, ...Buffer.from(text, 'utf16le')]);
    expectNul(await upload(utf16('id,transcript\r\nc1,"客户：你好"\r\nc2,"客户：\u0000"\r\n'), 'text/csv'), { line: 3, column: 'transcript', reason: 'cell' });
    // In the header row, the column is its number.
    expectNul(await upload(utf16('id,trans\u0000cript\r\nc1,x\r\n'), 'text/csv'), { line: 1, column: '#2', reason: 'cell' });
    const long = Array.from({ length: 3000 }, (_, i) => `c${i},"客户：宽带断了，宽带断了"`).join('\r\n');
    expectNul(await upload(`id,transcript\r\n${long}\r\nlast,"断\u0000了"\r\n`, 'text/csv'), { line: 3002, column: 'transcript', reason: 'cell' });
    // The preview the jobs page shows before submitting refuses what the submission would.
    const preview = await fetch(`${h.server.url}/api/scenarios/${plainId}/jobs/preview`, { method: 'POST', body: utf16('id,transcript\r\nc1,"\u0000"\r\n'), headers: { ...authHeaders(h.server.url), 'content-type': 'text/csv' } });
    expectNul({ status: preview.status, json: await preview.json() }, { line: 2, column: 'transcript', reason: 'cell' });
    // A NUL byte near the start of a UTF-8 file makes it binary data to the encoding check, refused as ever.
    expect((await upload('id,transcript\r\nc1,"\u0000"\r\n', 'text/csv')).status).toBe(415);
    expect(await counts()).toEqual(before);
  });

  it('JSONL and a JSON body: the line (the item) and the path in it, nothing stored', async () => {
    const before = await counts();
    expectNul(await upload('{"id":"c1","inputs":{"transcript":"ok"}}\n{"id":"c2","inputs":{"transcript":"bad\\u0000"}}\n', 'application/x-ndjson'), { line: 2, path: 'inputs.transcript' });
    expectNul(await upload(JSON.stringify({ items: [{ inputs: { transcript: 'ok' } }, { id: 'c\u0000', inputs: { transcript: 'ok' } }] }), 'application/json'), { line: 2, path: 'id' });
    expectNul(await upload(JSON.stringify({ items: [{ inputs: { transcript: 'ok' } }], webhook: { url: 'http://127.0.0.1/\u0000' } }), 'application/json'), { path: 'body.webhook.url' });
    expect(await counts()).toEqual(before);
  });

  it('xlsx: exceljs cannot write U+0000 and XML cannot hold it; a workbook that does is refused, nothing stored', async () => {
    const before = await counts();
    const workbook = await buildXlsx(['id', 'transcript'], 2, (i) => [`c${i}`, i === 1 ? 'bad\u0000x' : 'ok'], '通话');
    // exceljs drops the character when it writes: the NUL never reaches the server.
    const zip = await JSZip.loadAsync(workbook);
    const strings = await zip.file('xl/sharedStrings.xml')?.async('string');
    expect(strings).toContain('badx');
    // Put back into the XML (raw or as a character reference), the workbook is not XML any more: refused as unreadable.
    for (const nul of ['\u0000', '&#0;']) {
      zip.file('xl/sharedStrings.xml', (strings ?? '').replace('badx', `bad${nul}x`));
      const res = await upload(await zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' }), XLSX);
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ error: { code: 'invalid_xlsx' } });
    }
    expect(await counts()).toEqual(before);
  });

  it('an evaluation set file (JSONL) the same way', async () => {
    const scenarioId = { id: (await h.publish('eval-nul', plain)).scenarioId };
    const set = await call(h.server.url, 'POST', `/api/scenarios/${scenarioId.id}/eval-sets`, { name: 'nul' });
    expect(set.status, set.text).toBe(201);
    const setId = (set.json as { id: string }).id;
    const before = await counts();
    const res = await fetch(`${h.server.url}/api/eval-sets/${setId}/upload`, { method: 'POST', body: '{"id":"a","inputs":{"transcript":"ok"},"expected":{"reply":"x"}}\n{"id":"b","inputs":{"transcript":"x\\u0000"},"expected":{"reply":"x"}}\n', headers: { ...authHeaders(h.server.url), 'content-type': 'application/x-ndjson' } });
    expectNul({ status: res.status, json: await res.json() }, { line: 2, path: 'inputs.transcript' });
    expect(await counts()).toEqual(before);
  });
});

describe('the CLI', () => {
  it('mofang publish of a graph file holding U+0000 names the file, the line and the path, and stores nothing', async () => {
    const before = await counts();
    const graph = { ...echoGraph('nul-cli'), nodes: echoGraph('nul-cli').nodes.map((n) => (n.id === 'llm_1' ? { ...n, config: { system: '你是客服。', user: '坐席\u0000' } } : n)) };
    const file = path.join(h.dir, 'nul-graph.json');
    writeFileSync(file, JSON.stringify(graph, null, 2));
    const r = await mofang(['publish', file, '--slug', 'nul-cli'], { MOFANG_DATA_DIR: h.dir });
    expect(r.code).not.toBe(0);
    const line = JSON.stringify(graph, null, 2).split('\n').findIndex((l) => l.includes('\\u0000')) + 1;
    expect(r.stderr).toContain(`"${file}", line ${line}: holds the NUL character (U+0000) at nodes.1.config.user`);
    expect(await counts()).toEqual(before);
  });

  it('mofang replay names the calls file and its line before it calls the server', async () => {
    const file = path.join(h.dir, 'calls.jsonl');
    writeFileSync(file, '{"id":"c1","turns":[{"role":"客户","text":"你好"}]}\n{"id":"c2","turns":[{"role":"客户","text":"断\\u0000了"}]}\n');
    const before = await counts();
    const r = await mofang(['replay', 'plain', '--file', file, '--speed', 'max', '--url', h.server.url, '--key', key]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${file}, line 2: the call holds the NUL character (U+0000) at turns.0.text`);
    expect(await counts()).toEqual(before);
  });
});
