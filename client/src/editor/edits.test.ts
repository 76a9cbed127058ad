import { describe, expect, it } from 'vitest';
import { createNode, type FlowEdge, type FlowNode } from './graph';
import { autoConnectFrom, deletionImpact, followPortRenames, incomingWires, insertableKinds, portRenames, splitEdge } from './edits';

function node(kind: string, id: string, config?: Record<string, unknown>): FlowNode {
  const n = createNode(kind, { x: 0, y: 0 }, new Set());
  if (!n) throw new Error(kind);
  return { ...n, id, data: { ...n.data, config: config ?? n.data.config } };
}
const edge = (source: string, sourceHandle: string, target: string): FlowEdge => ({ id: `${source}-${sourceHandle}-${target}`, source, sourceHandle, target, targetHandle: 'in' });
const classes = (...ids: string[]) => ({ input: '{{ start.transcript.text }}', classes: ids.map((id) => ({ id, name: id, description: '', examples: [] })) });

describe('portRenames', () => {
  it('maps a port whose id changed in place, not ports added, removed or reordered', () => {
    expect([...portRenames('classify', classes('a', 'b'), classes('a', 'x'))]).toEqual([['b', 'x']]);
    expect([...portRenames('classify', classes('a', 'b'), classes('a', ''))]).toEqual([['b', '']]);
    expect(portRenames('classify', classes('a', 'b'), classes('a', 'x', 'b')).size).toBe(0);
    expect(portRenames('classify', classes('a', 'b'), classes('b')).size).toBe(0);
    expect(portRenames('classify', classes('a', 'b'), classes('b', 'a')).size).toBe(0);
  });
  it('moves the wires leaving by a renamed port, and only those', () => {
    const edges = [edge('c', 'b', 'end'), edge('c', 'a', 'end'), edge('d', 'b', 'end')];
    const moved = followPortRenames(edges, 'c', new Map([['b', 'x']]));
    expect(moved.map((e) => `${e.source}.${e.sourceHandle}`)).toEqual(['c.x', 'c.a', 'd.b']);
  });
});

describe('deletionImpact', () => {
  it('lists wires to kept nodes and references in kept templates, not what goes along', () => {
    const nodes = [node('start', 'start'), node('template', 't1', { template: '{{ start.transcript.text }}' }), node('template', 't2', { template: '{{ t1.text }}' }), node('end', 'end', { outputs: [{ name: 'a', value: '{{ t2.text }}' }, { name: 'b', value: '{{ t1.text | upcase }}' }] })];
    const edges = [edge('start', 'out', 't1'), edge('t1', 'out', 't2'), edge('t2', 'out', 'end')];
    const one = deletionImpact(nodes, edges, new Set(['t1']));
    expect(one.wires.map((w) => w.edgeId)).toEqual(['start-out-t1', 't1-out-t2']);
    expect(one.refs).toEqual([
      { nodeId: 't2', field: 'template', ref: 't1.text' },
      { nodeId: 'end', field: 'outputs.1.value', ref: 't1.text' },
    ]);
    const both = deletionImpact(nodes, edges, new Set(['t1', 't2']));
    expect(both.wires.map((w) => w.edgeId)).toEqual(['start-out-t1', 't2-out-end']);
    expect(both.refs.map((r) => r.ref)).toEqual(['t2.text', 't1.text']);
    expect(deletionImpact(nodes, [], new Set(['end']))).toEqual({ wires: [], refs: [] });
  });
});

describe('autoConnectFrom', () => {
  const nodes = [node('start', 'start'), node('classify', 'c', classes('a', 'b')), node('end', 'end')];
  it('takes the first output without a wire, else the first output', () => {
    expect(autoConnectFrom(nodes, [edge('c', 'a', 'end')], 'c')).toEqual({ source: 'c', sourceHandle: 'b' });
    expect(autoConnectFrom(nodes, [edge('start', 'out', 'end')], 'start')).toEqual({ source: 'start', sourceHandle: 'out' });
  });
  it('is null with nothing selected or from the end node', () => {
    expect(autoConnectFrom(nodes, [], null)).toBeNull();
    expect(autoConnectFrom(nodes, [], 'end')).toBeNull();
  });
});

describe('splitEdge and insertableKinds', () => {
  it('routes the wire through the new node, keeping both ports', () => {
    const split = splitEdge([edge('c', 'b', 'end')], edge('c', 'b', 'end'), node('llm', 'llm_1'));
    expect(split?.map((e) => `${e.source}.${e.sourceHandle}>${e.target}.${e.targetHandle}`)).toEqual(['c.b>llm_1.in', 'llm_1.out>end.in']);
    expect(splitEdge([], edge('c', 'b', 'end'), node('end', 'end_2'))).toBeNull();
  });
  it('offers every kind but start and end', () => {
    expect(insertableKinds(['start', 'llm', 'classify', 'end'])).toEqual(['llm', 'classify']);
  });
  it('incomingWires counts the wires into one input', () => {
    expect(incomingWires([edge('a', 'out', 'x'), edge('b', 'out', 'x'), edge('b', 'out', 'y')], 'x', 'in')).toHaveLength(2);
  });
});
