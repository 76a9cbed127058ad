import { beforeEach, describe, expect, it } from 'vitest';
import { GRAPH_FORMAT, GraphSchema } from '@shared/index';
import { useEditor } from './store';

const blank = {
  schema: GRAPH_FORMAT,
  name: 't',
  nodes: [
    { id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [{ name: 'transcript', type: 'transcript', required: true, description: '' }] } },
    { id: 'end', kind: 'end', version: 1, position: { x: 400, y: 0 }, config: { outputs: [] } },
  ],
  edges: [{ id: 'e_start_end', source: 'start', sourcePort: 'out', target: 'end', targetPort: 'in' }],
} as const satisfies Parameters<typeof GraphSchema.parse>[0];

describe('editor store', () => {
  beforeEach(() => useEditor.getState().load('s1', GraphSchema.parse(blank), 1));

  it('round-trips the stored graph', () => {
    expect(GraphSchema.parse(useEditor.getState().graph())).toEqual(GraphSchema.parse(blank));
  });

  it('adds, connects, undoes and redoes', () => {
    const s = useEditor.getState();
    const llm = s.addNode('llm', { x: 200, y: 0 });
    expect(llm?.id).toBe('llm_1');
    expect(useEditor.getState().saveState).toBe('unsaved');
    expect(useEditor.getState().connect({ source: 'start', sourceHandle: 'out', target: 'llm_1', targetHandle: 'in' })).toBeNull();
    expect(useEditor.getState().edges).toHaveLength(2);
    useEditor.getState().undo();
    expect(useEditor.getState().edges).toHaveLength(1);
    useEditor.getState().undo();
    expect(useEditor.getState().nodes).toHaveLength(2);
    useEditor.getState().redo();
    useEditor.getState().redo();
    expect(useEditor.getState().nodes).toHaveLength(3);
    expect(useEditor.getState().edges).toHaveLength(2);
  });

  it('groups a burst of config edits into one undo step', () => {
    useEditor.getState().addNode('template', { x: 0, y: 0 });
    for (const text of ['a', 'ab', 'abc']) useEditor.getState().updateConfig('template_1', { template: text });
    useEditor.getState().undo();
    expect(useEditor.getState().nodes.find((n) => n.id === 'template_1')?.data.config).toEqual({ template: '' });
  });

  it('deletes the selection but never the start node, and copies / pastes with fresh ids', () => {
    useEditor.getState().addNode('llm', { x: 0, y: 0 });
    useEditor.getState().onNodesChange(useEditor.getState().nodes.map((n) => ({ type: 'select', id: n.id, selected: true })));
    expect(useEditor.getState().copy()).toBe(2);
    expect(useEditor.getState().paste()).toBe(2);
    const ids = useEditor.getState().nodes.map((n) => n.id).sort();
    expect(ids).toEqual(['end', 'end_1', 'llm_1', 'llm_2', 'start']);
    expect(useEditor.getState().deleteSelected()).toBe(2);
    expect(useEditor.getState().nodes.map((n) => n.id).sort()).toEqual(['end', 'llm_1', 'start']);
  });

  it('a class id edited (or cleared and retyped) takes its wire along; undo puts both back', () => {
    const s = useEditor.getState();
    s.addNode('classify', { x: 0, y: 0 });
    const classes = () => (useEditor.getState().nodes.find((n) => n.id === 'classify_1')?.data.config.classes as Array<Record<string, unknown>>) ?? [];
    expect(useEditor.getState().connect({ source: 'classify_1', sourceHandle: 'fault', target: 'end', targetHandle: 'in' }, 'any')).toBeNull();
    const rename = (id: string) => useEditor.getState().updateConfig('classify_1', { ...useEditor.getState().nodes.find((n) => n.id === 'classify_1')?.data.config, classes: classes().map((c, i) => (i === 0 ? { ...c, id } : c)) });
    for (const id of ['', 'b', 'broadband']) rename(id);
    const wire = useEditor.getState().edges.find((e) => e.source === 'classify_1');
    expect(wire).toMatchObject({ sourceHandle: 'broadband', target: 'end' });
    expect(wire?.id).toContain('broadband');
    useEditor.getState().undo();
    expect(useEditor.getState().edges.find((e) => e.source === 'classify_1')?.sourceHandle).toBe('fault');
  });

  it('a second wire into an input records the chosen join on the target, and it round-trips', () => {
    useEditor.getState().addNode('template', { x: 0, y: 0 });
    useEditor.getState().connect({ source: 'start', sourceHandle: 'out', target: 'template_1', targetHandle: 'in' });
    expect(useEditor.getState().connect({ source: 'template_1', sourceHandle: 'out', target: 'end', targetHandle: 'in' }, 'all')).toBeNull();
    expect(useEditor.getState().freshEdge).toBe('e_template_1_out__end_in');
    expect(useEditor.getState().graph().nodes.find((n) => n.id === 'end')?.join).toBe('all');
    useEditor.getState().setJoin('end', 'any');
    expect(useEditor.getState().graph().nodes.find((n) => n.id === 'end')?.join).toBe('any');
    useEditor.getState().undo();
    expect(useEditor.getState().nodes.find((n) => n.id === 'end')?.data.join).toBe('all');
  });

  it('a node marked final-only round-trips as `final_only`, and unmarking it removes the field', () => {
    useEditor.getState().addNode('llm', { x: 0, y: 0 });
    useEditor.getState().setFinalOnly('llm_1', true);
    expect(useEditor.getState().graph().nodes.find((n) => n.id === 'llm_1')?.final_only).toBe(true);
    useEditor.getState().setFinalOnly('llm_1', false);
    expect(useEditor.getState().graph().nodes.find((n) => n.id === 'llm_1')).not.toHaveProperty('final_only');
    useEditor.getState().undo();
    expect(useEditor.getState().nodes.find((n) => n.id === 'llm_1')?.data.finalOnly).toBe(true);
  });

  it('a node added while another is selected is wired from it; a node put on a wire splits it', () => {
    useEditor.getState().select('start');
    useEditor.getState().addNode('llm', { x: 200, y: 0 }, { source: 'start', sourceHandle: 'out' });
    expect(useEditor.getState().edges.map((e) => `${e.source}>${e.target}`).sort()).toEqual(['start>end', 'start>llm_1']);
    const t = useEditor.getState().insertOnEdge('e_start_end', 'template');
    expect(t?.id).toBe('template_1');
    expect(useEditor.getState().edges.map((e) => `${e.source}.${e.sourceHandle}>${e.target}`).sort()).toEqual(['start.out>llm_1', 'start.out>template_1', 'template_1.out>end']);
    expect(useEditor.getState().insertOnEdge('e_template_1_out__end_in', 'end')).toBeUndefined();
    useEditor.getState().undo();
    expect(useEditor.getState().edges.map((e) => e.id).sort()).toEqual(['e_start_end', 'e_start_out__llm_1_in']);
  });

  it('says what deleting the selection breaks: wires to kept nodes and references to its outputs', () => {
    useEditor.getState().addNode('template', { x: 0, y: 0 });
    useEditor.getState().connect({ source: 'start', sourceHandle: 'out', target: 'template_1', targetHandle: 'in' });
    useEditor.getState().connect({ source: 'template_1', sourceHandle: 'out', target: 'end', targetHandle: 'in' }, 'any');
    useEditor.getState().updateConfig('end', { outputs: [{ name: 'x', value: '{{ template_1.text }}', type: 'string' }] });
    useEditor.getState().select('template_1');
    const impact = useEditor.getState().selectionImpact();
    expect(impact.nodes).toEqual(['template_1']);
    expect(impact.wires.map((w) => `${w.source}>${w.target}`).sort()).toEqual(['start>template_1', 'template_1>end']);
    expect(impact.refs).toEqual([{ nodeId: 'end', field: 'outputs.0.value', ref: 'template_1.text' }]);
  });
});
