/**
 * What the evaluation API tests share: a four-case set of the complaint-risk template whose accuracy is
 * exact under a scripted model endpoint (answering `low`, the template is right on a, b, d: 0.75;
 * answering `high`, on a and c: 0.5), and the script of those answers.
 */
import { expect } from 'vitest';
import { EvalSetSummarySchema } from '@shared/evaluation.js';
import { startMockOpenAI, type MockOpenAI } from '../../server/src/model/mock-openai.testing.js';
import { call } from './helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

const call4 = (text: string) => `坐席：您好，请问有什么可以帮您？\n客户：${text}`;

/** With `low`: a cue (我要投诉, 工信部) makes the warning; the others stay low. With `high`: every case warns. */
export const RISK_CASES = [
  { id: 'a', inputs: { transcript: call4('我要投诉你们，宽带三天没修好') }, expected: { warn: true } },
  { id: 'b', inputs: { transcript: call4('帮我查一下这个月的话费') }, expected: { warn: false } },
  { id: 'c', inputs: { transcript: call4('网速太慢了，我很生气') }, expected: { warn: true } },
  { id: 'd', inputs: { transcript: call4('我想改一下套餐') }, expected: { warn: false } },
];

/** Scripts the judge's answer for the next `calls` model calls (the model's level; the rule cues decide the rest). */
export function answerAll(mock: MockOpenAI, level: 'low' | 'high', calls = 8): void {
  mock.replies.length = 0;
  const content = JSON.stringify({ risk_level: level, emotion: level === 'low' ? '平静' : '愤怒', reasons: [] });
  for (let i = 0; i < calls; i += 1) mock.replies.push({ id: `c${i}`, object: 'chat.completion', created: 1, model: 'qwen2.5-7b-instruct', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 } });
}

/** A server whose model is a scripted mock, a complaint-risk scenario named `name`, and a set `setName` holding {@link RISK_CASES}. */
export async function startRiskHarness(name: string, setName: string): Promise<{ mock: MockOpenAI; h: V1Harness; scenarioId: string; setId: string }> {
  const mock = await startMockOpenAI();
  const h = await startV1Harness({ MOFANG_MODEL_BASE_URL: mock.url, MOFANG_MODEL: 'qwen2.5-7b-instruct', MOFANG_MODEL_STREAM: '0', MOFANG_HTTP_ALLOW: '127.0.0.1' });
  const base = h.server.url;
  const made = await call(base, 'POST', '/api/templates/complaint-risk/use', { name });
  expect(made.status, made.text).toBe(201);
  const scenarioId = (made.json as { id: string }).id;
  const set = await call(base, 'POST', `/api/scenarios/${scenarioId}/eval-sets`, { name: setName, description: `${RISK_CASES.length} cases` });
  const setId = EvalSetSummarySchema.parse(set.json).id;
  const added = await call(base, 'POST', `/api/eval-sets/${setId}/cases`, { cases: RISK_CASES });
  expect(added.status, added.text).toBe(201);
  return { mock, h, scenarioId, setId };
}
