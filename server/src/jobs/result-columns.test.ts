import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Graph } from '@shared/graph.js';
import type { JobResultLine } from '@shared/jobs.js';
import { resultColumns, resultLang } from './result-columns.js';
import { writeXlsxResults } from './results-xlsx.js';

const ITEM = { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, result: { type: 'string' }, score: { type: 'number' } } } as const;

const graph: Graph = {
  schema: 'mofang.graph/v1',
  name: 'q',
  nodes: [
    { id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [{ name: 'transcript', type: 'transcript' }] } },
    { id: 'audit', kind: 'audit', version: 1, position: { x: 0, y: 0 }, config: { items: [{ id: 'greeting', name: '开场问候' }, { id: 'abuse', name: '辱骂客户' }] } },
    {
      id: 'end',
      kind: 'end',
      version: 1,
      position: { x: 0, y: 0 },
      config: { outputs: [{ name: 'score', value: '{{ audit.score }}' }, { name: 'verdict', value: '{{ audit.verdict }}' }, { name: 'items', value: '{{ audit.items }}' }, { name: 'fatal', value: '{{ audit.fatal }}' }, { name: 'whole', value: '{{ audit }}' }] },
    },
  ],
  edges: [],
};

const outputSchema = {
  type: 'object' as const,
  properties: {
    score: { type: 'number' as const },
    verdict: { anyOf: [{ type: 'string' as const }, { type: 'null' as const }] },
    items: { type: 'array' as const, items: ITEM },
    fatal: { type: 'array' as const, items: { type: 'string' as const } },
    whole: { type: 'object' as const, properties: { score: { type: 'number' as const }, verdict: { type: 'string' as const }, items: { type: 'array' as const, items: ITEM } } },
  },
};

const items = [
  { id: 'greeting', name: '开场问候', result: 'pass', score: 10 },
  { id: 'abuse', name: '辱骂客户', result: 'fail', score: 0 },
];
const ok: JobResultLine = { id: 'c1', run_id: 'r1', status: 'succeeded', simulated: true, outputs: { score: 10, verdict: 'fail', items, fatal: ['abuse'], whole: { score: 10, verdict: 'fail', items } } };
const failed: JobResultLine = { id: 'c2', run_id: null, status: 'failed', simulated: false, error: { code: 'model_error', message: 'down' } };

describe('resultColumns', () => {
  it('flattens outputs: scalars one column, audit items a score and result pair by label, arrays as JSON', () => {
    const columns = resultColumns(graph, outputSchema, 'zh');
    expect(columns.map((c) => c.header)).toEqual([
      'id', 'run_id', 'status', 'simulated', 'score', 'verdict',
      '开场问候 · 得分', '开场问候 · 结果', '辱骂客户 · 得分', '辱骂客户 · 结果',
      'fatal',
      'whole.score', 'whole.verdict', 'whole.开场问候 · 得分', 'whole.开场问候 · 结果', 'whole.辱骂客户 · 得分', 'whole.辱骂客户 · 结果',
      'error_code', 'error_message',
    ]);
    expect(columns.map((c) => c.cell(ok))).toEqual(['c1', 'r1', 'succeeded', true, 10, 'fail', 10, '通过', 0, '不通过', '["abuse"]', 10, 'fail', 10, '通过', 0, '不通过', null, null]);
    expect(columns.map((c) => c.cell(failed)).slice(-2)).toEqual(['model_error', 'down']);
    expect(columns.map((c) => c.cell(failed))[3]).toBe(false);
    expect(columns.map((c) => c.cell(failed))[6]).toBeNull();
  });

  it('says after the status whether the simulator answered, also without a version to lay out', () => {
    const plain = resultColumns(undefined, undefined, 'en');
    expect(plain.map((c) => c.header)).toEqual(['id', 'run_id', 'status', 'simulated', 'error_code', 'error_message']);
    expect(plain.map((c) => c.cell(ok))).toEqual(['c1', 'r1', 'succeeded', true, null, null]);
    expect(plain[3].cell({ ...ok, simulated: false })).toBe(false);
  });

  it('words item columns in English on ask, and keeps JSON for lists it has no labels for', () => {
    const en = resultColumns(graph, outputSchema, resultLang('en-US'));
    expect(en.find((c) => c.header === '辱骂客户 · result')?.cell(ok)).toBe('fail');
    const bare = resultColumns({ ...graph, nodes: graph.nodes.filter((n) => n.kind !== 'audit') }, outputSchema, 'zh');
    expect(bare.find((c) => c.header === 'items')?.cell(ok)).toBe(JSON.stringify(items));
    expect(resultLang(undefined)).toBe('zh');
  });
});

describe('writeXlsxResults', () => {
  it('writes the same columns as a workbook that exceljs reads back', async () => {
    const columns = resultColumns(graph, outputSchema, 'zh');
    const out = new PassThrough();
    const parts: Buffer[] = [];
    out.on('data', (c: Buffer) => parts.push(c));
    const ended = new Promise((resolve) => out.on('end', resolve));
    async function* pages() {
      yield [ok];
      yield [failed, { ...ok, id: '=1+2' }];
    }
    await writeXlsxResults(out, columns, pages());
    await ended;
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.concat(parts) as unknown as ArrayBuffer);
    const sheet = book.worksheets[0];
    expect(sheet.name).toBe('results');
    expect(sheet.rowCount).toBe(4);
    const row = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1);
    expect(row(1)).toEqual(columns.map((c) => c.header));
    expect(row(2).slice(0, 10)).toEqual(['c1', 'r1', 'succeeded', true, 10, 'fail', 10, '通过', 0, '不通过']);
    expect(row(3)[3]).toBe(false);
    expect(row(3)[0]).toBe('c2');
    expect(row(3).at(-1)).toBe('down');
    // Text that looks like a formula stays text.
    expect(sheet.getRow(4).getCell(1).value).toBe('=1+2');
  });
});
