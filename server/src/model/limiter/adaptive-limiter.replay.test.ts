/**
 * Replays of what strangled live calls, on an injected clock (Vitest's fake timers stand in for
 * setTimeout, Date and performance.now), so seconds of traffic run in milliseconds and the same way
 * every time.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatRequest, ChatResponse, ModelClient } from '../types.js';
import { LimitedModelClient } from './limited-client.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * An inference server with room for everyone (no queue of its own): the first token comes after
 * `firstTokenMs(promptChars)`, decoding takes `decodeMs`. `latency` can be changed mid-run.
 */
class Endpoint implements ModelClient {
  readonly name = 'replay';
  readonly supportsJsonSchema = true;
  completions: number[] = [];
  maxActive = 0;
  private active = 0;
  constructor(public firstTokenMs: (promptChars: number) => number, public decodeMs = 0) {}

  async chat(request: ChatRequest): Promise<ChatResponse> {
    const chars = request.messages.reduce((n, m) => n + m.content.length, 0);
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    await sleep(this.firstTokenMs(chars));
    request.onFirstToken?.();
    if (this.decodeMs > 0) await sleep(this.decodeMs);
    this.active -= 1;
    this.completions.push(Date.now());
    return { text: 'ok', model: 'replay', promptTokens: Math.ceil(chars / 2), completionTokens: 8, finishReason: 'stop' };
  }
}

const prompt = (chars: number) => ({ model: 'm', messages: [{ role: 'user' as const, content: '问'.repeat(chars) }] });

/** Runs `n` live calls at once and resolves with the time the last one took, ms. */
async function burst(client: ModelClient, n: number, chars: number): Promise<number> {
  const started = Date.now();
  await Promise.all(Array.from({ length: n }, () => client.chat(prompt(chars))));
  return Date.now() - started;
}

/** Lets fake time run until the promise settles. */
async function settle<T>(promise: Promise<T>, stepMs = 10): Promise<T> {
  let done = false;
  const watched = promise.finally(() => (done = true));
  while (!done) await vi.advanceTimersByTimeAsync(stepMs);
  return watched;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

// Simulated time is exact, but simulating tens of seconds of traffic costs real CPU: a loaded 2-core
// machine needs more than the default 20 s for the longest replay.
describe('the adaptive limit never strangles live calls (replays)', { timeout: 120_000 }, () => {
  it('12 live calls finish in about one model latency, before and after short- and long-prompt calls', async () => {
    // 50 ms plus prefill: a 2,000-character prompt gets its first token after 800 ms, an 8,000 one after 3 s.
    const endpoint = new Endpoint((chars) => 50 + chars * 0.375, 100);
    const client = new LimitedModelClient(endpoint, { initialLimit: 16 });
    const latency = 800 + 100;
    expect(await settle(burst(client, 12, 2000))).toBeLessThanOrEqual(latency * 1.2);
    // What used to teach the limiter a 50 ms "normal" and then read every medium prompt as congestion.
    await settle(
      (async () => {
        for (let i = 0; i < 30; i++) await client.chat(prompt(i % 5 === 4 ? 8000 : 150));
        await Promise.all(Array.from({ length: 4 }, () => client.chat(prompt(8000))));
      })(),
    );
    for (let round = 0; round < 3; round++) expect(await settle(burst(client, 12, 2000))).toBeLessThanOrEqual(latency * 1.2);
    expect(client.limiter.limit).toBeGreaterThanOrEqual(12);
  });

  it('after the endpoint slows for good (≈0 → 200 ms), live throughput is back at 90% of ideal within 10 s', async () => {
    const endpoint = new Endpoint(() => 2);
    const client = new LimitedModelClient(endpoint, { initialLimit: 16 });
    const shiftAt = Date.now() + 3000;
    const until = shiftAt + 20_000;
    const clients = Array.from({ length: 64 }, async () => {
      while (Date.now() < until) await client.chat(prompt(300));
    });
    await settle(
      (async () => {
        await vi.advanceTimersByTimeAsync(shiftAt - Date.now());
        endpoint.firstTokenMs = () => 200;
        await Promise.all(clients);
      })(),
      100,
    );
    // 64 callers, each waiting 200 ms per call: 320 calls a second is all there is.
    const ideal = 64 / 0.2;
    const perSecond = (from: number) => endpoint.completions.filter((t) => t >= from && t < from + 1000).length;
    const recovered = Array.from({ length: 19 }, (_, i) => shiftAt + 1000 * (i + 1)).find((t) => {
      for (let s = t; s + 1000 <= until; s += 1000) if (perSecond(s) < 0.9 * ideal) return false;
      return true;
    });
    expect(recovered).toBeDefined();
    expect((recovered ?? Infinity) - shiftAt).toBeLessThanOrEqual(10_000);
    expect(client.limiter.limit).toBeGreaterThanOrEqual(64);
  });

  it('a true queue still shrinks the limit: 128 batch callers on room for 32 calls keep its queue short', async () => {
    let active = 0;
    let waiting = 0;
    let maxWaiting = 0;
    const room: Array<() => void> = [];
    const queueing: ModelClient = {
      name: 'queueing',
      supportsJsonSchema: true,
      async chat(request) {
        if (active >= 32) {
          waiting += 1;
          maxWaiting = Math.max(maxWaiting, waiting);
          await new Promise<void>((resolve) => room.push(resolve));
          waiting -= 1;
        }
        active += 1;
        await sleep(100);
        request.onFirstToken?.();
        await sleep(200);
        active -= 1;
        room.shift()?.();
        return { text: 'ok', model: 'q', promptTokens: 1, completionTokens: 8 };
      },
    };
    const client = new LimitedModelClient(queueing, { initialLimit: 16 });
    const until = Date.now() + 60_000;
    const settled = setTimeout(() => (maxWaiting = 0), 20_000);
    await settle(Promise.all(Array.from({ length: 128 }, async () => {
      while (Date.now() < until) await client.chat({ ...prompt(300), priority: 1 });
    })), 100);
    clearTimeout(settled);
    expect(client.limiter.limit).toBeGreaterThanOrEqual(28);
    expect(client.limiter.limit).toBeLessThanOrEqual(48);
    expect(maxWaiting).toBeLessThanOrEqual(16);
  });

  it('after a quiet spell the limit probes upward again: a burst is not held to what an old queue left', async () => {
    const endpoint = new Endpoint(() => 300);
    const client = new LimitedModelClient(endpoint, { initialLimit: 4, minLimit: 1 });
    // Squeezed by 429s earlier, say: the limit is at its floor.
    for (let i = 0; i < 5; i++) {
      const permit = await client.limiter.acquire(1);
      permit.release({ kind: 'drop', reason: 'rate_limited', retryAfterMs: 0 });
    }
    expect(client.limiter.limit).toBeLessThan(4);
    await vi.advanceTimersByTimeAsync(10_000);
    // Slow start again from where it began: 12 calls take two round trips, not twelve.
    expect(await settle(burst(client, 12, 300))).toBeLessThanOrEqual(3 * 300);
  });

  it('a mix of fast and slow first tokens (prefix-cache hits and misses) is not a queue: the limit does not collapse', async () => {
    for (const [fastShare, fastMs, slowMs] of [
      [0.5, 20, 600],
      [0.8, 20, 600],
      [0.5, 50, 500],
    ]) {
      // A seeded random mix (an LCG), the same every run.
      let seed = 42;
      const random = () => ((seed = (seed * 1664525 + 1013904223) % 4294967296) / 4294967296);
      const endpoint = new Endpoint(() => (random() < fastShare ? fastMs : slowMs));
      const client = new LimitedModelClient(endpoint, { initialLimit: 16 });
      const until = Date.now() + 20_000;
      await settle(
        Promise.all(
          Array.from({ length: 96 }, async () => {
            while (Date.now() < until) await client.chat({ ...prompt(300), priority: 1 });
          }),
        ),
        100,
      );
      // Everyone in flight all the time: 96 calls per mean latency.
      const ideal = 96 / ((fastShare * fastMs + (1 - fastShare) * slowMs) / 1000);
      const lastTen = endpoint.completions.filter((t) => t >= until - 10_000).length / 10;
      expect(lastTen, `${fastShare} at ${fastMs} ms, the rest at ${slowMs} ms`).toBeGreaterThan(0.8 * ideal);
      expect(client.limiter.limit).toBeGreaterThanOrEqual(64);
    }
  });
});
