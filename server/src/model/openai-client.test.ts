import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import type { JsonSchema } from '@shared/json-schema.js';
import { fast } from '../simulator/config.js';
import { startSimulatorServer, type SimulatorServer } from '../simulator/server.js';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startMockOpenAI } from './mock-openai.testing.js';
import { OpenAICompatibleClient } from './openai-client.js';
import { ModelError, type ChatRequest } from './types.js';

let sim: SimulatorServer;
let client: OpenAICompatibleClient;
const request: ChatRequest = { model: 'qwen', messages: [{ role: 'user', content: '[t1] 客户：我的手机号是13800001111，宽带断了' }] };

beforeAll(async () => {
  sim = await startSimulatorServer({ port: 0, config: fast() });
  client = new OpenAICompatibleClient({ baseUrl: sim.url, apiKey: 'sk-test', maxConcurrency: 4 });
});
afterEach(() => {
  sim.simulator.updateConfig(fast({ seed: sim.simulator.config.seed }));
});
afterAll(async () => {
  await client.close();
  await sim.close();
});

async function failure(promise: Promise<unknown>): Promise<ModelError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ModelError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('OpenAICompatibleClient against the simulator server', () => {
  it('answers a non-streamed call', async () => {
    const reply = await client.chat(request);
    expect(reply).toMatchObject({ model: 'mofang-simulator', finishReason: 'stop' });
    expect(reply.text).toContain('模拟器');
    expect(reply.promptTokens).toBeGreaterThan(0);
    expect(reply.completionTokens).toBeGreaterThan(0);
    expect(client.name).toBe(`openai@${sim.url}`);
  });

  it('streams deltas and reports usage', async () => {
    const deltas: string[] = [];
    const reply = await client.chat({ ...request, stream: true, onDelta: (d) => deltas.push(d) });
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(reply.text);
    expect(reply.completionTokens).toBeGreaterThan(0);
    expect(reply.finishReason).toBe('stop');
  });

  it('passes response_format json_schema through and gets schema-valid JSON', async () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: { phone: { type: 'string', pattern: '^1[3-9]\\d{9}$' }, evidence: { type: 'array', items: { type: 'string' } } },
      required: ['phone', 'evidence'],
      additionalProperties: false,
    };
    for (const stream of [false, true]) {
      const reply = await client.chat({ ...request, stream, responseFormat: { type: 'json_schema', json_schema: { name: 'form', schema, strict: true } } });
      const value: unknown = JSON.parse(reply.text);
      expect(new Ajv().validate(schema, value)).toBe(true);
      expect(value).toMatchObject({ evidence: ['t1'] });
    }
  });

  it('maps 500, 429, malformed and timeout to ModelError codes', async () => {
    sim.simulator.updateConfig({ errorRate: 1 });
    const server = await failure(client.chat(request));
    expect(server).toMatchObject({ code: 'server_error', status: 500, retryable: true });
    expect(server.message).toContain(sim.url);
    sim.simulator.updateConfig({ errorRate: 0, rateLimitRate: 1, retryAfterSeconds: 2 });
    expect(await failure(client.chat(request))).toMatchObject({ code: 'rate_limited', status: 429, retryAfterMs: 2000 });
    sim.simulator.updateConfig({ rateLimitRate: 0, malformedRate: 1 });
    expect(await failure(client.chat(request))).toMatchObject({ code: 'malformed_response' });
    expect(await failure(client.chat({ ...request, stream: true }))).toMatchObject({ code: 'malformed_response' });
    sim.simulator.updateConfig({ malformedRate: 0, timeoutRate: 1 });
    expect(await failure(client.chat({ ...request, timeoutMs: 100 }))).toMatchObject({ code: 'timeout' });
    await until(() => sim.stats().active === 0);
    expect(sim.stats().active).toBe(0);
  });

  it('aborting mid-stream closes the server-side request', async () => {
    sim.simulator.updateConfig({ ttftMs: 10, perTokenMs: 200 });
    const controller = new AbortController();
    const pending = client.chat({ ...request, stream: true, signal: controller.signal, onDelta: () => controller.abort() });
    expect(await failure(pending)).toMatchObject({ code: 'aborted' });
    await until(() => sim.stats().active === 0);
    expect(sim.stats().active).toBe(0);
  });

  it('removes a queued call when its signal aborts', async () => {
    sim.simulator.updateConfig({ ttftMs: 200 });
    const single = new OpenAICompatibleClient({ baseUrl: sim.url, maxConcurrency: 1 });
    const first = single.chat(request);
    const controller = new AbortController();
    const queued = single.chat({ ...request, signal: controller.signal });
    expect(single.pending).toBe(1);
    controller.abort();
    expect(await failure(queued)).toMatchObject({ code: 'aborted' });
    expect(single.pending).toBe(0);
    await first;
    await single.close();
  });

  it('keeps at most maxConcurrency calls in flight, urgent calls first', async () => {
    sim.simulator.updateConfig({ ttftMs: 40 });
    const before = sim.stats().maxConcurrentSeen;
    expect(before).toBeLessThanOrEqual(2);
    const limited = new OpenAICompatibleClient({ baseUrl: sim.url, maxConcurrency: 2 });
    const order: string[] = [];
    const calls = [1, 1, 1, 1, 1, 0].map((priority, i) =>
      limited.chat({ ...request, priority }).then(() => order.push(priority === 0 ? 'urgent' : `batch${i}`)),
    );
    await Promise.all(calls);
    expect(sim.stats().maxConcurrentSeen).toBeLessThanOrEqual(2);
    // The urgent call was queued last but overtakes the batch calls still waiting.
    expect(order.indexOf('urgent')).toBeLessThan(4);
    await limited.close();
  });

  it('reports a refused connection as network', async () => {
    const closed = await startSimulatorServer({ port: 0, config: fast() });
    const url = closed.url;
    await closed.close();
    const nowhere = new OpenAICompatibleClient({ baseUrl: url });
    const error = await failure(nowhere.chat(request));
    expect(error.code).toBe('network');
    expect(error.message).toContain('ECONNREFUSED');
    await nowhere.close();
  });
});

describe('OpenAICompatibleClient against servers that leave things out', () => {
  const reply = (usage: boolean) => ({
    id: 'c1',
    object: 'chat.completion',
    created: 1,
    model: 'TeleChat2-35B',
    choices: [{ index: 0, message: { role: 'assistant', content: '您好，宽带故障已登记。', reasoning_content: '先确认问题' }, finish_reason: 'stop' }],
    ...(usage ? { usage: { prompt_tokens: 40, completion_tokens: 9, total_tokens: 49 } } : {}),
  });

  it('counts tokens itself when no usage comes back, and says so; takes the reasoning field apart', async () => {
    const mock = await startMockOpenAI();
    const plain = new OpenAICompatibleClient({ baseUrl: mock.url });
    try {
      mock.replies = [reply(false), reply(true)];
      const estimated = await plain.chat(request);
      expect(estimated).toMatchObject({ text: '您好，宽带故障已登记。', reasoning: '先确认问题', usageEstimated: true, finishReason: 'stop' });
      expect(estimated.promptTokens).toBeGreaterThan(10);
      expect(estimated.completionTokens).toBeGreaterThan(5);
      const reported = await plain.chat(request);
      expect(reported).toMatchObject({ promptTokens: 40, completionTokens: 9 });
      expect(reported.usageEstimated).toBeUndefined();
    } finally {
      await plain.close();
      await mock.close();
    }
  });

  it('asks again without stream_options when a server refuses it, and remembers', async () => {
    const mock = await startMockOpenAI();
    mock.rejectStreamOptions = true;
    const streaming = new OpenAICompatibleClient({ baseUrl: mock.url });
    try {
      mock.replies = [reply(true), reply(true)];
      const first = await streaming.chat({ ...request, stream: true });
      expect(first).toMatchObject({ text: '您好，宽带故障已登记。', reasoning: '先确认问题', usageEstimated: true });
      await streaming.chat({ ...request, stream: true });
      expect(mock.requests.map((r) => r.stream_options !== undefined)).toEqual([true, false, false]);
    } finally {
      await streaming.close();
      await mock.close();
    }
  });
});

/** A server whose every reply is written by `write`, for replies no well-behaved server sends. */
async function rawServer(write: (res: ServerResponse) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => write(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) => `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;

describe('OpenAICompatibleClient against replies no server should send', () => {
  it('reads past empty events, a mixed-case content type and a non-string reasoning field; ends at [DONE] though the server lingers', async () => {
    const server = await rawServer((res) => {
      res.writeHead(200, { 'content-type': 'Text/Event-Stream; charset=utf-8' });
      res.write(': keep-alive\n\ndata:\n\nevent: ping\ndata: \n\n');
      res.write(chunk({ content: '宽带', reasoning: { steps: 3 } }));
      res.write(chunk({ content: '已登记' }, { usage: { prompt_tokens: 5, completion_tokens: 2 } }));
      res.write('data: [DONE]\n\n');
      // …and never ends the response.
    });
    const c = new OpenAICompatibleClient({ baseUrl: server.url, timeoutMs: 5000 });
    try {
      const reply = await c.chat({ ...request, stream: true });
      expect(reply).toMatchObject({ text: '宽带已登记', promptTokens: 5, completionTokens: 2 });
      expect(reply.reasoning).toBeUndefined();
    } finally {
      await c.close();
      await server.close();
    }
  });

  it('stops reading a reply larger than its cap (reply_too_large), streamed or not, and a huge error body', async () => {
    const big = 'x'.repeat(64 * 1024);
    const endless = await rawServer((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: ');
      const timer = setInterval(() => res.write(big), 1);
      res.on('close', () => clearInterval(timer));
    });
    const huge = await rawServer((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ message: { content: 'y'.repeat(2 * 1024 * 1024) }, finish_reason: 'stop' }] }));
    });
    const error = await rawServer((res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('z'.repeat(4 * 1024 * 1024));
    });
    const capped = (url: string) => new OpenAICompatibleClient({ baseUrl: url, timeoutMs: 5000, maxReplyBytes: 1024 * 1024 });
    const clients = [capped(endless.url), capped(huge.url), capped(error.url)];
    try {
      expect(await failure(clients[0].chat({ ...request, stream: true }))).toMatchObject({ code: 'reply_too_large', retryable: false });
      expect(await failure(clients[1].chat(request))).toMatchObject({ code: 'reply_too_large' });
      const serverError = await failure(clients[2].chat(request));
      expect(serverError).toMatchObject({ code: 'server_error', status: 500 });
      expect(serverError.message.length).toBeLessThan(1000);
    } finally {
      for (const c of clients) await c.close();
      await Promise.all([endless.close(), huge.close(), error.close()]);
    }
  });

  it('a mid-stream error given as text is a server_error', async () => {
    const server = await rawServer((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`${chunk({ content: '宽' })}data: ${JSON.stringify({ error: 'CUDA out of memory' })}\n\n`);
    });
    const c = new OpenAICompatibleClient({ baseUrl: server.url });
    try {
      const error = await failure(c.chat({ ...request, stream: true }));
      expect(error).toMatchObject({ code: 'server_error' });
      expect(error.message).toContain('CUDA out of memory');
    } finally {
      await c.close();
      await server.close();
    }
  });
});
