import { describe, expect, it, vi } from 'vitest';
import { ModelError, type ChatRequest, type ChatResponse, type ModelClient } from '../types.js';
import { AdaptiveLimiter } from './adaptive-limiter.js';
import { LimitedModelClient } from './limited-client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * An endpoint with a fixed capacity: `capacity` calls are served at once in `serviceMs` each; the rest
 * wait FIFO (mode `queue`) or are refused with a 429 and Retry-After (mode `refuse`).
 */
class FixedCapacityEndpoint implements ModelClient {
  readonly name = 'fake';
  readonly supportsJsonSchema = true;
  active = 0;
  maxActive = 0;
  completed = 0;
  refused = 0;
  queued = 0;
  maxQueued = 0;
  refusals: number[] = [];
  starts: Array<{ at: number; priority: number }> = [];
  private readonly waiting: Array<() => void> = [];
  constructor(
    private readonly capacity: number,
    private readonly serviceMs: number,
    private readonly mode: 'queue' | 'refuse' = 'queue',
    private readonly retryAfterMs = 200,
  ) {}

  async chat(request: ChatRequest): Promise<ChatResponse> {
    this.starts.push({ at: Date.now(), priority: request.priority ?? 0 });
    if (this.active >= this.capacity) {
      if (this.mode === 'refuse') {
        this.refused += 1;
        this.refusals.push(Date.now());
        throw new ModelError('rate_limited', 'fake: 429', { status: 429, retryAfterMs: this.retryAfterMs });
      }
      this.queued += 1;
      this.maxQueued = Math.max(this.maxQueued, this.queued);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      this.queued -= 1;
    }
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    await sleep(this.serviceMs);
    this.active -= 1;
    this.completed += 1;
    this.waiting.shift()?.();
    return { text: 'ok', model: 'fake', promptTokens: 1, completionTokens: 0 };
  }
}

/**
 * Runs `fn` on a simulated clock (Vitest's fake setTimeout, Date and performance.now), letting fake time
 * run until it settles: seconds of traffic take milliseconds and come out the same on a busy machine,
 * where real timers fire late and read as a slow endpoint.
 */
async function onSimulatedClock<T>(fn: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
  try {
    let done = false;
    const watched = fn().finally(() => (done = true));
    while (!done) await vi.advanceTimersByTimeAsync(5);
    return await watched;
  } finally {
    vi.useRealTimers();
  }
}

/** Keeps `workers` batch calls going until `ms` have passed. */
async function load(client: ModelClient, workers: number, ms: number, priority = 1): Promise<void> {
  const until = Date.now() + ms;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (Date.now() < until) {
        try {
          await client.chat({ model: 'm', messages: [], priority });
        } catch {
          // refused calls are counted by the endpoint
        }
      }
    }),
  );
}

describe('AdaptiveLimiter', () => {
  it('converges near a fixed-capacity endpoint: full throughput, bounded queueing', async () => {
    const endpoint = new FixedCapacityEndpoint(16, 25);
    const seconds = 3;
    const client = await onSimulatedClock(async () => {
      const limited = new LimitedModelClient(endpoint, { initialLimit: 2 });
      await load(limited, 200, seconds * 1000);
      return limited;
    });
    const limit = client.limiter.limit;
    expect(limit).toBeGreaterThanOrEqual(14);
    expect(limit).toBeLessThanOrEqual(48);
    // The endpoint's capacity is 16 / 25 ms = 640 calls/s; slow start costs the first few hundred ms.
    expect(endpoint.completed / seconds).toBeGreaterThan(0.8 * 640);
    // Without the limiter 184 of the 200 callers would queue at the endpoint; with it, a bounded few.
    expect(endpoint.maxQueued).toBeLessThanOrEqual(64);
  });

  it('backs off on 429 and pauses batch calls for the Retry-After', async () => {
    const endpoint = new FixedCapacityEndpoint(8, 20, 'refuse', 150);
    const client = await onSimulatedClock(async () => {
      const limited = new LimitedModelClient(endpoint, { initialLimit: 32 });
      await load(limited, 64, 1500);
      return limited;
    });
    expect(endpoint.refused).toBeGreaterThan(0);
    expect(client.limiter.limit).toBeLessThanOrEqual(16);
    expect(endpoint.refused).toBeLessThan(endpoint.completed / 2);
    // After a refusal, no batch call starts before its Retry-After has passed (a few ms of slack for
    // calls already past the limiter when the 429 arrived).
    for (const refusedAt of endpoint.refusals) {
      const early = endpoint.starts.filter((s) => s.at > refusedAt + 5 && s.at < refusedAt + 145);
      expect(early).toEqual([]);
    }
  });

  it('honours Retry-After: batch waits, live does not', async () => {
    let now = 1000;
    const limiter = new AdaptiveLimiter({ initialLimit: 4, reserve: 0, now: () => now });
    const first = await limiter.acquire(1);
    first.release({ kind: 'drop', reason: 'rate_limited', retryAfterMs: 5000 });
    expect(limiter.batchCapacity()).toBe(0);
    let batchStarted = false;
    void limiter.acquire(1).then(() => {
      batchStarted = true;
    });
    const live = await limiter.acquire(0);
    await sleep(5);
    expect(batchStarted).toBe(false);
    now += 5001;
    live.release({ kind: 'ok', latencyMs: 10 });
    await sleep(5);
    expect(batchStarted).toBe(true);
    limiter.close();
  });

  it('takes a lone refusal among many answers as a fault, and refusals that repeat as too much load', async () => {
    let now = 1000;
    const limiter = new AdaptiveLimiter({ initialLimit: 40, reserve: 0, now: () => now });
    for (let i = 0; i < 200; i++) (await limiter.acquire(1)).release({ kind: 'ok', latencyMs: 100, firstTokenMs: 50 });
    const before = limiter.limit;
    (await limiter.acquire(1)).release({ kind: 'drop', reason: 'rate_limited', retryAfterMs: 5000 });
    expect(limiter.limit).toBe(before);
    expect(limiter.batchCapacity()).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) (await limiter.acquire(0)).release({ kind: 'drop', reason: 'rate_limited', retryAfterMs: 5000 });
    expect(limiter.limit).toBeLessThan(before);
    expect(limiter.batchCapacity()).toBe(0);
    now += 5001;
    expect(limiter.batchCapacity()).toBeGreaterThan(0);
    limiter.close();
  });

  it('lets live calls overtake queued batch calls and keeps a slot in reserve for them', async () => {
    const limiter = new AdaptiveLimiter({ initialLimit: 4, reserve: 1 });
    const order: string[] = [];
    const batch = await Promise.all([limiter.acquire(1), limiter.acquire(1), limiter.acquire(1)]);
    expect(limiter.batchCapacity()).toBe(3);
    const queuedBatch = limiter.acquire(1).then((p) => {
      order.push('batch');
      return p;
    });
    // The reserved slot: a live call starts at once although batch calls are waiting.
    const live1 = await limiter.acquire(0);
    order.push('live1');
    const live2 = limiter.acquire(0).then((p) => {
      order.push('live2');
      return p;
    });
    await sleep(1);
    expect(order).toEqual(['live1']);
    // A freed slot goes to the waiting live call, not to the batch call that has waited longer.
    batch[0].release({ kind: 'ok', latencyMs: 10 });
    await sleep(1);
    expect(order).toEqual(['live1', 'live2']);
    (await live2).release({ kind: 'ok', latencyMs: 10 });
    live1.release({ kind: 'ok', latencyMs: 10 });
    await sleep(1);
    expect(order).toEqual(['live1', 'live2', 'batch']);
    (await queuedBatch).release({ kind: 'ok', latencyMs: 10 });
    batch[1].release({ kind: 'ignore' });
    batch[2].release({ kind: 'ignore' });
    expect(limiter.stats()).toMatchObject({ liveInFlight: 0, batchInFlight: 0, liveQueued: 0, batchQueued: 0 });
  });

  it('shrinks when latency rises well above the baseline', () => {
    const limiter = new AdaptiveLimiter({ initialLimit: 20 });
    const feed = async (latencyMs: number, n: number) => {
      const permits = await Promise.all(Array.from({ length: n }, () => limiter.acquire(0)));
      for (const p of permits) p.release({ kind: 'ok', latencyMs });
    };
    return (async () => {
      await feed(100, 20);
      const grown = limiter.limit;
      expect(grown).toBeGreaterThan(20);
      await feed(400, limiter.limit);
      expect(limiter.limit).toBeLessThan(grown);
    })();
  });

  it('times the first token: finds the capacity of an endpoint whose decoding slows under load, with little queueing', async () => {
    const unlimited = new StreamingEndpoint(16, 20, 30);
    await onSimulatedClock(() => load(unlimited, 120, 2000));
    const endpoint = new StreamingEndpoint(16, 20, 30);
    const client = await onSimulatedClock(async () => {
      const limited = new LimitedModelClient(endpoint, { initialLimit: 4 });
      // Slow start may overshoot once, as TCP's does; what matters is the queue once the limit has settled.
      const settled = setTimeout(() => (endpoint.maxQueued = 0), 700);
      await load(limited, 120, 2000);
      clearTimeout(settled);
      return limited;
    });
    // Saturated from the first call, the unlimited run is the endpoint's full throughput.
    expect(endpoint.completed).toBeGreaterThan(0.85 * unlimited.completed);
    expect(unlimited.maxQueued).toBeGreaterThan(90);
    expect(endpoint.maxQueued).toBeLessThanOrEqual(16);
    expect(client.limiter.limit).toBeGreaterThanOrEqual(14);
    expect(client.limiter.limit).toBeLessThanOrEqual(32);
  });
});

/**
 * Like an inference server: `capacity` calls decode at once, the rest wait FIFO; the first token comes
 * `firstTokenMs` after a call starts decoding, and decoding takes longer the more calls share the batch.
 */
class StreamingEndpoint implements ModelClient {
  readonly name = 'streaming-fake';
  readonly supportsJsonSchema = true;
  active = 0;
  queued = 0;
  maxQueued = 0;
  completed = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(
    private readonly capacity: number,
    private readonly firstTokenMs: number,
    private readonly decodeMs: number,
  ) {}

  async chat(request: ChatRequest): Promise<ChatResponse> {
    if (this.active >= this.capacity) {
      this.queued += 1;
      this.maxQueued = Math.max(this.maxQueued, this.queued);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      this.queued -= 1;
    }
    this.active += 1;
    await sleep(this.firstTokenMs);
    if (request.stream) request.onDelta?.('o');
    await sleep(this.decodeMs * (1 + (0.5 * (this.active - 1)) / this.capacity));
    this.active -= 1;
    this.completed += 1;
    this.waiting.shift()?.();
    return { text: 'ok', model: 'fake', promptTokens: 1, completionTokens: 20 };
  }
}
