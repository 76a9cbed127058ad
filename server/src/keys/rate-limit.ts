/**
 * Per-key token buckets, in memory: a key limited to N requests a minute holds up to N tokens and gains
 * N/60 000 a millisecond. Simple enough that a library would add more than it saves.
 *
 * Several servers over one PostgreSQL database split each key's limit: with `servers` live (see
 * server/src/cluster/server-instances.ts, set through {@link RateLimiter.setServers}) a bucket holds
 * N/servers tokens (at least 1) and gains N/servers a minute, so behind a round-robin the servers
 * together admit what one server alone would. With one server (SQLite, always) it is the plain bucket.
 */

interface Bucket {
  tokens: number;
  updated: number;
  perMinute: number;
  /** The server count the bucket was last filled for. */
  servers: number;
}

export type TakeOutcome = { ok: true } | { ok: false; retryAfterSeconds: number };

/** A set of token buckets keyed by API key id. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private servers = 1;

  constructor(private readonly now: () => number = Date.now) {}

  /** How many servers share each key's limit (a whole number ≥ 1); the buckets' fill follows from the next take. */
  setServers(servers: number): void {
    this.servers = Math.max(1, Math.floor(servers));
  }

  /** Takes one token from `id`'s bucket (created full); when empty, says how long until one is back. */
  take(id: string, perMinute: number): TakeOutcome {
    const now = this.now();
    const servers = this.servers;
    const rate = perMinute / servers;
    const capacity = servers === 1 ? perMinute : Math.max(1, rate);
    let bucket = this.buckets.get(id);
    if (!bucket || bucket.perMinute !== perMinute) {
      bucket = { tokens: capacity, updated: now, perMinute, servers };
      this.buckets.set(id, bucket);
    } else {
      const refill = ((now - bucket.updated) * perMinute) / (60_000 * bucket.servers);
      bucket.tokens = Math.min(capacity, bucket.tokens + refill);
      bucket.updated = now;
      bucket.servers = servers;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    const waitMs = ((1 - bucket.tokens) * 60_000) / rate;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** Forgets a key's bucket (after revocation). */
  forget(id: string): void {
    this.buckets.delete(id);
  }
}
