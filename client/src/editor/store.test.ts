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
});
