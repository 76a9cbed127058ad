import { describe, expect, it } from 'vitest';
import type { Graph, Join } from '@shared/graph.js';
import type { RunEvent } from '@shared/events.js';
import { compileGraph, runPlan } from './index.js';
import { ScriptedModel } from '../model/scripted.js';
import { noServices } from './testing.js';

/**
 * Two wires into one input: `both` reads from `always` (runs on every path) and from `on_yes` (runs only
 * when the condition holds). The end is reached either through `both` or through the "no" branch's `on_no`.
 */
function joinGraph(join: Join | undefined): Graph {
  const at = { x: 0, y: 0 };
  const template = (id: string, text: string) => ({ id, kind: 'template', version: 1, position: at, config: { template: text } });
  return {
    schema: 'mofang.graph/v1',
    name: 'join',
    nodes: [
      { id: 'start', kind: 'start', version: 1, position: at, config: { inputs: [{ name: 'answer', type: 'string' }] } },
      { id: 'cond', kind: 'condition', version: 1, position: at, config: { conditions: [{ left: '{{ start.answer }}', op: 'eq', right: 'yes' }] } },
      template('always', 'always'),
      template('on_yes', 'yes'),
      template('on_no', 'no'),
      { ...template('both', 'joined'), ...(join ? { join } : {}) },
      { id: 'end', kind: 'end', version: 1, position: at, config: { outputs: [{ name: 'joined', value: '{{ both.text }}', required: false }] } },
    ],
    edges: [
      { id: 'e1', source: 'start', sourcePort: 'out', target: 'cond', targetPort: 'in' },
      { id: 'e2', source: 'start', sourcePort: 'out', target: 'always', targetPort: 'in' },
      { id: 'e3', source: 'cond', sourcePort: 'true', target: 'on_yes', targetPort: 'in' },
      { id: 'e4', source: 'cond', sourcePort: 'false', target: 'on_no', targetPort: 'in' },
      { id: 'e5', source: 'always', sourcePort: 'out', target: 'both', targetPort: 'in' },
      { id: 'e6', source: 'on_yes', sourcePort: 'out', target: 'both', targetPort: 'in' },
      { id: 'e7', source: 'both', sourcePort: 'out', target: 'end', targetPort: 'in' },
      { id: 'e8', source: 'on_no', sourcePort: 'out', target: 'end', targetPort: 'in' },
    ],
  };
}

async function run(join: Join | undefined, answer: string) {
  const compiled = compileGraph(joinGraph(join));
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  const events: RunEvent[] = [];
  const result = await runPlan(compiled.plan, { answer }, { services: noServices, models: new ScriptedModel(() => 'unused').resolver(), onEvent: (e) => events.push(e) });
  const ran = events.filter((e) => e.type === 'node.finished').map((e) => e.node_id);
  const skipped = events.filter((e) => e.type === 'node.skipped').map((e) => e.node_id);
  return { result, ran, skipped };
}

describe('two wires into one input', () => {
  it('any (the default, and graphs without the field): runs once when either wire was taken', async () => {
    for (const join of [undefined, 'any'] as const) {
      const no = await run(join, 'no');
      expect(no.ran.filter((id) => id === 'both')).toHaveLength(1);
      expect(no.result.outputs).toEqual({ joined: 'joined' });
      const yes = await run(join, 'yes');
      expect(yes.ran.filter((id) => id === 'both')).toHaveLength(1);
    }
  });

  it('all: runs only when every wire was taken, is skipped otherwise', async () => {
    const yes = await run('all', 'yes');
    expect(yes.ran).toContain('both');
    expect(yes.result.outputs).toEqual({ joined: 'joined' });
    const no = await run('all', 'no');
    expect(no.ran).not.toContain('both');
    expect(no.skipped).toContain('both');
    expect(no.result.status).toBe('succeeded');
    expect(no.result.outputs).toEqual({ joined: null });
  });

  it('the compiler knows it: under all, a required output from the join may be missing, under any it may not', () => {
    const required = (join: Join) => {
      const graph = joinGraph(join);
      const end = graph.nodes.find((n) => n.id === 'end');
      if (end) end.config = { outputs: [{ name: 'joined', value: '{{ both.text }}', required: true }] };
      return compileGraph(graph).errors.map((p) => p.code);
    };
    expect(required('all')).toContain('may_be_skipped');
    expect(required('any')).not.toContain('may_be_skipped');
  });

  it('the join is part of the published hash; any hashes as a graph without the field', () => {
    const hash = (join: Join | undefined) => compileGraph(joinGraph(join)).plan?.hash;
    expect(hash('any')).toBe(hash(undefined));
    expect(hash('all')).not.toBe(hash('any'));
  });
});
