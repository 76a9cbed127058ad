/** The shapes the adaptive limiter (adaptive-limiter.ts) takes and gives. */
/** How a call that held a slot ended. */
export type Outcome =
  | { kind: 'ok'; latencyMs: number; tokens?: number; firstTokenMs?: number }
  | { kind: 'drop'; reason: 'timeout' | 'server_error' | 'rate_limited'; retryAfterMs?: number }
  /** Says nothing about the endpoint's load (aborted by the caller, a 400, a malformed body). */
  | { kind: 'ignore' };

export interface AdaptiveLimiterOptions {
  /** Default 8. */
  initialLimit?: number;
  /** Default 1. */
  minLimit?: number;
  /** Default 512. */
  maxLimit?: number;
  /** Latency ratio to the baseline above which the limit shrinks (default 1.5). */
  tolerance?: number;
  /** And the least excess over the baseline that counts as queueing, ms (default 20): jitter on a fast endpoint is not congestion. */
  minExcessMs?: number;
  /** Share of a window's calls that may fail (timeouts, 5xx) before the limit shrinks (default 0.15). */
  dropTolerance?: number;
  /** Multiplier applied on too many failures (default 0.7). */
  backoff?: number;
  /** Multiplier applied on a 429 (default 0.85): its Retry-After pause already stops the batch traffic. */
  rateLimitBackoff?: number;
  /** Slots kept free for live calls; default 2% of the limit, at least 1. */
  reserve?: number;
  /** Longest pause a Retry-After may impose, ms (default 30 000). */
  maxPauseMs?: number;
  /** Idle time (nothing in flight) after which the limit probes upward again, ms (default 5 000). */
  quietMs?: number;
  now?: () => number;
}

/** A held slot; call `release` exactly once. */
export interface Permit {
  /**
   * Reports the first token's arrival, ms after the call started: the earliest sign of queueing at the
   * endpoint, a whole reply sooner than the call's end. The call's own `ok` release then adds no sample.
   */
  firstToken(ms: number): void;
  release(outcome: Outcome): void;
}

/** Counters for logs, the bench and tests. */
export interface LimiterStats {
  limit: number;
  liveInFlight: number;
  batchInFlight: number;
  liveQueued: number;
  batchQueued: number;
  baselineMs: number | null;
  drops: number;
  pausedUntil: number;
}
