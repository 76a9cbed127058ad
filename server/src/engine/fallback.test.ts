import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '@shared/events.js';
import { compileGraph, runPlan } from './index.js';
import { lineGraph, noServices } from './testing.js';
import { startMockOpenAI, type Completion, type MockOpenAI } from '../model/mock-openai.testing.js';
import { ReloadableModels } from '../model/reloadable.js';
import { ScriptedModel } from '../model/scripted.js';
import { ModelError, type ModelResolver } from '../model/types.js';

const completion = (content: string, model: string): Completion => ({
  id: 'c1',
  object: 'chat.completion',
  created: 1,
  model,
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 },
});

const mocks: MockOpenAI[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  for (const mock of mocks.splice(0)) await mock.close();
});

async function run(models: ModelResolver, config: Record<string, unknown>) {
  const graph = lineGraph([{ id: 'n', kind: 'llm', config: { user: '总结：{{ start.transcript.text }}', retries: 0, ...config } }], [{ name: 'r', value: '{{ n.text }}' }]);
  const compiled = compileGraph(graph);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  const events: RunEvent[] = [];
  const result = await runPlan(compiled.plan, { transcript: '客户：宽带断了' }, { services: noServices, models, onEvent: (e) => events.push(e) });
  const finished = events.find((e): e is Extract<RunEvent, { type: 'node.finished' }> => e.type === 'node.finished' && e.node_id === 'n');
  const failed = events.find((e): e is Extract<RunEvent, { type: 'node.failed' }> => e.type === 'node.failed' && e.node_id === 'n');
  return { result, finished, failed };
}

describe("a node's fallback alias", () => {
  it('answers on the fallback endpoint when the primary answers 503, and the trace says which and why', async () => {
    const primary = await startMockOpenAI();
    const backup = await startMockOpenAI();
    mocks.push(primary, backup);
    primary.failWith = 503;
    backup.replies = [completion('宽带故障已登记', 'qwen2.5-72b')];
    const models = new ReloadableModels({
      default: 'backup',
      endpoints: [
        { name: 'primary', baseUrl: primary.url, models: { fast: 'qwen2.5-7b' }, stream: false },
        { name: 'backup', baseUrl: backup.url, models: { default: 'qwen2.5-72b' }, stream: false },
      ],
    });
    closers.push(() => models.close());
    const { result, finished } = await run(models, { model: 'fast', fallbackModel: 'default' });
    expect(result.status).toBe('succeeded');
    expect(result.outputs?.r).toBe('宽带故障已登记');
    expect(primary.requests).toHaveLength(1);
    expect(backup.requests[0]).toMatchObject({ model: 'qwen2.5-72b' });
    expect(finished?.calls).toHaveLength(2);
    expect(finished?.calls?.[0]).toMatchObject({ alias: 'fast', endpoint: 'primary', model: 'qwen2.5-7b', error: expect.stringContaining('503') });
    expect(finished?.calls?.[1]).toMatchObject({ alias: 'default', endpoint: 'backup', model: 'qwen2.5-72b', raw: '宽带故障已登记', fallback_from: { alias: 'fast', endpoint: 'primary', code: 'server_error' } });
    expect(finished?.warnings).toEqual([expect.objectContaining({ code: 'model_fallback', details: expect.objectContaining({ alias: 'fast', fallback: 'default', fallback_endpoint: 'backup' }) })]);
    expect(result.usage.model_calls).toBe(2);
  });

  it('is not tried for an answer that is there but unusable, nor without a fallback', async () => {
    const fast = new ScriptedModel(() => '   ');
    const slow = new ScriptedModel(() => '不该被调用');
    const models: ModelResolver = { resolve: (alias) => ({ client: alias === 'fast' ? fast : slow, model: alias }) };
    const empty = await run(models, { model: 'fast', fallbackModel: 'default' });
    expect(empty.result.status).toBe('failed');
    expect(empty.failed?.error).toMatchObject({ details: { model_error: 'empty_reply' } });
    expect(slow.requests).toHaveLength(0);

    const down = new ScriptedModel(() => ({ error: new ModelError('network', 'connection refused') }));
    const alone = await run({ resolve: () => ({ client: down, model: 'm' }) }, { model: 'fast' });
    expect(alone.failed?.error).toMatchObject({ details: { model_error: 'network' } });
    expect(down.requests).toHaveLength(1);
  });

  it('puts the schema in the prompt when the fallback endpoint has no json_schema', async () => {
    const fast = new ScriptedModel(() => ({ error: new ModelError('timeout', 'no reply in time') }));
    const plain = new ScriptedModel(() => ({ json: { intent: 'fault' } }), false);
    const models: ModelResolver = { resolve: (alias) => ({ client: alias === 'fast' ? fast : plain, model: alias }) };
    const { result } = await run(models, { model: 'fast', fallbackModel: 'default', output: 'json', fields: [{ name: 'intent', type: 'string' }] });
    expect(result.status).toBe('succeeded');
    expect(fast.requests[0].responseFormat?.type).toBe('json_schema');
    expect(plain.requests[0].responseFormat).toBeUndefined();
    expect(plain.requests[0].messages[0].content).toContain('JSON Schema');
  });
});
