import { describe, expect, it } from 'vitest';
import { FairQueue } from './sandbox-queue.js';

/** Takes every job that can start now, in order, as `key:item`. */
function takeAll(queue: FairQueue<string>): string[] {
  const taken: string[] = [];
  for (let next = queue.take(); next; next = queue.take()) taken.push(`${next.key}:${next.item}`);
  return taken;
}

describe('FairQueue', () => {
  it('takes turns between scenarios instead of serving the first one to fill the line', () => {
    const queue = new FairQueue<string>(10);
    for (const item of ['a1', 'a2', 'a3', 'a4']) queue.push('A', item);
    queue.push('B', 'b1');
    queue.push('C', 'c1');
    queue.push('B', 'b2');
    expect(takeAll(queue)).toEqual(['A:a1', 'B:b1', 'C:c1', 'A:a2', 'B:b2', 'A:a3', 'A:a4']);
    expect(queue.size).toBe(0);
    expect(queue.active).toBe(7);
  });

  it('serves a newcomer before a scenario that has just had a turn', () => {
    const queue = new FairQueue<string>(1);
    queue.push('A', 'a1');
    expect(queue.take()).toEqual({ key: 'A', item: 'a1' });
    queue.push('A', 'a2');
    queue.push('A', 'a3');
    queue.push('B', 'b1');
    // One worker, held by a1: when it frees, b1 (never served) goes before a2 (A was served last).
    queue.release('A');
    expect(queue.take()).toEqual({ key: 'B', item: 'b1' });
    expect(queue.take()).toEqual({ key: 'A', item: 'a2' });
  });

  it('never lets one scenario run more than its share, and counts what could start', () => {
    const queue = new FairQueue<string>(2);
    for (const item of ['a1', 'a2', 'a3']) queue.push('A', item);
    queue.push('B', 'b1');
    expect(queue.startable()).toBe(3);
    expect(takeAll(queue)).toEqual(['A:a1', 'B:b1', 'A:a2']);
    expect(queue.startable()).toBe(0);
    expect(queue.size).toBe(1);
    queue.release('A');
    expect(queue.startable()).toBe(1);
    expect(takeAll(queue)).toEqual(['A:a3']);
  });

  it('prefers the scenario with fewer jobs running', () => {
    const queue = new FairQueue<string>(3);
    queue.push('A', 'a1');
    queue.push('A', 'a2');
    expect(takeAll(queue)).toEqual(['A:a1', 'A:a2']);
    queue.push('A', 'a3');
    queue.push('B', 'b1');
    queue.push('B', 'b2');
    // A has two running and B none: B goes first, then they alternate by running count.
    expect(takeAll(queue)).toEqual(['B:b1', 'B:b2', 'A:a3']);
  });

  it("puts a scenario's live jobs (priority 0) before its batch jobs (priority 1), first come first served within each", () => {
    const queue = new FairQueue<string>(1);
    queue.push('A', 'batch1', 1);
    queue.push('A', 'batch2', 1);
    queue.push('A', 'live1');
    queue.push('A', 'batch3', 1);
    queue.push('A', 'live2', 0);
    const order: string[] = [];
    for (let next = queue.take(); next; next = queue.take()) {
      order.push(next.item);
      queue.release(next.key);
    }
    expect(order).toEqual(['live1', 'live2', 'batch1', 'batch2', 'batch3']);
  });

  it('removes a waiting job (cancelled or timed out) and drains the rest', () => {
    const queue = new FairQueue<string>(1);
    queue.push('A', 'a1');
    queue.push('A', 'a2');
    queue.push('B', 'b1');
    expect(queue.remove('A', 'a2')).toBe(true);
    expect(queue.remove('A', 'a2')).toBe(false);
    expect(queue.remove('C', 'x')).toBe(false);
    expect(queue.size).toBe(2);
    expect(queue.drain().sort()).toEqual(['a1', 'b1']);
    expect(queue.size).toBe(0);
    expect(queue.take()).toBeUndefined();
  });

  it('refuses a share below one', () => {
    expect(() => new FairQueue(0)).toThrow(RangeError);
  });
});
