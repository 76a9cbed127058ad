import { describe, expect, it } from 'vitest';
import { GRAPH_FORMAT, type Graph } from '@shared/graph.js';
import { formFieldLabels, graphLabels } from './labels.js';
import { outputViews } from './views.js';
import type { EndOutput } from './rules.js';

const at = { x: 0, y: 0 };
const graph: Graph = {
  schema: GRAPH_FORMAT,
  name: 'labels',
  nodes: [
    { id: 'start', kind: 'start', version: 1, position: at, config: { inputs: [{ name: 'transcript', type: 'transcript', required: true }] } },
    {
      id: 'form',
      kind: 'extract',
      version: 1,
      position: at,
      config: { fields: [{ name: 'name', label: '客户姓名' }, { name: 'phone', label: ' 联系电话 ' }, { name: 'remark' }] },
    },
    { id: 'judge', kind: 'llm', version: 1, position: at, config: { output: 'json', fields: [{ name: 'emotion', label: '客户情绪' }, { name: 'name', label: '别的姓名' }] } },
    { id: 'draft', kind: 'code', version: 1, position: at, config: { code: 'function main(i) { return { work_order: { type: "报修", ...i.form } }; }', inputs: [{ name: 'form', value: '{{ form.form }}' }], outputs: [{ name: 'work_order', type: 'object' }] } },
    {
      id: 'end',
      kind: 'end',
      version: 1,
      position: at,
      config: {
        outputs: [
          { name: 'form', value: '{{ form.form }}' },
          { name: 'judged', value: '{{judge.json}}' },
          { name: 'emotion', value: '{{ judge.json.emotion }}' },
          { name: 'phone', value: '{{ form.form.phone }}' },
          { name: 'work_order', value: '{{ draft.work_order }}' },
          { name: 'note', value: '电话：{{ form.form.phone }}' },
          { name: 'missing', value: '{{ form.missing }}' },
        ],
      },
    },
  ],
  edges: [],
};

describe('labels of outputs and form fields, read from the graph', () => {
  const labels = graphLabels(graph);

  it('gives a form output its source node’s field labels (trimmed), and a single-field output that field’s label', () => {
    expect(labels.outputs.get('form')?.fields).toEqual(new Map([['name', '客户姓名'], ['phone', '联系电话']]));
    expect(labels.outputs.get('judged')?.fields?.get('name')).toBe('别的姓名');
    expect(labels.outputs.get('emotion')).toEqual({ label: '客户情绪' });
    expect(labels.outputs.get('phone')).toEqual({ label: '联系电话' });
    // Text around a reference, an output of no labelled field: no label (the key is shown).
    expect(labels.outputs.has('note')).toBe(false);
    expect(labels.outputs.has('missing')).toBe(false);
    expect(labels.outputs.has('work_order')).toBe(false);
  });

  it('labels a form built elsewhere (a code node’s work order) by key from any field of the graph, first declared first; unlabelled keys are left out', () => {
    expect(formFieldLabels(labels, 'work_order', ['type', 'name', 'phone', 'remark'])).toEqual({ name: '客户姓名', phone: '联系电话' });
    expect(formFieldLabels(labels, 'judged', ['name', 'emotion'])).toEqual({ name: '别的姓名', emotion: '客户情绪' });
  });

  it('puts the labels on the review views: field_labels on forms (the keys of the value and of the schema), label on outputs', () => {
    const outputs: EndOutput[] = [
      { name: 'form', type: 'auto', description: '', schema: { type: 'object', properties: { name: {}, phone: {}, remark: {} } } },
      { name: 'work_order', type: 'object', description: '工单草稿', schema: { type: 'object' } },
      { name: 'emotion', type: 'auto', description: '', schema: { type: 'string' } },
      { name: 'note', type: 'string', description: '', schema: { type: 'string' } },
    ];
    const views = outputViews(outputs, { form: { name: null }, work_order: { type: '报修', phone: '13912345678' }, emotion: '平静', note: 'x' }, [], new Map(), labels);
    expect(views.map((v) => [v.name, v.kind, v.label, v.field_labels])).toEqual([
      ['form', 'form', undefined, { name: '客户姓名', phone: '联系电话' }],
      ['work_order', 'form', undefined, { phone: '联系电话' }],
      ['emotion', 'text', '客户情绪', undefined],
      ['note', 'text', undefined, undefined],
    ]);
  });

  it('reads nothing from a graph without an end or labelled fields', () => {
    const bare = graphLabels({ ...graph, nodes: graph.nodes.filter((n) => n.kind === 'start') });
    expect(bare.outputs.size).toBe(0);
    expect(bare.all.size).toBe(0);
  });
});
