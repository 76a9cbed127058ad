/** The per-key token bucket, alone (one server) and split among servers. */
import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit.js';

function admitted(limiter: RateLimiter, n: number, perMinute: number, id = 'k'): number {
  let ok = 0;
  for (let i = 0; i < n; i++) if (limiter.take(id, perMinute).ok) ok++;
  return ok;
}

describe('the /v1 rate limiter', () => {
  it('admits a full bucket, then one a refill, and says when to retry', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    expect(admitted(limiter, 100, 60)).toBe(60);
    expect(limiter.take('k', 60)).toEqual({ ok: false, retryAfterSeconds: 1 });
    now += 10_000;
    expect(admitted(limiter, 100, 60)).toBe(10);
    expect(admitted(limiter, 100, 60, 'other')).toBe(60);
  });

  it('split among three servers holds a third of the limit and refills a third as fast', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    limiter.setServers(3);
    expect(admitted(limiter, 100, 60)).toBe(20);
    const refused = limiter.take('k', 60);
    expect(refused).toEqual({ ok: false, retryAfterSeconds: 3 });
    now += 30_000;
    expect(admitted(limiter, 100, 60)).toBe(10);
  });

  it('keeps at least one token per server for a limit below the server count', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    limiter.setServers(4);
    expect(admitted(limiter, 10, 2)).toBe(1);
    now += 60_000;
    expect(admitted(limiter, 10, 2)).toBe(0);
    now += 60_000;
    expect(admitted(limiter, 10, 2)).toBe(1);
  });

  it('does not refill a bucket when a server joins: what it held is cut to the new share', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    expect(admitted(limiter, 10, 60)).toBe(10);
    limiter.setServers(2);
    expect(admitted(limiter, 100, 60)).toBe(30);
    // Time passed while split refills at the split rate (one token per 2 s here).
    limiter.setServers(1);
    now += 2000;
    expect(admitted(limiter, 100, 60)).toBe(1);
  });
});
