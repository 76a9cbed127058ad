import { describe, expect, it } from 'vitest';
import { ModelError, type ChatRequest } from '../model/types.js';
import { SimulatorClient } from './client.js';
import { fast } from './config.js';

const request: ChatRequest = { model: 'qwen', messages: [{ role: 'user', content: '客户：我要查询话费余额' }] };

async function failure(client: SimulatorClient, req: ChatRequest = request): Promise<ModelError> {
  try {
    await client.chat(req);
  } catch (error) {
    if (error instanceof ModelError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('SimulatorClient', () => {
  it('answers in process, naming itself', async () => {
    const client = new SimulatorClient(fast());
    const reply = await client.chat(request);
    expect(client.name).toBe('simulator');
    expect(reply.model).toBe('mofang-simulator');
    expect(reply.text).toContain('模拟器');
    expect(reply.completionTokens).toBeGreaterThan(0);
    expect(client.supportsJsonSchema).toBe(true);
    expect(new SimulatorClient(fast({ supportsJsonSchema: false })).supportsJsonSchema).toBe(false);
  });

  it('streams the text in a few deltas', async () => {
    const deltas: string[] = [];
    const reply = await new SimulatorClient(fast()).chat({ ...request, stream: true, onDelta: (d) => deltas.push(d) });
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(reply.text);
  });

  it('maps faults to ModelError codes', async () => {
    expect((await failure(new SimulatorClient(fast({ errorRate: 1 })))).code).toBe('server_error');
    const limited = await failure(new SimulatorClient(fast({ rateLimitRate: 1, retryAfterSeconds: 2 })));
    expect(limited.code).toBe('rate_limited');
    expect(limited.retryAfterMs).toBe(2000);
    expect((await failure(new SimulatorClient(fast({ malformedRate: 1 })))).code).toBe('malformed_response');
    const hang = new SimulatorClient(fast({ timeoutRate: 1 }));
    expect((await failure(hang, { ...request, timeoutMs: 30 })).code).toBe('timeout');
    expect(hang.simulator.stats().active).toBe(0);
    const content = await new SimulatorClient(fast({ malformedRate: 1, malformedMode: 'content' })).chat({
      ...request,
      responseFormat: { type: 'json_object' },
    });
    expect(() => JSON.parse(content.text)).toThrow();
  });

  it('injects faults reproducibly for a given seed', async () => {
    const outcomes = async (seed: number) => {
      const client = new SimulatorClient(fast({ errorRate: 0.5, seed }));
      const codes: string[] = [];
      for (let i = 0; i < 20; i++) codes.push(await client.chat(request).then(() => 'ok', (e: unknown) => (e instanceof ModelError ? e.code : 'other')));
      return codes;
    };
    const first = await outcomes(7);
    expect(await outcomes(7)).toEqual(first);
    expect(first).toContain('ok');
    expect(first).toContain('server_error');
  });

  it('rejects an aborted call and frees its capacity slot', async () => {
    const client = new SimulatorClient({ ttftMs: 5000, perTokenMs: 0, capacity: 1 });
    const controller = new AbortController();
    const pending = client.chat({ ...request, signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(client.simulator.stats().active).toBe(1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    expect(client.simulator.stats().active).toBe(0);
    // A hung call aborted by its signal frees its slot too.
    const hang = new SimulatorClient(fast({ timeoutRate: 1, capacity: 1 }));
    const c2 = new AbortController();
    const hung = hang.chat({ ...request, signal: c2.signal });
    c2.abort();
    await expect(hung).rejects.toMatchObject({ code: 'aborted' });
    expect(hang.simulator.stats().active).toBe(0);
  });

  it('queues beyond capacity: with capacity 1 two calls finish one after the other', async () => {
    const client = new SimulatorClient({ ttftMs: 50, perTokenMs: 0, capacity: 1 });
    const order: string[] = [];
    const a = client.chat(request).then(() => order.push('a'));
    const b = client.chat({ ...request, messages: [{ role: 'user', content: 'second' }] }).then(() => order.push('b'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(client.simulator.stats()).toMatchObject({ active: 1, queued: 1 });
    await Promise.all([a, b]);
    expect(order).toEqual(['a', 'b']);
    expect(client.simulator.stats().maxConcurrentSeen).toBe(1);
  });

  it('answers 429 when the queue is full', async () => {
    const client = new SimulatorClient({ ttftMs: 30, perTokenMs: 0, capacity: 1, maxQueue: 0 });
    const results = await Promise.allSettled([client.chat(request), client.chat(request)]);
    expect(results[0].status).toBe('fulfilled');
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { code: 'rate_limited' } });
  });
});
