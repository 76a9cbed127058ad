/**
 * Case ids an object reserves (`__proto__`, `constructor`, `prototype`, `toString`, …) are refused with a
 * coded error wherever a case id comes in: a JSON body, a JSONL line, a CSV id column, a promote's
 * `case_id`. The set is left as it was (no revision made).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvalSetSummarySchema } from '@shared/evaluation.js';
import { authHeaders, call, echoGraph } from './helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

let h: V1Harness;
let scenarioId: string;
let setId: string;
const base = () => h.server.url;
const RESERVED = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

beforeAll(async () => {
  h = await startV1Harness();
  scenarioId = (await h.publish('echo', echoGraph())).scenarioId;
  setId = EvalSetSummarySchema.parse((await call(base(), 'POST', `/api/scenarios/${scenarioId}/eval-sets`, { name: 'ids', description: '' })).json).id;
});
afterAll(() => h.close());

const upload = async (body: string, type: string) => {
  const res = await fetch(`${base()}/api/eval-sets/${setId}/upload`, { method: 'POST', body, headers: { ...authHeaders(base()), 'content-type': type } });
  return { status: res.status, ...((await res.json()) as { error: { code: string; details?: Record<string, unknown> } }).error };
};
/** A JSON case written by hand, so a `__proto__` key stays an own key of the text. */
const caseText = (id: string) => `{"id": ${JSON.stringify(id)}, "inputs": {"transcript": "客户：你好"}, "expected": {"reply": "x"}}`;

describe('reserved case ids', () => {
  it('refuses them in a JSON body, naming the rule', async () => {
    for (const id of RESERVED) {
      const res = await call(base(), 'POST', `/api/eval-sets/${setId}/cases`, `{"cases": [${caseText(id)}]}`, { 'content-type': 'application/json' });
      expect(res.status, id).toBe(400);
      expect(res.json, id).toMatchObject({ error: { code: 'invalid_case', details: { issues: [{ path: 'cases.0.id', code: 'custom', params: { rule: 'case_id_reserved' } }] } } });
    }
  });

  it('refuses them in a JSONL line and in a CSV id column, with the line', async () => {
    for (const id of RESERVED) {
      expect(await upload(caseText(id), 'application/x-ndjson'), id).toMatchObject({ status: 400, code: 'invalid_item', details: { reason: 'case_id_reserved', id, line: 1 } });
      expect(await upload(`id,transcript,reply\nok,你好,x\n${id},你好,x\n`, 'text/csv'), id).toMatchObject({ status: 400, code: 'reserved_case_id', details: { case_id: id, line: 3 } });
    }
  });

  it('refuses them as the case id of a promote', async () => {
    const res = await call(base(), 'POST', `/api/eval-sets/${setId}/promote`, `{"run_id": "r1", "case_id": "__proto__"}`, { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 'invalid_body', details: [{ path: 'case_id', params: { rule: 'case_id_reserved' } }] } });
    // Nothing was added by any of the refusals.
    expect((await call(base(), 'GET', `/api/eval-sets/${setId}`)).json).toMatchObject({ revision: 0, cases: 0 });
    // An ordinary id still goes in.
    const ok = await call(base(), 'POST', `/api/eval-sets/${setId}/cases`, `{"cases": [${caseText('proto')}]}`, { 'content-type': 'application/json' });
    expect(ok.status, ok.text).toBe(201);
  });
});
