/**
 * Two servers' clients of one endpoint (max_concurrency 20), each given its share for two servers, never
 * have more than 20 calls at the endpoint together, however much they are asked; one server alone grows to 20.
 */
import { describe, expect, it } from 'vitest';
import { LimitedModelClient } from '../model/limiter/limited-client.js';
import type { ChatRequest, ChatResponse, ModelClient } from '../model/types.js';
import { shareModelEndpoints } from './model-share.js';

/** An endpoint that answers every call after `ms`, counting the calls it holds at once. */
class CountingEndpoint implements ModelClient {
  readonly name = 'counting';
  readonly supportsJsonSchema = true;
  inFlight = 0;
  maxInFlight = 0;
  async chat(_request: ChatRequest): Promise<ChatResponse> {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setTimeout(r, 5));
    this.inFlight -= 1;
    return { text: 'ok', model: 'm', promptTokens: 1, completionTokens: 0 };
  }
}

const ask = (client: ModelClient, n: number) => Promise.all(Array.from({ length: n }, () => client.chat({ model: 'm', messages: [{ role: 'user', content: 'x' }] } as ChatRequest)));

describe('a model endpoint\'s concurrency shared by the servers', () => {
  it('keeps two servers together within the endpoint\'s max_concurrency', async () => {
    const endpoint = new CountingEndpoint();
    const [a, b] = [0, 1].map(() => new LimitedModelClient(endpoint, { maxLimit: 20, initialLimit: 16 }));
    shareModelEndpoints({ clients: () => [a as ModelClient, b as ModelClient] }, 2);
    expect([a?.limiter.limit, b?.limiter.limit]).toEqual([10, 10]);
    await Promise.all([ask(a as ModelClient, 300), ask(b as ModelClient, 300)]);
    expect(endpoint.maxInFlight).toBeLessThanOrEqual(20);
    expect(endpoint.maxInFlight).toBeGreaterThanOrEqual(18);
  });

  it('gives one server the whole of it, and takes a share back when servers go', async () => {
    const endpoint = new CountingEndpoint();
    const alone = new LimitedModelClient(endpoint, { maxLimit: 20, initialLimit: 16 });
    shareModelEndpoints({ clients: () => [alone] }, 1);
    await ask(alone, 300);
    expect(endpoint.maxInFlight).toBe(20);
    shareModelEndpoints({ clients: () => [alone] }, 3);
    expect(alone.limiter.limit).toBe(6);
    shareModelEndpoints({ clients: () => [alone] }, 1);
    endpoint.maxInFlight = 0;
    await ask(alone, 600);
    expect(endpoint.maxInFlight).toBeGreaterThan(6);
  });
});
