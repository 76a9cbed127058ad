/**
 * Sign-in throttling, after rate-limiter-flexible's "login endpoint protection" pattern (memory store):
 * - consecutive failures per (account, client address): the pair is refused after
 *   `maxFailuresPerName` of them, so an attacker blocks only their own address for that account;
 * - failures per client address, whatever the names (`maxFailuresPerAddress`): slows a sweep of names;
 * - failures per account from every address together (`maxFailuresPerAccount`, high): slows a
 *   guesser spread over many addresses without letting one address lock the account out.
 * Every attempt is counted *before* its password is checked (consume first), so requests in flight
 * together cannot all pass a check made before any of them failed; a success gives the points back
 * (the pair's count is deleted: it counts consecutive failures). The account is the login name's
 * normalised key ({@link nameKey}), which names exactly one account. Counts live in memory: a restart
 * forgets them, and so does each process of a cluster.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { AuthConfig } from './auth-config.js';

/** Whether an attempt may go ahead; when not, how long to wait, whole seconds (at least 1). */
export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

function retryAfter(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * Consumes one point from each `[limiter, key]`; refused when any is over its limit (the longest wait
 * wins). A refused attempt gives every point back, as it checks no password: a flood that one address's
 * pair limit refuses must not use up the account's count across addresses (that would lock its owner
 * out cheaply).
 */
async function consumeAll(entries: ReadonlyArray<readonly [RateLimiterMemory, string]>): Promise<ThrottleVerdict> {
  const results = await Promise.allSettled(entries.map(([limiter, key]) => limiter.consume(key)));
  let waitMs = 0;
  for (const r of results) {
    if (r.status === 'fulfilled') continue;
    if (!(r.reason instanceof RateLimiterRes)) throw r.reason;
    waitMs = Math.max(waitMs, r.reason.msBeforeNext);
  }
  if (waitMs === 0) return { allowed: true };
  // rate-limiter-flexible's memory store counts a refused consume too: every point goes back.
  await Promise.all(entries.map(([limiter, key]) => limiter.reward(key, 1)));
  return { allowed: false, retryAfterSeconds: retryAfter(waitMs) };
}

/** Sign-in attempts per account and client address (see the module's comment). */
export class LoginThrottle {
  private readonly byPair: RateLimiterMemory;
  private readonly byAddress: RateLimiterMemory;
  private readonly byAccount: RateLimiterMemory;

  constructor(config: Pick<AuthConfig, 'maxFailuresPerName' | 'maxFailuresPerAddress' | 'maxFailuresPerAccount' | 'windowSeconds'>) {
    const duration = config.windowSeconds;
    this.byPair = new RateLimiterMemory({ keyPrefix: 'login-pair', points: config.maxFailuresPerName, duration });
    this.byAddress = new RateLimiterMemory({ keyPrefix: 'login-address', points: config.maxFailuresPerAddress, duration });
    this.byAccount = new RateLimiterMemory({ keyPrefix: 'login-account', points: config.maxFailuresPerAccount, duration });
  }

  /**
   * Counts an attempt at `account` (a normalised name key) from `address`, before its password is
   * checked; refused once any of the three counts is over its limit.
   */
  attempt(account: string, address: string): Promise<ThrottleVerdict> {
    return consumeAll([
      [this.byPair, JSON.stringify([account, address])],
      [this.byAddress, address],
      [this.byAccount, account],
    ]);
  }

  /** The attempt was never checked (the server was too busy): its points are given back. */
  async refund(account: string, address: string): Promise<void> {
    await Promise.all([this.byPair.reward(JSON.stringify([account, address]), 1), this.byAddress.reward(address, 1), this.byAccount.reward(account, 1)]);
  }

  /** The attempt succeeded: the pair's consecutive failures start again, and the other counts get their point back. */
  async succeeded(account: string, address: string): Promise<void> {
    await Promise.all([this.byPair.delete(JSON.stringify([account, address])), this.byAddress.reward(address, 1), this.byAccount.reward(account, 1)]);
  }
}

/**
 * Guesses at a signed-in user's current password (`POST /api/auth/password`): `maxFailures` per user per
 * window, counted before the check; a right password starts the count again.
 */
export class PasswordChangeThrottle {
  private readonly byUser: RateLimiterMemory;

  constructor(config: Pick<AuthConfig, 'maxFailuresPerName' | 'windowSeconds'>) {
    this.byUser = new RateLimiterMemory({ keyPrefix: 'password-change', points: config.maxFailuresPerName, duration: config.windowSeconds });
  }

  /** Counts an attempt by the user with this id. */
  attempt(userId: string): Promise<ThrottleVerdict> {
    return consumeAll([[this.byUser, userId]]);
  }

  /** The current password was right: the count starts again. */
  async succeeded(userId: string): Promise<void> {
    await this.byUser.delete(userId);
  }
}
