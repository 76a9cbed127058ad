import { describe, expect, it } from 'vitest';
import { fast, simulatorConfig } from './config.js';
import { CapacityGate, QueueFullError, chunkText, perTokenDelayMs } from './latency.js';

describe('latency model', () => {
  it('slows per-token time with load', () => {
    const config = simulatorConfig({ perTokenMs: 20, capacity: 10, loadFactor: 0.5 });
    expect(perTokenDelayMs(config, 1)).toBe(20);
    expect(perTokenDelayMs(config, 11)).toBe(30);
    expect(perTokenDelayMs(fast(), 50)).toBe(0);
  });

  it('splits text into a few pieces without breaking characters', () => {
    expect(chunkText('您好，请问有什么可以帮您', 4).join('')).toBe('您好，请问有什么可以帮您');
    expect(chunkText('abc', 10)).toEqual(['a', 'b', 'c']);
    expect(chunkText('😀😀', 2)).toEqual(['😀', '😀']);
  });

  it('serves FIFO within capacity, drops aborted waiters and refuses beyond maxQueue', async () => {
    const gate = new CapacityGate(() => ({ capacity: 1, maxQueue: 2 }));
    expect(gate.tryAcquire()).toBe(true);
    const order: string[] = [];
    const controller = new AbortController();
    const a = gate.acquire(controller.signal).then(() => order.push('a'), () => order.push('a aborted'));
    const b = gate.acquire().then(() => order.push('b'));
    await expect(gate.acquire()).rejects.toBeInstanceOf(QueueFullError);
    controller.abort();
    await a;
    expect(gate.queued).toBe(1);
    gate.release();
    await b;
    expect(order).toEqual(['a aborted', 'b']);
    expect(gate.active).toBe(1);
    expect(gate.maxActiveSeen).toBe(1);
  });
});
