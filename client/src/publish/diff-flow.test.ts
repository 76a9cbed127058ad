import { describe, expect, it } from 'vitest';
import type { Graph } from '@shared/graph';
import { diffFlow } from './diff-flow';

const node = (id: string, x = 0) => ({ id, kind: 'llm', version: 1, position: { x, y: 0 }, config: {} });
const edge = (id: string, source: string, target: string) => ({ id, source, sourcePort: 'out', target, targetPort: 'in' });
const graph = (nodes: Graph['nodes'], edges: Graph['edges']): Graph => ({ schema: 'mofang.graph/v1', name: 'g', nodes, edges });

describe('the visual diff', () => {
  const older = graph([node('a'), node('b', 100), node('gone', 200)], [edge('e1', 'a', 'b'), edge('e2', 'b', 'gone')]);
  const newer = graph([node('a'), node('b', 100), node('new', 300)], [edge('e1', 'a', 'b'), edge('e3', 'b', 'new')]);
  const flow = diffFlow(older, newer, {
    nodes: { added: [{ id: 'new', kind: 'llm' }], removed: [{ id: 'gone', kind: 'llm' }], changed: [{ id: 'b', fields: [{ path: 'config.prompt', before: 'x', after: 'y' }] }] },
    edges: { added: [edge('e3', 'b', 'new')], removed: [edge('e2', 'b', 'gone')] },
  });
  const mark = (id: string) => flow.nodes.find((n) => n.id === id)?.data.mark;

  it('marks added, changed, unchanged and removed nodes, the removed at their old place', () => {
    expect([mark('a'), mark('b'), mark('new'), mark('gone')]).toEqual(['same', 'changed', 'added', 'removed']);
    expect(flow.nodes.find((n) => n.id === 'gone')?.position).toEqual({ x: 200, y: 0 });
    expect(flow.nodes.find((n) => n.id === 'b')?.data.changes).toBe(1);
  });

  it('draws the removed wires from the older graph and marks the added ones', () => {
    expect(flow.edges.map((e) => [e.id, e.data?.mark])).toEqual([['e1', 'same'], ['e3', 'added'], ['removed:e2', 'removed']]);
  });
});
