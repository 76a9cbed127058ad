import { describe, expect, it } from 'vitest';
import { createNode, type FlowEdge, type FlowNode } from './graph';
import { autoLayout } from './layout';

function node(kind: string, id: string, config?: Record<string, unknown>): FlowNode {
  const n = createNode(kind, { x: 0, y: 0 }, new Set());
  if (!n) throw new Error(kind);
  return { ...n, id, data: { ...n.data, config: config ?? n.data.config } };
}
const edge = (source: string, sourceHandle: string, target: string): FlowEdge => ({ id: `${source}-${sourceHandle}-${target}`, source, sourceHandle, target, targetHandle: 'in' });

describe('autoLayout', () => {
  it('lays out left to right, branches in the order of their ports, no two cards overlapping', async () => {
    const classes = ['a', 'b', 'c'].map((id) => ({ id, name: id, description: '', examples: [] }));
    const nodes = [node('start', 'start'), node('classify', 'cls', { input: 'x', classes }), node('template', 'tc'), node('template', 'ta'), node('template', 'tb'), node('template', 'to'), node('end', 'end')];
    const edges = [edge('start', 'out', 'cls'), edge('cls', 'c', 'tc'), edge('cls', 'a', 'ta'), edge('cls', 'b', 'tb'), edge('cls', 'other', 'to'), ...['ta', 'tb', 'tc', 'to'].map((t) => edge(t, 'out', 'end')), edge('cls', 'x_gone', 'end')];
    const at = await autoLayout(nodes, edges);
    const pos = (id: string) => at.get(id) ?? { x: NaN, y: NaN };
    expect(pos('start').x).toBeLessThan(pos('cls').x);
    expect(pos('cls').x).toBeLessThan(pos('ta').x);
    expect(pos('ta').x).toBeLessThan(pos('end').x);
    const order = ['ta', 'tb', 'tc', 'to'].sort((p, q) => pos(p).y - pos(q).y);
    expect(order).toEqual(['ta', 'tb', 'tc', 'to']);
    for (const p of nodes) for (const q of nodes) {
      if (p.id >= q.id) continue;
      const apart = Math.abs(pos(p.id).x - pos(q.id).x) >= 220 || Math.abs(pos(p.id).y - pos(q.id).y) >= 90;
      expect([p.id, q.id, apart]).toEqual([p.id, q.id, true]);
    }
  });
});
