/**
 * The set upload preview says what an upload would: the keys (JSONL) and columns (CSV) that name no start
 * input and no end output, and an empty file (or a header alone) is refused with `empty_upload` as the
 * upload refuses it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvalUploadPreviewSchema } from '@shared/evaluation.js';
import { authHeaders, echoGraph } from './helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

let h: V1Harness;
let scenarioId: string;
const base = () => h.server.url;

beforeAll(async () => {
  h = await startV1Harness();
  scenarioId = (await h.publish('echo', echoGraph())).scenarioId;
});
afterAll(() => h.close());

async function preview(body: string, type: string) {
  const res = await fetch(`${base()}/api/scenarios/${scenarioId}/eval-sets/preview`, { method: 'POST', body, headers: { ...authHeaders(base()), 'content-type': type } });
  return { status: res.status, json: (await res.json()) as unknown };
}

describe('the set upload preview', () => {
  it('names the JSONL keys that map to no start input or end output', async () => {
    const line = JSON.stringify({ id: 'a', inputs: { transcript: '客户：你好', channel: 'web' }, expected: { reply: 'x', nope: 1 } });
    const res = await preview(line, 'application/x-ndjson');
    expect(res.status).toBe(200);
    expect(EvalUploadPreviewSchema.parse(res.json)).toMatchObject({ columns: ['id', 'inputs.transcript', 'inputs.channel', 'expected.reply', 'expected.nope'], unknown_columns: ['inputs.channel', 'expected.nope'] });
  });

  it('names the table columns that map to nothing, bare names of inputs and outputs being known', async () => {
    const res = await preview('id,transcript,expected.reply,备注\nq1,你好,x,急\n', 'text/csv');
    expect(EvalUploadPreviewSchema.parse(res.json)).toMatchObject({ format: 'csv', unknown_columns: ['备注'] });
    const known = await preview('inputs.transcript,reply\n你好,x\n', 'text/csv');
    expect(EvalUploadPreviewSchema.parse(known.json).unknown_columns).toEqual([]);
  });

  it('refuses an empty file, or a header alone, with empty_upload as the upload does', async () => {
    for (const [body, type] of [['', 'application/x-ndjson'], ['\n\n  \n', 'application/x-ndjson'], ['transcript,reply\n', 'text/csv']] as const) {
      const res = await preview(body, type);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json, JSON.stringify(body)).toMatchObject({ error: { code: 'empty_upload' } });
    }
  });
});
