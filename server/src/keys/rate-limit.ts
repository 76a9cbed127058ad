/**
 * Per-key token buckets, in memory: a key limited to N requests a minute holds up to N tokens and gains
 * N/60 000 a millisecond. Simple enough that a library would add more than it saves.
 */

interface Bucket {
  tokens: number;
  updated: number;
  perMinute: number;
}

export type TakeOutcome = { ok: true } | { ok: false; retryAfterSeconds: number };

/** A set of token buckets keyed by API key id. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes one token from `id`'s bucket (created full); when empty, says how long until one is back. */
  take(id: string, perMinute: number): TakeOutcome {
    const now = this.now();
    let bucket = this.buckets.get(id);
    if (!bucket || bucket.perMinute !== perMinute) {
      bucket = { tokens: perMinute, updated: now, perMinute };
      this.buckets.set(id, bucket);
    } else {
      const refill = ((now - bucket.updated) * perMinute) / 60_000;
      bucket.tokens = Math.min(perMinute, bucket.tokens + refill);
      bucket.updated = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    const waitMs = ((1 - bucket.tokens) * 60_000) / perMinute;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** Forgets a key's bucket (after revocation). */
  forget(id: string): void {
    this.buckets.delete(id);
  }
}
