import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Graph } from '@shared/graph.js';
import type { CompileProblem } from '@shared/problems.js';
import { createEngineServices } from '../services/index.js';
import { listBuiltinTemplates } from '../templates/builtin.js';
import { compileGraph } from './compile/index.js';
import { runEveryBranch } from './explore.testing.js';

const services = createEngineServices({});
afterAll(() => services.close());

const dir = fileURLToPath(new URL('./fixtures/branchy/', import.meta.url));
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ name: f, graph: JSON.parse(readFileSync(`${dir}${f}`, 'utf8')) as Graph }));

function fixture(name: string): Graph {
  const found = fixtures.find((f) => f.name === name);
  if (!found) throw new Error(`no fixture ${name}`);
  return structuredClone(found.graph);
}

function problems(graph: Graph): CompileProblem[] {
  return compileGraph(graph).errors;
}

const graphs = [
  ...fixtures.map((f) => ({ name: `fixture ${f.name}`, graph: f.graph, inputs: f.graph.inputs })),
  ...listBuiltinTemplates().map((t) => ({ name: `template ${t.meta.id}`, graph: t.graph, inputs: t.graph.inputs ?? t.samples[0]?.sample.inputs })),
];

describe('the check agrees with the run, down every branch', () => {
  for (const { name, graph, inputs } of graphs) {
    it(`${name}: compiles, and every path it allows reaches the end with valid outputs`, async () => {
      const compiled = compileGraph(graph);
      expect(compiled.errors).toEqual([]);
      if (!compiled.ok) return;
      const runs = await runEveryBranch(compiled.plan, inputs, services);
      expect(runs.length).toBeGreaterThan(0);
      for (const { choices, result } of runs) {
        // A failure names its path, so a disagreement can be replayed.
        expect({ choices, error: result.error }).toEqual({ choices, error: undefined });
        expect(result.status).toBe('succeeded');
      }
    });
  }

  it('explores each distinct path once: the pitch scenario has four', async () => {
    const compiled = compileGraph(fixture('pitch.json'));
    if (!compiled.ok) throw new Error('does not compile');
    const runs = await runEveryBranch(compiled.plan, { transcript: '客户：宽带断了' }, services);
    expect(runs.map((r) => r.choices.classify_1).sort()).toEqual(['billing', 'broadband_fault', 'complaint', 'other']);
    const billing = runs.find((r) => r.choices.classify_1 === 'billing');
    expect(billing?.result.outputs).toEqual({ form: null, missing: null, label: 'billing' });
    const fault = runs.find((r) => r.choices.classify_1 === 'broadband_fault');
    expect(fault?.result.outputs?.form).toEqual(expect.objectContaining({ phone: expect.anything() }));
  });
});

describe('what the compiler refuses, and why', () => {
  it('a branch that leads nowhere: one problem per unconnected port, naming it', () => {
    const graph = fixture('pitch.json');
    graph.edges = graph.edges.filter((e) => e.sourcePort !== 'billing' && e.sourcePort !== 'complaint' && e.sourcePort !== 'other');
    const found = problems(graph);
    expect(found.map((p) => [p.code, p.nodeId, p.params?.port])).toEqual([
      ['branch_not_connected', 'classify_1', 'billing'],
      ['branch_not_connected', 'classify_1', 'complaint'],
      ['branch_not_connected', 'classify_1', 'other'],
    ]);
    expect(found[0].message).toContain('话费查询');
  });

  it('a required output whose node may be skipped: an error on the end node naming the output, the node, the path and both fixes', () => {
    const graph = fixture('pitch.json');
    const end = graph.nodes.find((n) => n.id === 'end');
    if (!end) throw new Error('no end');
    end.config.outputs = (end.config.outputs as Array<Record<string, unknown>>).map((o) => ({ ...o, required: true }));
    const found = problems(graph);
    expect(found.map((p) => [p.code, p.nodeId, p.field, p.params?.name, p.params?.node])).toEqual([
      ['may_be_skipped', 'end', 'outputs.0.value', 'form', '报修填单 (extract_1)'],
      ['may_be_skipped', 'end', 'outputs.1.value', 'missing', '报修填单 (extract_1)'],
    ]);
    // Every branch on which it is skipped, by the names the designer gave them.
    expect(found[0].message).toContain('when 来电意图 (classify_1) → 话费查询 / 投诉 / 其他');
    expect(found[0].message).toContain('optional');
    expect(found[0].message).toContain('merge');
  });

  it('a merge whose values may all be skipped is refused; a plain default fixes it', () => {
    const graph = fixture('merge-default.json');
    const merge = graph.nodes.find((n) => n.id === 'merge_1');
    if (!merge) throw new Error('no merge');
    merge.config.values = ['{{ llm_a.text }}', '{{ llm_b.text }}'];
    const found = problems(graph);
    expect(found).toEqual([expect.objectContaining({ code: 'merge_may_be_empty', nodeId: 'merge_1', field: 'values' })]);
    expect(found[0].message).toContain('when 意图 (classify_1) → 其他');
    merge.config.values = ['{{ llm_a.text }}', '{{ llm_b.text }}', '{{ classify_1.reason }}'];
    expect(problems(graph)).toEqual([]);
  });

  it('a merge that does not run on a branch: the fix is to connect that branch to it', () => {
    const graph = fixture('merge-default.json');
    graph.edges = graph.edges.map((e) => (e.sourcePort === 'other' ? { ...e, target: 'end' } : e));
    const found = problems(graph);
    expect(found).toEqual([expect.objectContaining({ code: 'may_be_skipped', nodeId: 'end', params: expect.objectContaining({ hint: 'connect', node: '合并 (merge_1)' }) })]);
    expect(found[0].message).toContain('connect that branch to 合并 (merge_1)');
  });

  it('a node on one branch is never null for a node that runs only after it, even through a parallel split', () => {
    const graph = fixture('parallel-on-branch.json');
    const end = graph.nodes.find((n) => n.id === 'end');
    if (!end) throw new Error('no end');
    // template_1 runs only when extract_1 and audit_1 both ran: its own reads are never skipped.
    const compiled = compileGraph(graph);
    expect(compiled.errors).toEqual([]);
    const summary = compiled.plan?.outputSchema.properties?.summary;
    expect(summary).toEqual({ anyOf: [{ type: 'string' }, { type: 'null' }] });
    const turns = compiled.plan?.outputSchema.properties?.turns;
    expect(turns).toEqual({ type: 'integer' });
  });

  it('optional outputs are nullable in the output schema (and always present); required ones keep their type', () => {
    const compiled = compileGraph(fixture('pitch.json'));
    const schema = compiled.plan?.outputSchema;
    expect(schema?.required).toEqual(['form', 'missing', 'label']);
    expect(schema?.properties?.missing).toEqual({ description: 'required fields the call did not give', anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'null' }] });
    expect(schema?.properties?.label).toMatchObject({ type: 'string', enum: ['broadband_fault', 'billing', 'complaint', 'other'] });
  });

  it('many independent branches each followed by another stay exact (no blow-up): 30 pairs of conditions', () => {
    const nodes: Graph['nodes'] = [
      { id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [{ name: 'transcript', type: 'transcript' }] } },
      { id: 'join', kind: 'template', version: 1, position: { x: 0, y: 0 }, config: { template: '{{ start.transcript.text }}' } },
      { id: 'end', kind: 'end', version: 1, position: { x: 0, y: 0 }, config: { outputs: [{ name: 't', value: '{{ start.transcript.text }}' }, { name: 'j', value: '{{ join.text }}' }] } },
    ];
    const edges: Graph['edges'] = [{ id: 'j', source: 'join', sourcePort: 'out', target: 'end', targetPort: 'in' }];
    for (let i = 0; i < 30; i++) {
      for (const id of [`c${i}`, `d${i}`]) nodes.push({ id, kind: 'condition', version: 1, position: { x: 0, y: 0 }, config: { conditions: [{ left: '{{ start.transcript.text }}', op: 'contains', right: id }] } });
      edges.push(
        { id: `s${i}`, source: 'start', sourcePort: 'out', target: `c${i}`, targetPort: 'in' },
        { id: `ct${i}`, source: `c${i}`, sourcePort: 'true', target: `d${i}`, targetPort: 'in' },
        { id: `cf${i}`, source: `c${i}`, sourcePort: 'false', target: 'end', targetPort: 'in' },
        { id: `dt${i}`, source: `d${i}`, sourcePort: 'true', target: 'join', targetPort: 'in' },
        { id: `df${i}`, source: `d${i}`, sourcePort: 'false', target: 'end', targetPort: 'in' },
      );
    }
    const found = problems({ schema: 'mofang.graph/v1', name: 'pairs', nodes, edges });
    // Exactly one problem: the join does not run when every first condition is false; the start always runs.
    expect(found).toEqual([expect.objectContaining({ code: 'may_be_skipped', nodeId: 'end', field: 'outputs.1.value' })]);
  });

  it('lists a stale reference once, with its field', () => {
    const graph = fixture('pitch.json');
    const end = graph.nodes.find((n) => n.id === 'end');
    if (!end) throw new Error('no end');
    end.config.outputs = [{ name: 'x', value: '{{ gone_1.text }}', type: 'string' }];
    expect(problems(graph)).toEqual([expect.objectContaining({ code: 'unknown_reference', nodeId: 'end', field: 'outputs.0.value' })]);
  });
});
