import { describe, expect, it } from 'vitest';
import { createNode, type FlowNode } from './graph';
import { availableRefs, findRefs, unknownRefs } from './references';

function node(kind: string, id: string): FlowNode {
  const n = createNode(kind, { x: 0, y: 0 }, new Set());
  if (!n) throw new Error(kind);
  return { ...n, id };
}

describe('references', () => {
  const nodes = [node('start', 'start'), node('llm', 'llm_1'), node('classify', 'classify_1')];
  const edges = [
    { id: 'a', source: 'start', sourceHandle: 'out', target: 'llm_1', targetHandle: 'in' },
    { id: 'b', source: 'llm_1', sourceHandle: 'out', target: 'classify_1', targetHandle: 'in' },
  ];

  it('finds the reference at the start of each expression, not filters', () => {
    expect(findRefs('Hi {{ start.transcript.text | upcase }} and {{llm_1.json.items[0]}}').map((r) => r.ref)).toEqual(['start.transcript.text', 'llm_1.json.items[0]']);
  });

  it('offers every upstream output path for completion', () => {
    const refs = availableRefs(nodes, edges, 'classify_1').options.map((o) => o.ref);
    expect(refs).toContain('llm_1.text');
    expect(refs).toContain('start.transcript.text');
    expect(refs).toContain('start.transcript.turns.size');
    expect(refs.some((r) => r.startsWith('classify_1'))).toBe(false);
  });

  it('marks references to unknown nodes, missing paths and downstream nodes', () => {
    const { schemas } = availableRefs(nodes, edges, 'llm_1');
    expect(unknownRefs('{{ start.transcript.text }}', schemas)).toEqual([]);
    expect(unknownRefs('{{ nosuch.text }} {{ start.nope }} {{ classify_1.label }}', schemas).map((r) => r.ref)).toEqual(['nosuch.text', 'start.nope', 'classify_1.label']);
    // Loop variables and assigned names belong to the template, not to an upstream node.
    expect(unknownRefs('{% for t in start.transcript.turns %}{{ t.text }}{% endfor %}{% assign x = 1 %}{{ x }}', schemas)).toEqual([]);
  });
});
