import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fast } from './config.js';
import { startSimulatorServer, type SimulatorServer } from './server.js';

let sim: SimulatorServer;
const body = { model: 'qwen', messages: [{ role: 'user', content: '客户：我要办理宽带报修' }] };

beforeAll(async () => {
  sim = await startSimulatorServer({ port: 0, config: fast() });
});
afterAll(async () => {
  await sim.close();
});

function post(path: string, payload: unknown, method = 'POST') {
  return fetch(`${sim.url.replace(/\/v1$/, '')}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: 'Bearer anything' },
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
}

describe('simulator server', () => {
  it('listens on 127.0.0.1 and names itself', async () => {
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const res = await fetch(sim.url.replace(/\/v1$/, '/health'));
    expect(res.headers.get('x-mofang-simulator')).toBe('1');
    expect(await res.json()).toMatchObject({ status: 'ok' });
    const models = await (await fetch(`${sim.url}/models`)).json();
    expect(models).toMatchObject({ object: 'list', data: [{ id: 'mofang-simulator' }] });
  });

  it('answers a chat completion in the OpenAI wire format', async () => {
    const res = await post('/v1/chat/completions', body);
    expect(res.status).toBe(200);
    const json = await res.json();
    expect(json).toMatchObject({
      object: 'chat.completion',
      model: 'mofang-simulator',
      system_fingerprint: 'mofang-simulator',
      choices: [{ index: 0, message: { role: 'assistant' }, finish_reason: 'stop' }],
    });
    expect(json.choices[0].message.content).toContain('模拟器');
    expect(json.usage.total_tokens).toBe(json.usage.prompt_tokens + json.usage.completion_tokens);
  });

  it('streams SSE chunks with a usage chunk and [DONE]', async () => {
    const res = await post('/v1/chat/completions', { ...body, stream: true, stream_options: { include_usage: true } });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const lines = (await res.text()).split('\n').filter((l) => l.startsWith('data: '));
    expect(lines.at(-1)).toBe('data: [DONE]');
    const chunks = lines.slice(0, -1).map((l) => JSON.parse(l.slice(6)));
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.at(-1).usage.completion_tokens).toBeGreaterThan(0);
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    expect(text).toContain('模拟器');
  });

  it('rejects bad bodies with 400 invalid_request_error', async () => {
    const notJson = await post('/v1/chat/completions', '{oops');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    const noMessages = await post('/v1/chat/completions', { model: 'x', messages: [] });
    expect(noMessages.status).toBe(400);
    expect((await post('/nowhere', {})).status).toBe(404);
  });

  it('changes settings live through PUT /sim/config and reports stats', async () => {
    const bad = await post('/sim/config', { capacity: 0 }, 'PUT');
    expect(bad.status).toBe(400);
    const ok = await post('/sim/config', { rateLimitRate: 1, retryAfterSeconds: 3 }, 'PUT');
    expect(await ok.json()).toMatchObject({ rateLimitRate: 1, capacity: 64 });
    const limited = await post('/v1/chat/completions', body);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    await post('/sim/config', { rateLimitRate: 0 }, 'PUT');
    const stats = await (await fetch(sim.url.replace(/\/v1$/, '/sim/stats'))).json();
    expect(stats).toMatchObject({ active: 0, queued: 0, faults: { rate_limited: 1 } });
    expect(stats.requests).toBeGreaterThanOrEqual(3);
  });
});
