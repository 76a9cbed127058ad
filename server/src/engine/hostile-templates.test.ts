import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { compileGraph, runPlan } from './index.js';
import { ScriptedModel } from '../model/scripted.js';
import { lineGraph, noServices } from './testing.js';

const model = new ScriptedModel(() => 'ok');

describe('hostile templates', () => {
  it('reports a file tag in any node and field as template_file_access, naming the node and the field', () => {
    const graph = lineGraph(
      [
        { id: 'note', kind: 'template', config: { template: "{% include 'package.json' %}" } },
        { id: 'ask', kind: 'llm', config: { system: '{% include start.transcript.text %}', user: "{% render 'data/mofang.db' %}" } },
      ],
      [{ name: 'text', value: "{% layout 'package.json' %}{{ note.text }}" }],
    );
    graph.nodes[1].name = '备注';
    const result = compileGraph(graph);
    expect(result.ok).toBe(false);
    const problems = result.errors.filter((p) => p.code === 'template_file_access');
    expect(problems.map((p) => [p.nodeId, p.field, p.params?.tag])).toEqual([
      ['note', 'template', 'include'],
      ['ask', 'system', 'include'],
      ['ask', 'user', 'render'],
      ['end', 'outputs.0.value', 'layout'],
    ]);
    expect(problems[0].params).toEqual({ node: '备注 (note)', field: 'template', tag: 'include' });
    expect(problems[0].message).toContain('node 备注 (note), field "template": {% include %} is not allowed');
  });

  it('fails the node of a runaway loop with the limit and its setting, without holding the event loop past it', async () => {
    // Every turn against every turn against every turn: 8 million steps, seconds of work without a limit.
    const template = '{% for a in start.transcript.turns %}{% for b in start.transcript.turns %}{% for c in start.transcript.turns %}.{% endfor %}{% endfor %}{% endfor %}';
    const graph = lineGraph([{ id: 'loop', kind: 'template', config: { template } }], [{ name: 'text', value: '{{ loop.text }}' }]);
    const compiled = compileGraph(graph, { templateLimits: { renderMs: 40, outputBytes: 4 * 1024 * 1024, memory: 1_000_000 } });
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const started = performance.now();
    const transcript = Array.from({ length: 200 }, (_, i) => `${i % 2 ? '客户' : '坐席'}：第 ${i} 句`).join('\n');
    const result = await runPlan(compiled.plan, { transcript }, { services: noServices, models: model.resolver() });
    const elapsed = performance.now() - started;
    delay.disable();
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'node_error', nodeId: 'loop', details: { node_error: 'template_limit', info: { limit: 'renderMs', value: 40, setting: 'MOFANG_TEMPLATE_RENDER_MS', field: 'template' } } });
    expect(result.error?.message).toContain('MOFANG_TEMPLATE_RENDER_MS');
    // One attempt, not retried: a template over its limit stays over it.
    // Bounds loose enough for a loaded machine; without the limit this takes seconds.
    expect(elapsed).toBeLessThan(1500);
    expect(delay.max / 1e6).toBeLessThan(1000);
  });

  it('fails the node of a range past the memory limit at once', async () => {
    const graph = lineGraph([{ id: 'loop', kind: 'template', config: { template: '{% for i in (1..100000000) %}x{% endfor %}' } }], [{ name: 'text', value: '{{ loop.text }}' }]);
    const compiled = compileGraph(graph);
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
    const started = performance.now();
    const result = await runPlan(compiled.plan, { transcript: '客户：你好' }, { services: noServices, models: model.resolver() });
    expect(performance.now() - started).toBeLessThan(200);
    expect(result.error).toMatchObject({ nodeId: 'loop', details: { node_error: 'template_limit', info: { limit: 'memory', setting: 'MOFANG_TEMPLATE_MEMORY' } } });
  });
});
