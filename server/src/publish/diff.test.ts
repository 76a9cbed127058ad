import { describe, expect, it } from 'vitest';
import { GraphDiffSchema } from '@shared/publish.js';
import { diffGraphs, diffValues } from './diff.js';
import { replyGraph } from './graphs.testing.js';

describe('diffValues', () => {
  it('reports leaves with dotted paths, array items by index, and type changes whole', () => {
    expect(diffValues({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 3, 4] } }, 'config')).toEqual([
      { path: 'config.b.c.1', before: 2, after: 3 },
      { path: 'config.b.c.2', before: undefined, after: 4 },
    ]);
    expect(diffValues({ x: [1] }, { x: { 0: 1 } }, '')).toEqual([{ path: 'x', before: [1], after: { 0: 1 } }]);
    expect(diffValues({ gone: true }, {}, 'config')).toEqual([{ path: 'config.gone', before: true, after: undefined }]);
    expect(diffValues(NaN, NaN, 'n')).toEqual([]);
  });
});

describe('diffGraphs', () => {
  it('finds nothing between a graph and itself moved around', () => {
    const a = replyGraph();
    const b = replyGraph();
    b.nodes = b.nodes.map((n) => ({ ...n, position: { x: n.position.x + 100, y: 40 } }));
    expect(diffGraphs(a, b)).toEqual({ nodes: { added: [], removed: [], changed: [] }, edges: { added: [], removed: [] } });
  });

  it('reports added and removed nodes and edges, and changed configs, names and kinds', () => {
    const a = replyGraph();
    const b = replyGraph('Reply', '新的系统提示');
    b.nodes[1] = { ...b.nodes[1], name: '回复' };
    b.nodes.push({ id: 'tpl', kind: 'template', version: 1, position: { x: 0, y: 0 }, config: { template: 'x' } });
    b.nodes = b.nodes.map((n) => (n.id === 'end' ? { ...n, kind: 'end2' } : n));
    b.edges = [b.edges[0], { id: 'e9', source: 'llm_1', sourcePort: 'out', target: 'tpl', targetPort: 'in' }, { id: 'renamed', source: 'llm_1', sourcePort: 'out', target: 'end', targetPort: 'in' }];
    const d = diffGraphs(a, b);
    expect(GraphDiffSchema.parse(d)).toBeTruthy();
    expect(d.nodes.added).toEqual([{ id: 'tpl', kind: 'template' }]);
    expect(d.nodes.removed).toEqual([]);
    expect(d.nodes.changed).toEqual([
      {
        id: 'llm_1',
        fields: [
          { path: 'name', before: undefined, after: '回复' },
          { path: 'config.system', before: '你是电信客服助手。', after: '新的系统提示' },
        ],
      },
      { id: 'end', fields: [{ path: 'kind', before: 'end', after: 'end2' }] },
    ]);
    // An edge with a new id but the same ports is the same edge.
    expect(d.edges.added).toEqual([{ id: 'e9', source: 'llm_1', sourcePort: 'out', target: 'tpl', targetPort: 'in' }]);
    expect(d.edges.removed).toEqual([]);
  });

  it('reports a removed node with its edges', () => {
    const a = replyGraph();
    const b = replyGraph();
    b.nodes = b.nodes.filter((n) => n.id !== 'llm_1');
    b.edges = [{ id: 'e3', source: 'start', sourcePort: 'out', target: 'end', targetPort: 'in' }];
    const d = diffGraphs(a, b);
    expect(d.nodes.removed).toEqual([{ id: 'llm_1', kind: 'llm' }]);
    expect(d.edges.removed.map((e) => e.id)).toEqual(['e1', 'e2']);
    expect(d.edges.added.map((e) => e.id)).toEqual(['e3']);
  });
});

describe('diffGraphs and defaults', () => {
  it('does not report a setting written out with its default value, only real changes', async () => {
    const { diffGraphs } = await import('./diff.js');
    const node = (config: Record<string, unknown>) => ({ id: 'a', kind: 'audit', version: 1, position: { x: 0, y: 0 }, config });
    const item = { id: 'x', name: 'X', kind: 'model', weight: 10, criterion: 'c' };
    const raw = { nodes: [node({ items: [item] })], edges: [] };
    const written = { nodes: [node({ items: [{ ...item, fatal: false }], instructions: '', passScore: 60 })], edges: [] };
    expect(diffGraphs(raw, written).nodes.changed).toEqual([]);
    const changed = { nodes: [node({ items: [{ ...item, fatal: false }], fullScore: 100 })], edges: [] };
    expect(diffGraphs(raw, changed).nodes.changed).toEqual([{ id: 'a', fields: [{ path: 'config.fullScore', before: undefined, after: 100 }] }]);
  });
});
