import { describe, expect, it } from 'vitest';
import type { Graph } from '@shared/graph.js';
import type { RunEvent } from '@shared/events.js';
import { compileGraph, runPlan } from './index.js';
import { ScriptedModel } from '../model/scripted.js';
import { noServices } from './testing.js';

/** start → note (always) and audit (final only) → report (waits for audit) → end reading both. */
function graph(finalOnly: boolean): Graph {
  const at = { x: 0, y: 0 };
  return {
    schema: 'mofang.graph/v1',
    name: 'final only',
    nodes: [
      { id: 'start', kind: 'start', version: 1, position: at, config: { inputs: [{ name: 'answer', type: 'string' }] } },
      { id: 'note', kind: 'template', version: 1, position: at, config: { template: 'note {{ start.answer }}' } },
      { id: 'audit', kind: 'llm', version: 1, position: at, config: { user: 'audit {{ start.answer }}' }, ...(finalOnly ? { final_only: true } : {}) },
      { id: 'report', kind: 'template', version: 1, position: at, config: { template: 'report {{ audit.text }}' } },
      {
        id: 'end',
        kind: 'end',
        version: 1,
        position: at,
        config: { outputs: [{ name: 'note', value: '{{ note.text }}', required: false }, { name: 'report', value: '{{ report.text }}', required: false }] },
      },
    ],
    edges: [
      { id: 'e1', source: 'start', sourcePort: 'out', target: 'note', targetPort: 'in' },
      { id: 'e2', source: 'start', sourcePort: 'out', target: 'audit', targetPort: 'in' },
      { id: 'e3', source: 'audit', sourcePort: 'out', target: 'report', targetPort: 'in' },
      { id: 'e4', source: 'note', sourcePort: 'out', target: 'end', targetPort: 'in' },
      { id: 'e5', source: 'report', sourcePort: 'out', target: 'end', targetPort: 'in', },
    ],
  };
}

async function run(finalOnly: boolean, deferFinalOnly: boolean) {
  const compiled = compileGraph(graph(finalOnly));
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  const model = new ScriptedModel(() => 'ok');
  const events: RunEvent[] = [];
  const result = await runPlan(compiled.plan, { answer: 'x' }, { services: noServices, models: model.resolver(), deferFinalOnly, onEvent: (e) => events.push(e) });
  const skipped = events.filter((e) => e.type === 'node.skipped');
  return { result, calls: model.requests.length, skipped, hash: compiled.plan.hash };
}

describe('final-only nodes (live session updates)', () => {
  it('in an update, a final-only node and what waits only for it do not run; the end reads null for them', async () => {
    const update = await run(true, true);
    expect(update.result.status).toBe('succeeded');
    expect(update.result.outputs).toEqual({ note: 'note x', report: null });
    expect(update.calls).toBe(0);
    expect(update.skipped.map((e) => (e.type === 'node.skipped' ? [e.node_id, e.reason] : []))).toEqual([
      ['audit', 'final_only'],
      ['report', 'final_only'],
    ]);
  });

  it('the final run (and every ordinary run) runs them', async () => {
    const final = await run(true, false);
    expect(final.result.outputs).toEqual({ note: 'note x', report: 'report ok' });
    expect(final.calls).toBe(1);
  });

  it('marking a node final-only changes the plan hash; an unmarked graph hashes as before the field existed', async () => {
    const marked = await run(true, false);
    const plain = await run(false, true);
    expect(marked.hash).not.toBe(plain.hash);
    // Without final-only nodes, deferral changes nothing.
    expect(plain.result.outputs).toEqual({ note: 'note x', report: 'report ok' });
  });
});
