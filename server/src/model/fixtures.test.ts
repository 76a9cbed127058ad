/**
 * The fixture corpus (./fixtures/*.json): chat completions in the shapes Qwen2.5, Qwen3, DeepSeek-R1
 * distills, GLM-4 and TeleChat2 deployments send, and replies no kind can use. Every case runs through
 * every structured kind it names, over real HTTP, once as a plain completion and once streamed the way
 * vLLM streams it, and must give the value (or the error) the fixture says.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '@shared/events.js';
import { compileGraph, runPlan } from '../engine/index.js';
import { lineGraph, noServices } from '../engine/testing.js';
import { LimitedModelClient } from './limiter/limited-client.js';
import { startMockOpenAI, type Completion, type MockOpenAI } from './mock-openai.testing.js';
import { OpenAICompatibleClient } from './openai-client.js';

interface Expectation {
  outputs?: Record<string, unknown>;
  warnings?: string[];
  reasoning?: boolean;
  usage_estimated?: boolean;
  error?: string;
}
interface FixtureCase {
  name: string;
  shape: string;
  replies: Record<string, Completion[]>;
  expect: Record<string, Expectation>;
}
interface FixtureFile {
  family: string;
  documented: string;
  cases: FixtureCase[];
}

const TRANSCRIPT = [
  '坐席：您好，工号 2046，很高兴为您服务。',
  '客户：我家宽带从昨天就上不了网了，我叫张伟，电话 139 1234 5678，在网三年了。',
  '坐席：非常抱歉给您带来不便，我马上为您登记报修，师傅明天上门。',
  '客户：好的，谢谢。',
].join('\n');

/** The node each kind is run as; retries off, so an error case shows its own code at once. */
const NODES: Record<string, Record<string, unknown>> = {
  classify: {
    retries: 0,
    classes: [
      { id: 'broadband_fault', name: '宽带故障', description: '宽带无法上网、网速慢' },
      { id: 'billing', name: '话费查询' },
      { id: 'complaint', name: '投诉' },
    ],
  },
  extract: {
    retries: 0,
    fields: [
      { name: 'name', label: '客户姓名', required: true },
      { name: 'phone', label: '联系电话', required: true, pattern: '^1[3-9]\\d{9}$', patternHint: '11 位手机号' },
      { name: 'months', label: '在网月数', type: 'integer' },
      { name: 'vip', label: '是否VIP', type: 'boolean' },
    ],
  },
  audit: {
    retries: 0,
    passScore: 60,
    items: [
      { id: 'greeting', name: '开场问候', kind: 'rule', weight: 20, rule: { check: 'keywords', keywords: ['您好'], scope: { role: 'agent', position: 'first', turns: 2 } } },
      { id: 'empathy', name: '致歉安抚', kind: 'model', weight: 40, criterion: '客户不满时坐席是否致歉安抚' },
      { id: 'solution', name: '解决方案', kind: 'model', weight: 40, criterion: '坐席是否给出明确的处理方案' },
    ],
  },
  llm: {
    retries: 0,
    user: '总结这通电话：{{ start.transcript.text }}',
    output: 'json',
    fields: [
      { name: 'summary', required: true },
      { name: 'satisfied', type: 'boolean' },
      { name: 'amount', type: 'number' },
    ],
  },
};

const dir = fileURLToPath(new URL('./fixtures/', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ file: f, data: JSON.parse(readFileSync(`${dir}${f}`, 'utf8')) as FixtureFile }));

let mock: MockOpenAI;
beforeAll(async () => {
  mock = await startMockOpenAI();
});
afterAll(() => mock.close());

async function run(kind: string, replies: Completion[], stream: boolean) {
  mock.replies = structuredClone(replies);
  mock.requests = [];
  const graph = lineGraph([{ id: 'n', kind, config: NODES[kind] }], [{ name: 'r', value: '{{ n }}' }]);
  const compiled = compileGraph(graph);
  if (!compiled.ok) throw new Error(`does not compile: ${JSON.stringify(compiled.errors)}`);
  // Streamed as production calls are (the adaptive limit times the first token), or not (MOFANG_MODEL_STREAM=0).
  const client = new LimitedModelClient(new OpenAICompatibleClient({ baseUrl: mock.url, timeoutMs: 5000 }), { measureFirstToken: stream });
  const events: RunEvent[] = [];
  try {
    const result = await runPlan(compiled.plan, { transcript: TRANSCRIPT }, { services: noServices, models: { resolve: (alias) => ({ client, model: alias }) }, onEvent: (e) => events.push(e) });
    const finished = events.find((e) => e.type === 'node.finished' && e.node_id === 'n');
    return { result, finished: finished?.type === 'node.finished' ? finished : undefined, requests: mock.requests };
  } finally {
    await client.close();
  }
}

describe('real-world replies, through every structured kind', () => {
  it('covers every family the issue names, each kind, and the unusable replies', () => {
    expect(files.map((f) => f.file).sort()).toEqual(['deepseek-r1-distill.json', 'glm-4.json', 'qwen2.5.json', 'qwen3.json', 'telechat2.json', 'unusable.json']);
    for (const { data } of files) for (const c of data.cases) expect(Object.keys(c.replies).sort()).toEqual(['audit', 'classify', 'extract', 'llm']);
  });

  for (const { file, data } of files) {
    describe(`${file}: ${data.family}`, () => {
      for (const c of data.cases) {
        for (const [kind, replies] of Object.entries(c.replies)) {
          for (const stream of [false, true]) {
            it(`${c.name} (${c.shape}) → ${kind}${stream ? ', streamed' : ''}`, async () => {
              const want = c.expect[kind];
              const { result, finished, requests } = await run(kind, replies, stream);
              if (want.error) {
                expect(result.status).toBe('failed');
                expect(result.error).toMatchObject({ code: 'model_error', nodeId: 'n', details: { model_error: want.error } });
                return;
              }
              expect(result.error).toBeUndefined();
              expect(result.outputs?.r).toMatchObject(want.outputs ?? {});
              expect(finished?.finish_reason).toBe('stop');
              expect((finished?.warnings ?? []).map((w) => w.code)).toEqual(expect.arrayContaining(want.warnings ?? []));
              const calls = finished?.calls ?? [];
              if (want.reasoning) {
                // The reasoning is kept for the trace, and the draft inside it was not the answer.
                expect(calls.at(-1)?.reasoning?.length).toBeGreaterThan(10);
                expect(calls.at(-1)?.reasoning).toContain('草稿');
              }
              expect(Boolean(finished?.usage.tokens_estimated)).toBe(Boolean(want.usage_estimated));
              expect(finished?.usage.prompt_tokens).toBeGreaterThan(0);
              if (stream) expect(requests[0]).toMatchObject({ stream: true, stream_options: { include_usage: true } });
            });
          }
        }
      }
    });
  }

  it('a reply stopped by max_tokens is asked again with twice the limit', async () => {
    const data = files.find((f) => f.file === 'unusable.json')?.data;
    const c = data?.cases.find((x) => x.name === 'length-then-complete');
    if (!c) throw new Error('fixture missing');
    const { result, requests } = await run('classify', c.replies.classify, false);
    expect(result.status).toBe('succeeded');
    expect(requests.map((r) => r.max_tokens)).toEqual([1024, 2048]);
  });
});
