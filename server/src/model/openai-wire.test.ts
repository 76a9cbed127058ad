import { describe, expect, it } from 'vitest';
import { ChunkShape, readChunk, type ChunkFields } from './openai-wire.js';

/** What ChunkShape's parse gives for the fields Mofang reads (the reference readChunk must match). */
function bySchema(value: unknown): ChunkFields | undefined {
  const parsed = ChunkShape.safeParse(value);
  if (!parsed.success) return undefined;
  const choice = parsed.data.choices?.[0];
  const delta = choice?.delta;
  return {
    model: parsed.data.model,
    usage: parsed.data.usage,
    finishReason: choice?.finish_reason,
    content: delta ? delta.content : undefined,
    refusal: delta ? delta.refusal : undefined,
    reasoning: delta ? (delta.reasoning_content ?? delta.reasoning) : undefined,
    error: parsed.data.error,
  };
}

/** A seeded random pick (an LCG), the same every run. */
function picker(seed: number) {
  return <T>(options: T[]): T => {
    seed = (seed * 1664525 + 1013904223) % 4294967296;
    return options[Math.floor((seed / 4294967296) * options.length)];
  };
}

describe('readChunk', () => {
  it('reads what servers send: vLLM, OpenAI, Ollama and reasoning chunks', () => {
    const samples = [
      { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'qwen', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] },
      { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'qwen', choices: [{ index: 0, delta: { content: '您好' }, finish_reason: null }] },
      { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'qwen', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
      { id: 'c1', object: 'chat.completion.chunk', model: 'qwen', choices: [], usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 } },
      { model: 'deepseek-r1', choices: [{ delta: { reasoning_content: '想', content: null } }] },
      { model: 'gpt-oss', choices: [{ delta: { reasoning: '想' } }] },
      { object: 'error', message: 'out of memory', error: { message: 'CUDA OOM' } },
    ];
    for (const sample of samples) expect(readChunk(sample), JSON.stringify(sample)).toEqual(bySchema(sample));
    expect(readChunk(samples[1])?.content).toBe('您好');
    expect(readChunk(samples[3])?.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 3 });
  });

  it('agrees with ChunkShape on 20,000 odd shapes: what it accepts, rejects and reads', () => {
    const pick = picker(7);
    const odd = [undefined, null, 0, 1.5, '', 'x', true, [], ['a'], {}, { a: 1 }];
    const text = () => pick([undefined, null, 'stop', '字', 3, {}, []]);
    const delta = () => pick([undefined, null, 'd', 4, [], {}, { content: pick([undefined, null, '', '字', 5, {}]), refusal: text(), reasoning_content: text(), reasoning: text() }]);
    const choice = () => pick([null, 'c', 1, [], { delta: delta(), finish_reason: text(), index: 0 }]);
    const usage = () => pick([undefined, null, 'u', {}, { prompt_tokens: 1 }, { prompt_tokens: 1, completion_tokens: 2 }, { prompt_tokens: '1', completion_tokens: 2 }]);
    for (let i = 0; i < 20_000; i++) {
      const choices = pick([undefined, null, 'x', {}, [], [choice()], [choice(), choice()]]);
      const value = pick([pick(odd), { model: text(), choices, usage: usage(), ...(pick([true, false, false]) ? { error: pick(odd) } : {}) }]);
      expect(readChunk(value), JSON.stringify(value)).toEqual(bySchema(value));
    }
  });
});
