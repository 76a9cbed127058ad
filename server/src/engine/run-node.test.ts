import { describe, expect, it } from 'vitest';
import type { RunEvent } from '@shared/events.js';
import { ScriptedModel } from '../model/scripted.js';
import { compileGraph, runNode } from './index.js';
import { lineGraph, noServices } from './testing.js';

const graph = lineGraph(
  [
    { id: 'llm_1', kind: 'llm', config: { user: '{{ start.transcript.text }}' } },
    { id: 'tpl', kind: 'template', config: { template: '{{ llm_1.text }}!' } },
  ],
  [{ name: 'out', value: '{{ tpl.text }}' }],
);

function plan() {
  const compiled = compileGraph(graph);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  return compiled.plan;
}

describe('runNode', () => {
  it('runs only the node, over the upstream outputs given, and nothing downstream', async () => {
    const model = new ScriptedModel(() => 'never called');
    const events: RunEvent[] = [];
    const result = await runNode(plan(), 'tpl', { start: { transcript: { text: 'x' } }, llm_1: { text: '您好' } }, {}, { models: model.resolver(), services: noServices, onEvent: (e) => events.push(e) });
    expect(result).toMatchObject({ status: 'succeeded', outputs: { text: '您好!' }, usage: { model_calls: 0 } });
    expect(events.map((e) => e.type)).toEqual(['run.started', 'node.started', 'node.finished', 'run.finished']);
    expect(model.requests).toHaveLength(0);
  });

  it('fails as the node fails, and for an unknown node', async () => {
    const model = new ScriptedModel(() => {
      throw new Error('boom');
    });
    const failed = await runNode(plan(), 'llm_1', { start: { transcript: { text: 'x' } } }, {}, { models: model.resolver(), services: noServices });
    expect(failed.status).toBe('failed');
    expect(failed.error?.nodeId).toBe('llm_1');
    const unknown = await runNode(plan(), 'ghost', {}, {}, { models: model.resolver(), services: noServices });
    expect(unknown).toMatchObject({ status: 'failed', error: { code: 'node_error' } });
  });
});
