/**
 * Sign-in throttling: failed attempts are counted per login name and per client address in fixed
 * windows (rate-limiter-flexible's memory store); once either count reaches its limit, further attempts
 * are refused until the window ends, before any password is checked. A success clears the name's count.
 * Counts live in memory: a restart forgets them, and so does each process of a cluster.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { AuthConfig } from './auth-config.js';

/** Whether an attempt may go ahead; when not, how long to wait, whole seconds (at least 1). */
export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class LoginThrottle {
  private readonly byName: RateLimiterMemory;
  private readonly byAddress: RateLimiterMemory;
  private readonly limits: { name: number; address: number };

  constructor(config: Pick<AuthConfig, 'maxFailuresPerName' | 'maxFailuresPerAddress' | 'windowSeconds'>) {
    this.limits = { name: config.maxFailuresPerName, address: config.maxFailuresPerAddress };
    this.byName = new RateLimiterMemory({ keyPrefix: 'login-name', points: config.maxFailuresPerName, duration: config.windowSeconds });
    this.byAddress = new RateLimiterMemory({ keyPrefix: 'login-address', points: config.maxFailuresPerAddress, duration: config.windowSeconds });
  }

  /** Whether `name` from `address` may try a password now (names compare case-insensitively). */
  async check(name: string, address: string): Promise<ThrottleVerdict> {
    const [byName, byAddress] = await Promise.all([this.byName.get(name.toLowerCase()), this.byAddress.get(address)]);
    let waitMs = 0;
    if (byName && byName.consumedPoints >= this.limits.name) waitMs = Math.max(waitMs, byName.msBeforeNext);
    if (byAddress && byAddress.consumedPoints >= this.limits.address) waitMs = Math.max(waitMs, byAddress.msBeforeNext);
    return waitMs > 0 ? { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) } : { allowed: true };
  }

  /** Counts a failed attempt against the name and the address. */
  async failed(name: string, address: string): Promise<void> {
    await Promise.all([swallowLimit(this.byName.consume(name.toLowerCase())), swallowLimit(this.byAddress.consume(address))]);
  }

  /** Clears the name's failures after a successful sign-in. */
  async succeeded(name: string): Promise<void> {
    await this.byName.delete(name.toLowerCase());
  }
}

/** consume() rejects with a RateLimiterRes once over the limit: that is expected here, anything else is not. */
async function swallowLimit(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
  }
}
