/**
 * The adaptive limiter's policy (./adaptive-limiter.ts): how a judged window's verdict moves the limit.
 * A calm window grows a limit in use by √limit / 2; a new normal restarts slow start from where the
 * limit is; queueing shrinks it, by Little's law where first-token times allow it. Pure: the limiter
 * passes its state in and applies what comes back.
 */
import type { Verdict } from './latency-evidence.js';

/** What a decision reads of the limiter. */
export interface LimitState {
  /** The current limit (fractional: growth accumulates). */
  limit: number;
  slowStart: boolean;
  /** Moving average of whole-call latency, ms; null before any good reply. */
  callLatency: number | null;
  /** How far over its baseline latency may go before a window is slow (a ratio, e.g. 1.5). */
  tolerance: number;
}

/**
 * The next limit for a window's verdict (before the limiter's floor and ceiling), and whether slow start
 * goes on. `firstToken`: the window's latencies are first-token times; `queued`: calls waited for a slot
 * (and few refusals came); `maxInFlight`: the most calls in flight during the window (0 when refusals
 * were not few).
 */
export function nextLimit(verdict: Verdict, firstToken: boolean, queued: boolean, maxInFlight: number, state: LimitState): { limit: number; slowStart: boolean } {
  const { limit, slowStart } = state;
  switch (verdict.kind) {
    case 'calm':
      // Only grow a limit that is being used; an idle limit says nothing about the endpoint.
      return { limit: !slowStart && (queued || maxInFlight >= limit * 0.8) ? limit + Math.max(1, Math.sqrt(limit) / 2) : limit, slowStart };
    case 'new_normal':
      // What the limit knew was about an endpoint that is no more: find its capacity again, fast, from
      // where the probe left it (slow start doubles it each round trip until replies slow down), rather
      // than jumping back: were it a queue after all, the jump would rebuild it at once.
      return { limit, slowStart: true };
    case 'queueing':
      return { limit: limit * shrinkFactor(verdict.meanMs, verdict.excessMs, firstToken, state), slowStart: false };
    case 'probe': {
      // Down to less load than the slow window had, so the next window can tell queue from normal. With
      // first-token times, to the calls the endpoint was serving (Little's law on the window's own load):
      // were it a queue, that drains it without leaving the endpoint idle, and the next window is calm.
      // Without them, to clearly less (80% of the load), as the delay's share of a call is not known.
      const shrink = shrinkFactor(verdict.meanMs, verdict.excessMs, firstToken, state);
      if (firstToken && state.callLatency !== null) return { limit: Math.min(limit * shrink, Math.floor(verdict.inflight * shrink)), slowStart: false };
      return { limit: Math.min(limit * shrink, Math.floor(verdict.inflight * 0.8)), slowStart: false };
    }
  }
}

/**
 * How much to shrink a congested limit. With first-token times the queueing delay is known, and by
 * Little's law the calls actually being served are limit × (latency − delay) / latency: shrink to that,
 * so the endpoint stays full while its queue drains. Otherwise, in proportion to how far past the
 * tolerance the window went. Always by 5% to 50%.
 */
function shrinkFactor(meanMs: number, excessMs: number, firstToken: boolean, { callLatency, tolerance }: LimitState): number {
  const ratio = meanMs / Math.max(meanMs - excessMs, 1e-6);
  const factor = firstToken && callLatency !== null && callLatency > excessMs ? (callLatency - excessMs) / callLatency : tolerance / ratio;
  return Math.min(0.95, Math.max(0.5, factor));
}
