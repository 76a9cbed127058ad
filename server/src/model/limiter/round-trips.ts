/**
 * The round trips of an {@link AdaptiveLimiter}: calls are grouped in cohorts of about one limit's
 * worth, started together, and each cohort is judged once (TCP adjusts its window once per round trip).
 * A cohort is due when every member has answered, or when its round trip is clearly over: it filled
 * more than {@link STRAGGLER_LATENCIES} times the slowest recent call ago (and at least
 * {@link STRAGGLER_FLOOR_MS}). Then it is judged on the members heard from, so a rare hung call waiting
 * out its timeout does not hold the limit still for the whole timeout.
 */
import { LatencyWindow } from './latency-evidence.js';

/** The calls that started together: one round trip. */
export interface Cohort {
  /** The epoch it started in: a cohort from before a decrease says nothing about the new limit. */
  epoch: number;
  /** Members it takes before the next cohort starts. */
  size: number;
  members: number;
  reported: number;
  ok: number;
  drops: number;
  /** Calls had to wait for a slot while it filled: the limit, not the demand, was the bound. */
  queued: boolean;
  maxInFlight: number;
  samples: LatencyWindow;
  /** When its last member started, epoch ms; null while it fills. */
  filledAt: number | null;
}

/** A full cohort is due without its stragglers once this many times the slowest recent call has passed since it filled… */
const STRAGGLER_LATENCIES = 2;
/** …and never sooner than this, ms: the slowest call is not known yet while a round trip's first answers come in. */
const STRAGGLER_FLOOR_MS = 1_000;
/** How fast the slowest call seen is forgotten: its half-life, ms. */
const SLOWEST_HALF_LIFE_MS = 10_000;

/** The cohort now filling, and the full ones not judged yet. */
export class RoundTrips {
  /** The cohort new calls join. */
  current: Cohort;
  /** Full cohorts not judged yet, oldest first. */
  private full: Cohort[] = [];
  /** The slowest recent answered call, ms: a maximum that halves every {@link SLOWEST_HALF_LIFE_MS}. */
  private slowestMs: number | null = null;
  private slowestAt = 0;

  constructor(private readonly now: () => number, epoch: number, limit: number) {
    this.current = cohort(epoch, limit);
  }

  /** Adds a starting call to the current cohort (a new one when it is full or from an older epoch) and returns it. */
  join(epoch: number, limit: number): Cohort {
    if (this.current.members >= this.current.size || this.current.epoch !== epoch) this.current = cohort(epoch, limit);
    const joined = this.current;
    joined.members += 1;
    if (joined.members === joined.size) {
      joined.filledAt = this.now();
      this.full.push(joined);
    }
    return joined;
  }

  /** Starts afresh (after a decrease, or a quiet spell): what earlier cohorts showed is stale. */
  restart(epoch: number, limit: number, forgetFull = false): void {
    this.current = cohort(epoch, limit);
    if (forgetFull) this.full = [];
  }

  /** Notes how long an answered call took, ms. */
  answered(latencyMs: number): void {
    const now = this.now();
    const kept = this.slowestMs === null ? 0 : this.slowestMs * 0.5 ** ((now - this.slowestAt) / SLOWEST_HALF_LIFE_MS);
    this.slowestMs = Math.max(latencyMs, kept);
    this.slowestAt = now;
  }

  /** Takes out the full cohorts due for judgement, oldest first; those from an older epoch are dropped unjudged. */
  due(epoch: number): Cohort[] {
    const now = this.now();
    const overAfter = this.slowestMs === null ? Infinity : Math.max(STRAGGLER_FLOOR_MS, STRAGGLER_LATENCIES * this.slowestMs);
    const due: Cohort[] = [];
    this.full = this.full.filter((c) => {
      if (c.epoch !== epoch) return false;
      const over = c.reported === c.members || (c.filledAt !== null && now - c.filledAt > overAfter);
      if (over) due.push(c);
      return !over;
    });
    return due;
  }
}

function cohort(epoch: number, limit: number): Cohort {
  return { epoch, size: Math.max(2, Math.ceil(limit)), members: 0, reported: 0, ok: 0, drops: 0, queued: false, maxInFlight: 0, samples: new LatencyWindow(), filledAt: null };
}
