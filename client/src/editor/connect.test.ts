import { describe, expect, it } from 'vitest';
import { createNode, type FlowEdge, type FlowNode } from './graph';
import { checkConnection, reaches } from './connect';

function node(kind: string, id: string): FlowNode {
  const n = createNode(kind, { x: 0, y: 0 }, new Set());
  if (!n) throw new Error(kind);
  return { ...n, id };
}
const nodes = [node('start', 'start'), node('llm', 'llm_1'), node('classify', 'classify_1'), node('end', 'end')];
const edge = (source: string, sourceHandle: string, target: string): FlowEdge => ({ id: `${source}-${sourceHandle}-${target}`, source, sourceHandle, target, targetHandle: 'in' });

describe('checkConnection', () => {
  it('allows a fitting connection', () => {
    expect(checkConnection(nodes, [], { source: 'start', sourceHandle: 'out', target: 'llm_1', targetHandle: 'in' })).toBeNull();
  });
  it('refuses self-loops, into start, out of end and unknown ports', () => {
    expect(checkConnection(nodes, [], { source: 'llm_1', sourceHandle: 'out', target: 'llm_1', targetHandle: 'in' })?.reason).toBe('selfLoop');
    expect(checkConnection(nodes, [], { source: 'llm_1', sourceHandle: 'out', target: 'start', targetHandle: 'in' })?.reason).toBe('startInput');
    expect(checkConnection(nodes, [], { source: 'end', sourceHandle: 'out', target: 'llm_1', targetHandle: 'in' })?.reason).toBe('endOutput');
    expect(checkConnection(nodes, [], { source: 'classify_1', sourceHandle: 'nope', target: 'end', targetHandle: 'in' })?.reason).toBe('unknownPort');
  });
  it('keys a classifier’s handles by class id', () => {
    expect(checkConnection(nodes, [], { source: 'classify_1', sourceHandle: 'fault', target: 'end', targetHandle: 'in' })).toBeNull();
    expect(checkConnection(nodes, [], { source: 'classify_1', sourceHandle: 'other', target: 'end', targetHandle: 'in' })).toBeNull();
  });
  it('refuses duplicates and cycles, and allows joins', () => {
    const edges = [edge('start', 'out', 'llm_1'), edge('llm_1', 'out', 'classify_1'), edge('classify_1', 'fault', 'end')];
    expect(checkConnection(nodes, edges, { source: 'classify_1', sourceHandle: 'fault', target: 'end', targetHandle: 'in' })?.reason).toBe('duplicate');
    expect(checkConnection(nodes, edges, { source: 'classify_1', sourceHandle: 'complaint', target: 'end', targetHandle: 'in' })).toBeNull();
    expect(checkConnection(nodes, edges, { source: 'start', sourceHandle: 'out', target: 'classify_1', targetHandle: 'in' })).toBeNull();
    expect(checkConnection(nodes, edges, { source: 'classify_1', sourceHandle: 'other', target: 'llm_1', targetHandle: 'in' })?.reason).toBe('cycle');
    const noIn = edges.slice(1);
    expect(checkConnection(nodes, noIn, { source: 'classify_1', sourceHandle: 'other', target: 'llm_1', targetHandle: 'in' })?.reason).toBe('cycle');
    expect(reaches(edges, 'start', 'end')).toBe(true);
    expect(reaches(edges, 'end', 'start')).toBe(false);
  });
});
