/**
 * Evaluation sets over real HTTP (issue 14 parts 1 and 6): create, upload JSONL / CSV / .xlsx (with the
 * mapping preview), cases checked against the scenario, every change a new revision that reads back
 * exactly, a run and a job item promoted, export as JSONL, audit entries, a viewer refused, and the
 * STC-3 set that comes with a scenario made from the complaint-risk template.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { EvalChangeReplySchema, EvalRevisionListSchema, EvalSetDetailSchema, EvalSetListSchema, EvalSetSummarySchema, EvalTargetsSchema } from '@shared/evaluation.js';
import { JobUploadPreviewSchema, XLSX_MEDIA_TYPE } from '@shared/jobs.js';
import { authHeaders, call, echoGraph, signInAs, type TestSession } from './helpers.js';
import { waitForJob } from './jobs-helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

let h: V1Harness;
let scenarioId: string;
let viewer: TestSession;
let inspector: TestSession;
const base = () => h.server.url;

beforeAll(async () => {
  h = await startV1Harness();
  scenarioId = (await h.publish('echo', echoGraph())).scenarioId;
  viewer = await signInAs(base(), 'viewer');
  inspector = await signInAs(base(), 'inspector');
});
afterAll(() => h.close());

const transcript = (text: string) => `坐席：您好。\n客户：${text}`;

async function newSet(name: string, as?: TestSession) {
  const res = await call(base(), 'POST', `/api/scenarios/${scenarioId}/eval-sets`, { name, description: 'd' }, {}, as ? { as } : {});
  expect(res.status, res.text).toBe(201);
  return EvalSetSummarySchema.parse(res.json);
}

function send(url: string, body: string | Buffer, type: string) {
  return fetch(base() + url, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { ...authHeaders(base()), 'content-type': type } });
}

const detail = async (setId: string, query = '') => EvalSetDetailSchema.parse((await call(base(), 'GET', `/api/eval-sets/${setId}${query}`)).json);

describe('evaluation sets', () => {
  it('lists the targets a case may name', async () => {
    const targets = EvalTargetsSchema.parse((await call(base(), 'GET', `/api/scenarios/${scenarioId}/eval-sets/targets`)).json);
    expect(targets.inputs.map((i) => i.name)).toEqual(['transcript']);
    expect(targets.outputs.map((o) => o.name)).toEqual(['reply']);
    expect(targets.builtin).toEqual([]);
  });

  it('uploads JSONL, edits and removes cases, each change a revision that reads back exactly', async () => {
    const set = await newSet('jsonl');
    expect(set).toMatchObject({ revision: 0, cases: 0 });
    const jsonl = [
      { id: 'a', inputs: { transcript: transcript('宽带断了') }, expected: { reply: 'x' } },
      { inputs: { transcript: transcript('话费不对') }, expected: { reply: 'y' } },
    ]
      .map((c) => JSON.stringify(c))
      .join('\n');
    const up = await send(`/api/eval-sets/${set.id}/upload`, jsonl, 'application/x-ndjson');
    expect(up.status).toBe(201);
    expect(EvalChangeReplySchema.parse(await up.json())).toMatchObject({ revision: 1, added: 2, cases: 2, case_ids: ['a', 'c1'] });

    const edit = await call(base(), 'PUT', `/api/eval-sets/${set.id}/cases/a`, { expected: { reply: 'x2' } });
    expect(edit.status, edit.text).toBe(200);
    expect(edit.json).toMatchObject({ revision: 2, changed: 1 });
    const gone = await call(base(), 'DELETE', `/api/eval-sets/${set.id}/cases/c1`);
    expect(gone.json).toMatchObject({ revision: 3, removed: 1, cases: 1 });

    const r1 = await detail(set.id, '?revision=1');
    expect(r1.case_list.map((c) => [c.id, c.expected])).toEqual([['a', { reply: 'x' }], ['c1', { reply: 'y' }]]);
    const r2 = EvalSetDetailSchema.parse((await call(base(), 'GET', `/api/eval-sets/${set.id}/revisions/2`)).json);
    expect(r2.case_list.map((c) => [c.id, c.expected])).toEqual([['c1', { reply: 'y' }], ['a', { reply: 'x2' }]]);
    const latest = await detail(set.id);
    expect(latest).toMatchObject({ revision: 3, shown_revision: 3, cases: 1 });
    expect(latest.case_list.map((c) => c.id)).toEqual(['a']);
    const history = EvalRevisionListSchema.parse((await call(base(), 'GET', `/api/eval-sets/${set.id}/revisions`)).json);
    expect(history.revisions.map((r) => [r.revision, r.change, r.by])).toEqual([
      [3, 'remove', 'admin'],
      [2, 'edit', 'admin'],
      [1, 'upload', 'admin'],
    ]);
    expect((await call(base(), 'GET', `/api/eval-sets/${set.id}?revision=9`)).json).toMatchObject({ error: { code: 'unknown_revision' } });

    const exported = await fetch(`${base()}/api/eval-sets/${set.id}/export?revision=1`, { headers: authHeaders(base()) });
    expect(exported.headers.get('content-disposition')).toBe('attachment; filename=echo-jsonl-r1.jsonl');
    const lines = (await exported.text()).trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(lines).toEqual([
      { id: 'a', inputs: { transcript: transcript('宽带断了') }, expected: { reply: 'x' } },
      { id: 'c1', inputs: { transcript: transcript('话费不对') }, expected: { reply: 'y' } },
    ]);
    const list = EvalSetListSchema.parse((await call(base(), 'GET', `/api/scenarios/${scenarioId}/eval-sets`)).json);
    expect(list.sets.find((s) => s.id === set.id)).toMatchObject({ revision: 3, cases: 1 });
  });

  it('refuses cases that do not fit the scenario, naming the line, the path and the allowed names', async () => {
    const set = await newSet('refusals');
    const bad = await send(`/api/eval-sets/${set.id}/upload`, `${JSON.stringify({ inputs: { transcript: 't' }, expected: { reply: 'ok' } })}\n${JSON.stringify({ inputs: { transcript: 't' }, expected: { risk: 'high' } })}\n`, 'application/x-ndjson');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'unknown_expected_output', details: { line: 2, path: 'expected.risk', allowed: ['reply'] } } });
    const inputs = await call(base(), 'POST', `/api/eval-sets/${set.id}/cases`, { cases: [{ inputs: { text: 'x' }, expected: { reply: 'a' } }] });
    expect(inputs.status).toBe(400);
    expect(inputs.json).toMatchObject({ error: { code: 'invalid_case_inputs', details: { allowed: ['transcript'] } } });
    const notGzip = await fetch(base() + `/api/eval-sets/${set.id}/upload`, { method: 'POST', body: '{"inputs":{}}\n', headers: { ...authHeaders(base()), 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' } });
    expect(notGzip.status).toBe(400);
    expect(await notGzip.json()).toMatchObject({ error: { code: 'invalid_content_encoding', details: { encoding: 'gzip' } } });
    const notJson = await send(`/api/eval-sets/${set.id}/upload`, '{"inputs": ', 'application/x-ndjson');
    expect(await notJson.json()).toMatchObject({ error: { code: 'invalid_item', details: { line: 1 } } });
    expect((await detail(set.id)).revision).toBe(0);
    expect((await call(base(), 'POST', `/api/scenarios/${scenarioId}/eval-sets`, { name: 'refusals' })).json).toMatchObject({ error: { code: 'set_name_taken' } });
  });

  it('reads CSV and .xlsx: prefixed headers, or any columns mapped after a preview', async () => {
    const set = await newSet('tables');
    const csv = 'id,inputs.transcript,expected.reply\nk1,"坐席：您好\n客户：查话费",好的\n';
    const up = await send(`/api/eval-sets/${set.id}/upload`, csv, 'text/csv');
    expect(up.status).toBe(201);
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('用例');
    sheet.addRow(['编号', '通话', '期望回复']);
    sheet.addRow(['k2', transcript('要投诉'), '安抚']);
    sheet.addRow(['k3', transcript('谢谢'), '不客气']);
    const bytes = Buffer.from(await book.xlsx.writeBuffer());
    const preview = JobUploadPreviewSchema.parse(await (await send(`/api/scenarios/${scenarioId}/eval-sets/preview`, bytes, XLSX_MEDIA_TYPE)).json());
    expect(preview).toMatchObject({ format: 'xlsx', sheet: '用例', columns: ['编号', '通话', '期望回复'] });
    const mapping = encodeURIComponent(JSON.stringify({ id: '编号', 'inputs.transcript': '通话', 'expected.reply': '期望回复' }));
    const mapped = await send(`/api/eval-sets/${set.id}/upload?mapping=${mapping}`, bytes, XLSX_MEDIA_TYPE);
    expect(mapped.status).toBe(201);
    expect((await detail(set.id)).case_list.map((c) => [c.id, c.expected])).toEqual([['k1', { reply: '好的' }], ['k2', { reply: '安抚' }], ['k3', { reply: '不客气' }]]);
    const wrong = await send(`/api/eval-sets/${set.id}/upload?mapping=${encodeURIComponent(JSON.stringify({ 'expected.risk': '通话' }))}`, bytes, XLSX_MEDIA_TYPE);
    expect(await wrong.json()).toMatchObject({ error: { code: 'invalid_mapping' } });
    const jsonlPreview = JobUploadPreviewSchema.parse(await (await send(`/api/scenarios/${scenarioId}/eval-sets/preview`, JSON.stringify({ id: 'q', inputs: { transcript: 't' }, expected: { reply: 'r' } }), 'application/x-ndjson')).json());
    expect(jsonlPreview.columns).toEqual(['id', 'inputs.transcript', 'expected.reply']);
  });

  it('promotes a test run and a job item with their outputs as the starting expected', async () => {
    const set = await newSet('promoted');
    const run = await call(base(), 'POST', `/api/scenarios/${scenarioId}/test-run`, { inputs: { transcript: transcript('网速慢') } });
    expect(run.status, run.text).toBe(200);
    const runId = (run.json as { run_id: string; outputs: Record<string, unknown> }).run_id;
    const fromRun = await call(base(), 'POST', `/api/eval-sets/${set.id}/promote`, { run_id: runId });
    expect(fromRun.status, fromRun.text).toBe(201);
    const job = await call(base(), 'POST', `/api/scenarios/${scenarioId}/jobs`, { items: [{ id: 'call-1', inputs: { transcript: transcript('换套餐') } }] });
    expect(job.status, job.text).toBe(202);
    const jobId = (job.json as { job_id: string }).job_id;
    await waitForJob(base(), `/api/jobs/${jobId}`);
    const fromItem = await call(base(), 'POST', `/api/eval-sets/${set.id}/promote`, { job_id: jobId, item_id: 'call-1', case_id: 'from-job' });
    expect(fromItem.status, fromItem.text).toBe(201);
    const cases = (await detail(set.id)).case_list;
    expect(cases.map((c) => [c.id, c.source.kind, typeof c.expected.reply])).toEqual([
      ['c1', 'run', 'string'],
      ['from-job', 'job_item', 'string'],
    ]);
    expect(cases[0].source.run_id).toBe(runId);
    expect(cases[1].inputs).toEqual({ transcript: transcript('换套餐') });
    expect((await call(base(), 'POST', `/api/eval-sets/${set.id}/promote`, { run_id: 'nope' })).json).toMatchObject({ error: { code: 'unknown_run' } });
    // The same run twice is refused, naming the case that holds it.
    const twice = await call(base(), 'POST', `/api/eval-sets/${set.id}/promote`, { run_id: runId });
    expect(twice.status).toBe(409);
    expect(twice.json).toMatchObject({ error: { code: 'already_in_set', details: { case_id: 'c1' } } });
    // A removed case's generated id is never given to another case (older revisions still hold it).
    expect((await call(base(), 'DELETE', `/api/eval-sets/${set.id}/cases/c1`)).status).toBe(200);
    const again = await call(base(), 'POST', `/api/eval-sets/${set.id}/promote`, { run_id: runId });
    expect(again.status, again.text).toBe(201);
    expect((again.json as { case_ids: string[] }).case_ids).toEqual(['c2']);
  });

  it('records changes in the audit log, lets an inspector manage sets and refuses a viewer', async () => {
    const set = await newSet('by-inspector', inspector);
    const added = await call(base(), 'POST', `/api/eval-sets/${set.id}/cases`, { cases: [{ inputs: { transcript: 't' }, expected: { reply: 'r' } }] }, {}, { as: inspector });
    expect(added.status).toBe(201);
    expect((await call(base(), 'GET', `/api/eval-sets/${set.id}`, undefined, {}, { as: viewer })).status).toBe(403);
    const refused = await call(base(), 'POST', `/api/scenarios/${scenarioId}/eval-sets`, { name: 'viewer set' }, {}, { as: viewer });
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ error: { code: 'forbidden', details: { permission: 'eval:write' } } });
    expect((await call(base(), 'DELETE', `/api/eval-sets/${set.id}`, undefined, {}, { as: inspector })).status).toBe(204);
    const audit = (await call(base(), 'GET', `/api/audit?target_id=${set.id}`)).json as { entries: Array<{ action: string; actor_name: string }> };
    expect(audit.entries.map((e) => e.action)).toEqual(['eval_set.delete', 'eval_set.change', 'eval_set.create']);
  });

  it('gives a scenario made from the complaint-risk template its STC-3 set', async () => {
    const made = await call(base(), 'POST', '/api/templates/complaint-risk/use', { name: '投诉风险 评测' });
    expect(made.status, made.text).toBe(201);
    const id = (made.json as { id: string }).id;
    const list = EvalSetListSchema.parse((await call(base(), 'GET', `/api/scenarios/${id}/eval-sets`)).json);
    expect(list.sets).toHaveLength(1);
    expect(list.sets[0]).toMatchObject({ revision: 1, cases: 200 });
    const shown = await detail(list.sets[0].id);
    expect(shown.case_list.filter((c) => c.expected.warn === true)).toHaveLength(100);
    const targets = EvalTargetsSchema.parse((await call(base(), 'GET', `/api/scenarios/${id}/eval-sets/targets`)).json);
    expect(targets.builtin[0]).toMatchObject({ cases: 200, citation: expect.stringContaining('EVIA 2017') });
    // Imported again after deleting it: one click on the evaluation page.
    expect((await call(base(), 'POST', `/api/scenarios/${id}/eval-sets/import`, { name: list.sets[0].name })).json).toMatchObject({ error: { code: 'set_name_taken' } });
    await call(base(), 'DELETE', `/api/eval-sets/${list.sets[0].id}`);
    const again = await call(base(), 'POST', `/api/scenarios/${id}/eval-sets/import`, { name: list.sets[0].name });
    expect(again.status, again.text).toBe(201);
    expect(again.json).toMatchObject({ cases: 200, revision: 1 });
  });
});
