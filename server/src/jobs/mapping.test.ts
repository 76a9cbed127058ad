import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import type { Graph } from '@shared/graph.js';
import { ItemLineError, itemsFromCsv, mapHeader, mapInputs, rowItem } from './parse-items.js';
import { mappingParam } from '../http/jobs-replies.js';
import { columnNote, templateCsv, uploadTemplate } from './upload-template.js';

const schema = { type: 'object' as const, properties: { transcript: { type: 'string' as const }, priority: { type: 'number' as const } } };

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function* text(s: string) {
  yield s;
}

describe('column mapping', () => {
  it('reads a header through a mapping: mapped columns feed their inputs, others are left out', () => {
    expect(mapHeader(['编号', '通话内容', '备注'], { id: '编号', transcript: '通话内容' }, { line: 1 })).toEqual({ names: ['id', 'transcript', ''], columns: ['编号', '通话内容', '备注'] });
    expect(mapHeader(['id', 'a'], undefined, { line: 1 }).names).toEqual(['id', 'a']);
    expect(mapHeader(['id', 'a'], { transcript: 'a' }, { line: 1 }).names).toEqual(['id', 'transcript']);
  });

  it('refuses a mapped column the header lacks, or one column for two inputs, on the header row', () => {
    const missing = (() => {
      try {
        mapHeader(['a'], { transcript: '通话' }, { line: 1, sheet: 'S' });
      } catch (error) {
        return error;
      }
    })();
    expect(missing).toBeInstanceOf(ItemLineError);
    expect(missing).toMatchObject({ line: 1, sheet: 'S', column: '通话' });
    expect(() => mapHeader(['a'], { transcript: 'a', priority: 'a' }, { line: 1 })).toThrow(/mapped to two inputs/);
  });

  it('types cells by the input and names the file column in errors', () => {
    const header = mapHeader(['通话', '优先级'], { transcript: '通话', priority: '优先级' }, { line: 1 });
    expect(rowItem(header, ['坐席：您好', '2'], schema, { line: 2 }).inputs).toEqual({ transcript: '坐席：您好', priority: 2 });
    expect(() => rowItem(header, ['x', 'high'], schema, { line: 3 })).toThrow(expect.objectContaining({ line: 3, column: '优先级' }));
  });

  it('maps CSV and JSONL items', async () => {
    const items = await all(itemsFromCsv(text('no,call\r\nc1,坐席：您好\r\n'), schema, { id: 'no', transcript: 'call' }));
    expect(items).toEqual([{ line: 2, id: 'c1', inputs: { transcript: '坐席：您好' } }]);
    expect(mapInputs({ line: 1, inputs: { call: 'x', other: 1 } }, { transcript: 'call' })).toEqual({ line: 1, inputs: { transcript: 'x' } });
  });

  it('reads ?mapping= as a JSON object of strings, else refuses it with invalid_mapping', () => {
    expect(mappingParam(undefined)).toBeUndefined();
    expect(mappingParam('{"transcript":"通话"}')).toEqual({ transcript: '通话' });
    for (const bad of ['{x', '[]', '{"a":1}', '"a"']) expect(() => mappingParam(bad)).toThrow(expect.objectContaining({ code: 'invalid_mapping' }));
  });
});

describe('upload template', () => {
  const graph: Graph = {
    schema: 'mofang.graph/v1',
    name: 't',
    nodes: [{ id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [{ name: 'transcript', type: 'transcript', description: '通话转写' }, { name: 'priority', type: 'number', required: false }] } }],
    edges: [],
  };

  it('takes columns from the start inputs and the example from the first sample that has each', () => {
    const template = uploadTemplate(graph, [undefined, { transcript: { turns: [{ role: 'agent', text: '您好' }, { role: 'customer', text: '宽带断了' }] } }]);
    expect(template.columns).toEqual([
      { name: 'transcript', type: 'transcript', required: true, description: '通话转写' },
      { name: 'priority', type: 'number', required: false, description: '' },
    ]);
    expect(template.example).toEqual({ id: 'example-1', transcript: '坐席：您好\n客户：宽带断了', priority: '0' });
    expect(parse(templateCsv(template), { bom: true })).toEqual([['id', 'transcript', 'priority'], ['example-1', '坐席：您好\n客户：宽带断了', '0']]);
    expect(columnNote(template.columns[1], 'en')).toBe('optional · number');
    expect(columnNote(template.columns[0], 'zh')).toMatch(/^必填 · 通话转写（.*· 通话转写$/);
  });
});
