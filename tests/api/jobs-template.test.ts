/**
 * Feeding and reading jobs over real HTTP (issue 13 part 7): the upload template as JSON, CSV and .xlsx
 * (samples masked for a reader without pii:read), a workbook previewed and submitted with a column
 * mapping, its results read back as .xlsx with a column pair per audit item, and refusals that name the
 * row and the column.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { JobCreatedSchema, JobDetailSchema, JobUploadPreviewSchema, JobUploadTemplateSchema, XLSX_MEDIA_TYPE } from '@shared/jobs.js';
import { authHeaders, call, signInAs, type TestSession } from './helpers.js';
import { auditGraph, resultLines, sampleConversations, waitForJob } from './jobs-helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

const PHONE = '13812345678';
let h: V1Harness;
let scenarioId: string;
let viewer: TestSession;

beforeAll(async () => {
  h = await startV1Harness();
  scenarioId = (await h.publish('audit', { ...auditGraph(), inputs: { transcript: `坐席：您好，工号 1024，请讲。\n客户：我的手机号是 ${PHONE}，宽带断了。` } })).scenarioId;
  viewer = await signInAs(h.server.url, 'viewer');
});
afterAll(() => h.close());

async function fetchBytes(url: string, headers: Record<string, string> = authHeaders(h.server.url)) {
  const res = await fetch(h.server.url + url, { headers });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function workbookOf(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(bytes as unknown as ArrayBuffer);
  return book;
}

const values = (row: ExcelJS.Row) => (Array.isArray(row.values) ? row.values.slice(1) : []);

/** A 30-call workbook as a team lead has it: their own column names, and a column Mofang has no input for. */
async function callsWorkbook(edit?: (rows: string[][]) => void): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('通话');
  sheet.addRow(['编号', '坐席工号', '通话内容']);
  const rows = sampleConversations().slice(0, 30).map((c) => [c.id, '1024', c.turns.map((t) => `${t.role === 'agent' ? '坐席' : '客户'}：${t.text}`).join('\n')]);
  edit?.(rows);
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await book.xlsx.writeBuffer());
}

function post(url: string, body: Buffer, headers: Record<string, string> = {}) {
  return fetch(h.server.url + url, { method: 'POST', body: new Uint8Array(body), headers: { ...authHeaders(h.server.url), 'content-type': XLSX_MEDIA_TYPE, ...headers } });
}

const mapping = (m: Record<string, string>) => `mapping=${encodeURIComponent(JSON.stringify(m))}`;

describe('the upload template', () => {
  it('describes the start inputs as JSON, with the sample masked for a viewer', async () => {
    const full = JobUploadTemplateSchema.parse((await call(h.server.url, 'GET', `/api/scenarios/${scenarioId}/jobs/template`)).json);
    expect(full).toMatchObject({ scenario_id: scenarioId, slug: 'audit', version: 1, columns: [{ name: 'transcript', type: 'transcript', required: true }] });
    expect(full.example).toMatchObject({ id: 'example-1', transcript: expect.stringContaining(PHONE) });
    const masked = JobUploadTemplateSchema.parse((await call(h.server.url, 'GET', `/api/scenarios/${scenarioId}/jobs/template`, undefined, {}, { as: viewer })).json);
    expect(masked.example.transcript).toContain('宽带断了');
    expect(masked.example.transcript).not.toContain(PHONE);
  });

  it('downloads as CSV: a header of input names and the example row', async () => {
    const { res, bytes } = await fetchBytes(`/api/scenarios/${scenarioId}/jobs/template?format=csv`, viewer.headers);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename=audit-v1-template.csv');
    const rows: string[][] = parse(bytes.toString('utf8'), { bom: true });
    expect(rows[0]).toEqual(['id', 'transcript']);
    expect(rows[1][0]).toBe('example-1');
    expect(rows[1][1]).toContain('客户：');
    expect(rows[1][1]).not.toContain(PHONE);
  });

  it('downloads as .xlsx: the items sheet with notes on its header, and a notes sheet (English on ask)', async () => {
    const { res, bytes } = await fetchBytes(`/api/scenarios/${scenarioId}/jobs/template?format=xlsx`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain(XLSX_MEDIA_TYPE);
    const book = await workbookOf(bytes);
    const [items, notes] = book.worksheets;
    expect(items.name).toBe('条目');
    expect(values(items.getRow(1))).toEqual(['id', 'transcript']);
    expect(values(items.getRow(2))[0]).toBe('example-1');
    expect(String(items.getCell('B1').note)).toContain('必填');
    expect(values(notes.getRow(2))).toEqual(['id', '选填', '文本', expect.any(String)]);
    expect(values(notes.getRow(3)).slice(0, 2)).toEqual(['transcript', '必填']);
    const en = await workbookOf((await fetchBytes(`/api/scenarios/${scenarioId}/jobs/template?format=xlsx&lang=en`)).bytes);
    expect(en.worksheets.map((s) => s.name)).toEqual(['items', 'notes']);
    expect(String(en.worksheets[0].getCell('B1').note)).toMatch(/^required · call transcript/);
    // The template goes back in as it is: its example row is one valid item.
    const again = await post(`/api/scenarios/${scenarioId}/jobs`, bytes);
    expect(again.status, await again.clone().text()).toBe(202);
    expect(JobCreatedSchema.parse(await again.json()).total).toBe(1);
  });

  it('refuses an unpublished scenario and a bad version with their codes', async () => {
    expect((await call(h.server.url, 'GET', '/api/scenarios/nope/jobs/template')).json).toMatchObject({ error: { code: 'not_found' } });
    expect((await call(h.server.url, 'GET', `/api/scenarios/${scenarioId}/jobs/template?version=x`)).json).toMatchObject({ error: { code: 'invalid_version' } });
  });
});

describe('a workbook previewed, mapped, submitted and read back', () => {
  it('previews the first rows of a workbook with its own column names', async () => {
    const res = await post(`/api/scenarios/${scenarioId}/jobs/preview?rows=5`, await callsWorkbook());
    expect(res.status).toBe(200);
    const preview = JobUploadPreviewSchema.parse(await res.json());
    expect(preview).toMatchObject({ format: 'xlsx', sheet: '通话', columns: ['编号', '坐席工号', '通话内容'] });
    expect(preview.rows).toHaveLength(5);
    expect(preview.rows[0][0]).toBe(sampleConversations()[0].id);
  });

  it('submits 30 calls through a mapping and downloads .xlsx results with a column pair per audit item', async () => {
    const res = await post(`/api/scenarios/${scenarioId}/jobs?${mapping({ id: '编号', transcript: '通话内容' })}`, await callsWorkbook());
    expect(res.status, await res.clone().text()).toBe(202);
    const { job_id, total } = JobCreatedSchema.parse(await res.json());
    expect(total).toBe(30);
    expect(await waitForJob(h.server.url, `/api/jobs/${job_id}`)).toMatchObject({ status: 'completed', succeeded: 30 });
    // The in-process simulator answered every item: the job detail counts them.
    expect(JobDetailSchema.parse((await call(h.server.url, 'GET', `/api/jobs/${job_id}`)).json).simulated).toBe(30);
    const { res: file, bytes } = await fetchBytes(`/api/jobs/${job_id}/results?format=xlsx`);
    expect(file.headers.get('content-disposition')).toBe(`attachment; filename=audit-${new Date().toISOString().slice(0, 10)}-${job_id.slice(0, 8)}.xlsx`);
    const sheet = (await workbookOf(bytes)).worksheets[0];
    expect(sheet.rowCount).toBe(31);
    const header = values(sheet.getRow(1)).map(String);
    const items = auditGraph().nodes.find((n) => n.kind === 'audit')?.config.items as Array<{ name: string }>;
    for (const item of items) expect(header).toEqual(expect.arrayContaining([`${item.name} · 得分`, `${item.name} · 结果`]));
    expect(header.slice(0, 6)).toEqual(['id', 'run_id', 'status', 'simulated', 'score', 'verdict']);
    const first = values(sheet.getRow(2));
    expect(first[0]).toBe(sampleConversations()[0].id);
    expect(first[3]).toBe(true);
    expect(typeof first[header.indexOf('score')]).toBe('number');
    expect(['通过', '不通过', '不适用']).toContain(first[header.indexOf(`${items[0].name} · 结果`)]);
    // CSV has the same columns.
    const csv = await call(h.server.url, 'GET', `/api/jobs/${job_id}/results?format=csv`);
    const records: string[][] = parse(csv.text, { bom: true });
    expect(records[0]).toEqual(header);
    expect(records.slice(1).map((r) => r[3])).toEqual(Array(30).fill('true'));
    // So has every JSONL line, on /api and on /v1.
    const lines = resultLines((await call(h.server.url, 'GET', `/api/jobs/${job_id}/results`)).text);
    expect(lines.map((l) => l.simulated)).toEqual(Array(30).fill(true));
    const { key } = await h.key({ scopes: ['runs:read'] });
    const v1 = await h.v1('GET', `/v1/jobs/${job_id}/results`, key);
    expect(v1.status).toBe(200);
    expect(resultLines(v1.text).every((l) => l.simulated)).toBe(true);
  });

  it('names the row and the column of what it refuses', async () => {
    const missing = await post(`/api/scenarios/${scenarioId}/jobs?${mapping({ transcript: '通话' })}`, await callsWorkbook());
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { code: 'invalid_item', details: { sheet: '通话', row: 1, column: '通话' } } });
    const empty = await post(`/api/scenarios/${scenarioId}/jobs?${mapping({ id: '编号', transcript: '通话内容' })}`, await callsWorkbook((rows) => (rows[3][2] = '')));
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ error: { code: 'invalid_item', details: { sheet: '通话', row: 5, column: '通话内容' } } });
    const unknown = await post(`/api/scenarios/${scenarioId}/jobs?${mapping({ transcript: '通话内容', agent: '坐席工号' })}`, await callsWorkbook());
    expect(await unknown.json()).toMatchObject({ error: { code: 'invalid_mapping', details: { input: 'agent' } } });
    const unmapped = await post(`/api/scenarios/${scenarioId}/jobs?${mapping({ id: '编号' })}`, await callsWorkbook());
    expect(await unmapped.json()).toMatchObject({ error: { code: 'unmapped_input', details: { input: 'transcript' } } });
    const garbled = await post(`/api/scenarios/${scenarioId}/jobs?mapping=%7Bnot-json`, await callsWorkbook());
    expect(await garbled.json()).toMatchObject({ error: { code: 'invalid_mapping' } });
  });
});
