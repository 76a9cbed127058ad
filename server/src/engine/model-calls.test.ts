import { describe, expect, it } from 'vitest';
import type { RunEvent } from '@shared/events.js';
import { compileGraph, runPlan } from './index.js';
import { lineGraph, noServices } from './testing.js';
import { ScriptedModel, type ScriptedReply } from '../model/scripted.js';
import { ModelError, type ChatRequest } from '../model/types.js';

async function runLlm(config: Record<string, unknown>, answer: (request: ChatRequest, index: number) => ScriptedReply | Promise<ScriptedReply>) {
  const graph = lineGraph([{ id: 'n', kind: 'llm', config: { user: '总结：{{ start.transcript.text }}', ...config } }], [{ name: 'r', value: '{{ n }}' }]);
  const compiled = compileGraph(graph);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  const model = new ScriptedModel(answer);
  const events: RunEvent[] = [];
  const result = await runPlan(compiled.plan, { transcript: '客户：宽带断了' }, { services: noServices, models: model.resolver(), onEvent: (e) => events.push(e) });
  const finished = (id: string) => events.find((e): e is Extract<RunEvent, { type: 'node.finished' }> => e.type === 'node.finished' && e.node_id === id);
  return { result, events, model, finished };
}

describe('model calls, as every kind makes them', () => {
  it('an empty reply is a retryable empty_reply: the node is tried again', async () => {
    const { result, events } = await runLlm({ retries: 1 }, (_r, i) => (i === 0 ? '   ' : '宽带断网，已报修'));
    expect(result.status).toBe('succeeded');
    const failed = events.find((e) => e.type === 'node.failed');
    expect(failed).toMatchObject({ will_retry: true, error: { code: 'model_error', details: { model_error: 'empty_reply' } } });
  });

  it('a text reply stopped by max_tokens is kept and flagged; finish_reason is in node.finished, null for nodes without a model', async () => {
    const { result, finished } = await runLlm({ maxTokens: 16 }, () => ({ response: { text: '客户反映宽带从昨天', finishReason: 'length' } }));
    expect(result.outputs?.r).toEqual({ text: '客户反映宽带从昨天', truncated: true });
    expect(finished('n')).toMatchObject({ finish_reason: 'length', warnings: [expect.objectContaining({ code: 'truncated' })] });
    expect(finished('end')?.finish_reason).toBeNull();
    expect(finished('start')?.finish_reason).toBeNull();
  });

  it('a text reply with only reasoning when max_tokens ran out fails as truncated, naming the setting', async () => {
    const { result } = await runLlm({ maxTokens: 16 }, () => ({ response: { text: '<think>\n让我想想……', finishReason: 'length' } }));
    expect(result.error).toMatchObject({ code: 'model_error', details: { model_error: 'truncated' } });
    expect(result.error?.message).toContain('maxTokens');
  });

  it('reasoning is never the answer, and is kept in the trace', async () => {
    const { result, finished } = await runLlm({}, () => ({ response: { text: '<think>用户要总结</think>\n\n宽带故障', reasoning: '' } }));
    expect(result.outputs?.r).toEqual({ text: '宽带故障', truncated: false });
    expect(finished('n')?.calls?.[0]).toMatchObject({ raw: '<think>用户要总结</think>\n\n宽带故障', reasoning: '用户要总结', finish_reason: 'stop' });
  });

  it("a node's timeoutMs governs its model call; without one the endpoint's default applies; a timeout names the setting", async () => {
    const withTimeout = await runLlm({ timeoutMs: 30_000 }, () => 'ok');
    const sent = withTimeout.model.requests[0].timeoutMs ?? 0;
    expect(sent).toBeGreaterThan(29_000);
    expect(sent).toBeLessThanOrEqual(30_000);
    const without = await runLlm({}, () => 'ok');
    expect(without.model.requests[0].timeoutMs).toBeUndefined();

    const slow = () => ({ error: new ModelError('timeout', 'vllm@http://10.0.0.5:8000/v1: no reply within 60000 ms') });
    const endpointDefault = await runLlm({ retries: 0 }, slow);
    expect(endpointDefault.result.error?.message).toContain('MOFANG_MODEL_TIMEOUT_MS');
    const nodeSetting = await runLlm({ retries: 0, timeoutMs: 500 }, slow);
    expect(nodeSetting.result.error?.message).toContain("node's timeoutMs of 500 ms");
    const attempt = await runLlm({ retries: 0, timeoutMs: 100 }, () => new Promise<ScriptedReply>(() => undefined));
    expect(attempt.result.error).toMatchObject({ details: { cause: 'timeout', setting: 'timeoutMs', timeout_ms: 100 } });
  });

  it('usage the endpoint did not report is estimated and marked, never a silent 0', async () => {
    const { result, finished } = await runLlm({}, () => ({ response: { text: '好的', promptTokens: 120, completionTokens: 3, usageEstimated: true } }));
    expect(result.usage).toMatchObject({ prompt_tokens: 120, completion_tokens: 3, tokens_estimated: true });
    expect(finished('n')?.warnings?.map((w) => w.code)).toContain('usage_estimated');
  });
});
