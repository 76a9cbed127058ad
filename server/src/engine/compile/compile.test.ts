import { describe, expect, it } from 'vitest';
import { GRAPH_FORMAT, type Graph } from '@shared/graph.js';
import type { CompileProblem } from '@shared/problems.js';
import { compileGraph, compileGraphAsync } from './index.js';
import { lineGraph, loadTemplateGraph, noServices } from '../testing.js';

function errors(graph: unknown): CompileProblem[] {
  const result = compileGraph(graph);
  return result.ok ? [] : result.errors;
}

function triage(): Graph {
  return loadTemplateGraph('intent-triage');
}

function mutate(edit: (g: Graph) => void): Graph {
  const g = triage();
  edit(g);
  return g;
}

describe('compileGraph', () => {
  it('compiles the intent-triage template into a plan', () => {
    const result = compileGraph(triage());
    expect(result.errors).toEqual([]);
    expect(result.plan?.nodes.map((n) => n.id)).toEqual(['start', 'classify_1', 'extract_1', 'audit_1', 'merge_1', 'end']);
    expect(result.plan?.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('never throws on values that are not graphs', () => {
    for (const bad of [null, 42, 'x', [], {}, { schema: 'mofang.graph/v1', name: 'x', nodes: 'no', edges: {} }]) {
      const problems = errors(bad);
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.every((p) => p.message.length > 0)).toBe(true);
    }
  });

  it('reports an invalid config on its node and field', () => {
    const problems = errors(mutate((g) => (g.nodes[1].config.minConfidence = 7)));
    expect(problems).toContainEqual(expect.objectContaining({ nodeId: 'classify_1', field: 'minConfidence', code: 'invalid_config' }));
  });

  it('reports an unknown kind, a newer version and a duplicate id', () => {
    const problems = errors(
      mutate((g) => {
        g.nodes[2].kind = 'teleport';
        g.nodes[3].version = 9;
        g.nodes.push({ ...g.nodes[4] });
      }),
    );
    expect(problems).toContainEqual(expect.objectContaining({ nodeId: 'extract_1', code: 'unknown_kind' }));
    expect(problems).toContainEqual(expect.objectContaining({ nodeId: 'audit_1', code: 'unsupported_version' }));
    expect(problems).toContainEqual(expect.objectContaining({ nodeId: 'merge_1', code: 'duplicate_node_id' }));
  });

  it('reports edges to missing nodes and ports', () => {
    const problems = errors(
      mutate((g) => {
        g.edges.push({ id: 'bad1', source: 'ghost', sourcePort: 'out', target: 'end', targetPort: 'in' });
        g.edges.push({ id: 'bad2', source: 'classify_1', sourcePort: 'billing', target: 'audit_1', targetPort: 'in' });
        g.edges.push({ id: 'bad3', source: 'extract_1', sourcePort: 'out', target: 'end', targetPort: 'nope' });
      }),
    );
    expect(problems).toContainEqual(expect.objectContaining({ edgeId: 'bad1', code: 'edge_missing_node' }));
    expect(problems).toContainEqual(expect.objectContaining({ edgeId: 'bad2', code: 'edge_missing_port', nodeId: 'classify_1' }));
    expect(problems.find((p) => p.edgeId === 'bad2')?.message).toContain('fault, service, other');
    expect(problems).toContainEqual(expect.objectContaining({ edgeId: 'bad3', code: 'edge_missing_port' }));
  });

  it('reports unknown references, unknown outputs and references to nodes that do not run before', () => {
    const problems = errors(
      mutate((g) => {
        g.nodes[1].config.input = '{{ nobody.text }}';
        g.nodes[2].config.input = '{{ start.transcrpt }}';
        g.nodes[3].config.instructions = '参考 {{ extract_1.form.phone }}';
      }),
    );
    expect(problems).toContainEqual(expect.objectContaining({ nodeId: 'classify_1', field: 'input', code: 'unknown_reference' }));
    const typo = problems.find((p) => p.nodeId === 'extract_1' && p.code === 'unknown_reference');
    expect(typo?.message).toContain('has no output transcrpt');
    expect(typo?.message).toContain('transcript');
    expect(problems).toContainEqual(expect.objectContaining({ nodeId: 'audit_1', field: 'instructions', code: 'reference_not_upstream' }));
  });

  it('types references through nested outputs', () => {
    const ok = errors(mutate((g) => (g.nodes[5].config.outputs = [{ name: 'phone', value: '{{ extract_1.form.phone }}' }, { name: 'x', value: '{{ merge_1.value }}' }])));
    expect(ok.filter((p) => p.code === 'unknown_reference')).toEqual([]);
    const bad = errors(mutate((g) => (g.nodes[5].config.outputs = [{ name: 'phone', value: '{{ extract_1.form.fax }}' }])));
    expect(bad).toContainEqual(expect.objectContaining({ nodeId: 'end', code: 'unknown_reference' }));
  });

  it('reports template syntax errors', () => {
    const problems = errors(mutate((g) => (g.nodes[1].config.input = '{{ start.transcript.text ')));
    expect(problems).toContainEqual(expect.objectContaining({ nodeId: 'classify_1', field: 'input', code: 'template_syntax' }));
  });

  it('reports a cycle, an unreachable node and a dead end', () => {
    const cyc = errors(mutate((g) => g.edges.push({ id: 'back', source: 'merge_1', sourcePort: 'out', target: 'classify_1', targetPort: 'in' })));
    expect(cyc).toContainEqual(expect.objectContaining({ edgeId: 'back', code: 'cycle' }));
    expect(cyc).toContainEqual(expect.objectContaining({ nodeId: 'classify_1', code: 'cycle' }));
    const island = errors(mutate((g) => g.nodes.push({ id: 'tpl', kind: 'template', version: 1, position: { x: 0, y: 0 }, config: { template: 'x' } })));
    expect(island).toContainEqual(expect.objectContaining({ nodeId: 'tpl', code: 'unreachable_node' }));
    expect(island).toContainEqual(expect.objectContaining({ nodeId: 'tpl', code: 'dead_end' }));
  });

  it('reports a missing start and end', () => {
    const problems = errors({ schema: 'mofang.graph/v1', name: 'empty', nodes: [], edges: [] });
    expect(problems.map((p) => p.code)).toEqual(expect.arrayContaining(['missing_start', 'missing_end']));
  });

  it('reports a self loop and a duplicate edge', () => {
    const problems = errors(
      mutate((g) => {
        g.edges.push({ id: 'loop', source: 'merge_1', sourcePort: 'out', target: 'merge_1', targetPort: 'in' });
        g.edges.push({ ...g.edges[0], id: 'again' });
      }),
    );
    expect(problems).toContainEqual(expect.objectContaining({ edgeId: 'loop', code: 'self_loop' }));
    expect(problems).toContainEqual(expect.objectContaining({ edgeId: 'again', code: 'duplicate_edge' }));
  });

  it('checks operator types in a condition', () => {
    const graph = lineGraph([{ id: 'cond', kind: 'condition', config: { conditions: [{ left: '{{ start.transcript.text }}', op: 'gt', right: '3' }] } }], []);
    expect(errors(graph)).toContainEqual(expect.objectContaining({ nodeId: 'cond', field: 'conditions.0.op', code: 'invalid_config' }));
  });

  it('reports an invalid regex and duplicate class ids', () => {
    const problems = errors(
      mutate((g) => {
        g.nodes[1].config.classes = [{ id: 'a', name: 'A' }, { id: 'a', name: 'B' }];
        (g.nodes[2].config.fields as Array<Record<string, unknown>>)[1].pattern = '([';
      }),
    );
    expect(problems).toContainEqual(expect.objectContaining({ nodeId: 'classify_1', field: 'classes.1.id' }));
    expect(problems).toContainEqual(expect.objectContaining({ nodeId: 'extract_1', field: 'fields.1.pattern' }));
  });
});

describe('compileGraphAsync', () => {
  it('gives what compileGraph gives, and lets the event loop run while it compiles a 480-node graph', async () => {
    const nodes: Graph['nodes'] = [{ id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [{ name: 'transcript', type: 'transcript', required: true }] } }];
    const edges: Graph['edges'] = [];
    let prev = 'start';
    for (let i = 1; i <= 480; i++) {
      nodes.push({ id: `llm_${i}`, kind: 'llm', version: 1, position: { x: i, y: 0 }, config: { system: '质检', user: `{{ start.transcript.text }} {{ ${prev === 'start' ? 'start.transcript.text' : `${prev}.text`} }}` } });
      edges.push({ id: `e${i}`, source: prev, sourcePort: 'out', target: `llm_${i}`, targetPort: 'in' });
      prev = `llm_${i}`;
    }
    nodes.push({ id: 'end', kind: 'end', version: 1, position: { x: 0, y: 0 }, config: { outputs: [{ name: 'reply', value: `{{ ${prev}.text }}` }] } });
    edges.push({ id: 'eend', source: prev, sourcePort: 'out', target: 'end', targetPort: 'in' });
    const graph: Graph = { schema: GRAPH_FORMAT, name: 'big', nodes, edges };
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 0);
    const result = await compileGraphAsync(graph);
    clearInterval(ticker);
    expect(result.ok).toBe(true);
    expect(result.plan?.hash).toBe(compileGraph(graph).plan?.hash);
    expect(ticks).toBeGreaterThan(0);
  });
});
