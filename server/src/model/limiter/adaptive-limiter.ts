/**
 * An adaptive concurrency limit for one model endpoint, with two classes of traffic.
 *
 * The limit is found the way TCP finds a path's capacity: it grows by one per good reply (doubling
 * each round trip) while latency stays near its baseline (slow start), then by √limit per round trip
 * while it is used, and shrinks only on evidence that calls are queueing at the endpoint: latency that
 * grows with the number in flight ({@link LatencyEvidence}), timeouts and 503s past `dropTolerance` of a
 * window (isolated faults are not congestion; other 5xx and network errors say nothing of load), or 429s
 * that repeat (which also pause batch traffic for their Retry-After; a lone 429 among many answers is a
 * fault, and only the refused call waits). A round trip held up by a straggler (a hung call waiting
 * out its timeout) is judged without it once it is clearly over ({@link RoundTrips}). Latency that
 * stays up when load goes down is a new normal, learnt, not a reason to shrink; so is a longer prompt's
 * prefill (baselines are kept per prompt size). After a quiet spell the limit starts probing upward
 * again (slow start), as what it knew may no longer hold.
 *
 * The latency it watches is the time to first token when the client reports it: that is where waiting
 * in the endpoint's queue shows, undisturbed by how long each reply is or by decoding slowing down under
 * load (which is not queueing). Without it, latency per generated token stands in.
 *
 * How a window's verdict moves the limit (grow, learn, shrink by Little's law) is ./limit-decision.ts.
 *
 * Live calls (priority 0) take any free slot and wait only behind other live calls; batch calls
 * (priority > 0) may use at most `limit − live in flight − reserve` slots, so a live call finds a
 * slot at once even while a big job saturates the endpoint.
 */
import { LatencyEvidence, sizeClass } from './latency-evidence.js';
import { nextLimit } from './limit-decision.js';
import { WaitQueue } from './wait-queue.js';
import { RoundTrips, type Cohort } from './round-trips.js';
import { RetryAfterPause } from './retry-after.js';
import type { AdaptiveLimiterOptions, LimiterStats, Outcome, Permit } from './limiter-types.js';

export type { AdaptiveLimiterOptions, LimiterStats, Outcome, Permit } from './limiter-types.js';

/** The limiter. One per endpoint; wrap the endpoint's client with {@link LimitedModelClient}. */
export class AdaptiveLimiter {
  private limitValue: number;
  private readonly minLimit: number;
  private readonly maxLimit: number;
  /** `maxLimit` split among the servers sharing the endpoint ({@link setServers}). */
  private ceiling: number;
  private readonly tolerance: number;
  private readonly minExcessMs: number;
  private readonly dropTolerance: number;
  private readonly backoff: number;
  private readonly rateLimitBackoff: number;
  private readonly fixedReserve?: number;
  private readonly now: () => number;
  private live = 0;
  private batch = 0;
  private readonly liveQueue = new WaitQueue();
  private readonly batchQueue = new WaitQueue();
  private slowStart = true;
  private readonly evidence: LatencyEvidence;
  private readonly pause: RetryAfterPause;
  private totalDrops = 0;
  /** Moving share of answers that were refusals (429s), 0–1. */
  private refusalShare = 0;
  /** Bumped at every decrease: calls that started before it say nothing about the new limit. */
  private epoch = 0;
  private readonly rounds: RoundTrips;
  /** Moving average of whole-call latency, ms: with the queueing delay it gives the limit that just fills the endpoint. */
  private callLatency: number | null = null;
  private readonly initialLimit: number;
  private readonly quietMs: number;
  /** When the last call ended with nothing left in flight (the start of a quiet spell). */
  private idleSince: number | null = null;

  constructor(options: AdaptiveLimiterOptions = {}) {
    this.minLimit = options.minLimit ?? 1;
    this.maxLimit = options.maxLimit ?? 512;
    this.ceiling = this.maxLimit;
    this.limitValue = Math.min(this.maxLimit, Math.max(this.minLimit, options.initialLimit ?? 8));
    this.initialLimit = this.limitValue;
    this.now = options.now ?? Date.now;
    this.rounds = new RoundTrips(this.now, this.epoch, this.limitValue);
    this.tolerance = options.tolerance ?? 1.5;
    this.minExcessMs = options.minExcessMs ?? 20;
    this.dropTolerance = options.dropTolerance ?? 0.15;
    this.backoff = options.backoff ?? 0.7;
    this.rateLimitBackoff = options.rateLimitBackoff ?? 0.85;
    this.fixedReserve = options.reserve;
    this.quietMs = options.quietMs ?? 5_000;
    this.pause = new RetryAfterPause(options.maxPauseMs ?? 30_000, this.now, () => this.drain());
    this.evidence = new LatencyEvidence(this.tolerance, this.minExcessMs);
  }

  /**
   * Splits `maxLimit` (the endpoint's capacity when configured) among `servers` servers calling the same
   * endpoint: this one's limit stays at or below ⌊maxLimit / servers⌋ (at least `minLimit`), so together
   * they never exceed it. Lowers the current limit at once (calls in flight finish; new ones wait); a
   * higher ceiling is grown into as replies come back.
   */
  setServers(servers: number): void {
    this.ceiling = Math.max(this.minLimit, Math.floor(this.maxLimit / Math.max(1, Math.floor(servers))));
    this.limitValue = Math.min(this.limitValue, this.ceiling);
  }

  /** The current limit (a whole number of calls). */
  get limit(): number {
    return Math.floor(this.limitValue);
  }

  stats(): LimiterStats {
    return {
      limit: this.limit,
      liveInFlight: this.live,
      batchInFlight: this.batch,
      liveQueued: this.liveQueue.length,
      batchQueued: this.batchQueue.length,
      baselineMs: this.evidence.baselineMs,
      drops: this.totalDrops,
      pausedUntil: this.pause.until,
    };
  }

  /** How many batch calls could run now: what the limit leaves after live calls and the reserve. */
  batchCapacity(): number {
    if (this.pause.active) return 0;
    const reserve = this.fixedReserve ?? Math.max(1, Math.ceil(this.limitValue * 0.02));
    const room = this.limit - this.live - reserve;
    // Without live traffic a batch always has one slot, however small the limit has become.
    return Math.max(this.live === 0 ? 1 : 0, room);
  }

  /**
   * Waits for a slot: priority 0 is live, anything higher is batch. `promptChars` (the prompt's length)
   * picks the latency baseline the call is compared with. Rejects with the signal's reason when aborted.
   */
  acquire(priority = 0, signal?: AbortSignal, promptChars = 0): Promise<Permit> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.wakeAfterQuiet();
    const live = priority <= 0;
    const cls = sizeClass(promptChars);
    if (live ? this.liveMayStart() : this.batchMayStart()) return Promise.resolve(this.start(live, cls));
    const waiting = (live ? this.liveQueue : this.batchQueue).wait(cls, signal);
    this.rounds.current.queued = true;
    return waiting;
  }

  /** Stops timers; waiting calls stay queued (the clients are closing anyway). */
  close(): void {
    this.pause.close();
  }

  private liveMayStart(): boolean {
    return this.liveQueue.length === 0 && this.live + this.batch < Math.max(1, this.limit);
  }

  private batchMayStart(): boolean {
    return this.liveQueue.length === 0 && this.batchQueue.length === 0 && this.batch < this.batchCapacity() && this.live + this.batch < Math.max(1, this.limit);
  }

  /** After a quiet spell the limit may be stale: probe upward again, from no less than where it started. */
  private wakeAfterQuiet(): void {
    if (this.idleSince === null || this.live + this.batch > 0) return;
    if (this.now() - this.idleSince >= this.quietMs) {
      this.slowStart = true;
      this.limitValue = Math.min(this.ceiling, Math.max(this.limitValue, this.initialLimit));
      // What the last calls before the quiet spell showed is stale: judge the new load on its own.
      this.rounds.restart(this.epoch, this.limitValue, true);
    }
    this.idleSince = null;
  }

  private start(live: boolean, cls: number): Permit {
    const cohort = this.rounds.join(this.epoch, this.limitValue);
    if (live) this.live += 1;
    else this.batch += 1;
    const inflight = this.live + this.batch;
    cohort.maxInFlight = Math.max(cohort.maxInFlight, inflight);
    let released = false;
    let sampled = false;
    const report = (outcome: Outcome) => {
      this.record(cohort, outcome, cls, inflight);
      cohort.reported += 1;
      for (const due of this.rounds.due(this.epoch)) this.adjust(due);
    };
    return {
      firstToken: (ms) => {
        if (released || sampled) return;
        sampled = true;
        report({ kind: 'ok', latencyMs: ms, firstTokenMs: ms });
      },
      release: (outcome) => {
        if (released) return;
        released = true;
        if (live) this.live -= 1;
        else this.batch -= 1;
        if (outcome.kind === 'ok') {
          this.callLatency = this.callLatency === null ? outcome.latencyMs : this.callLatency * 0.9 + outcome.latencyMs * 0.1;
          this.rounds.answered(outcome.latencyMs);
        }
        if (!sampled) report(outcome);
        else if (outcome.kind === 'drop') this.record(cohort, outcome, cls, inflight);
        if (this.live + this.batch === 0) this.idleSince = this.now();
        this.drain();
      },
    };
  }

  /** Hands free slots to waiting live calls first, then to batch calls within their share. */
  private drain(): void {
    while (this.liveQueue.length > 0 && this.live + this.batch < Math.max(1, this.limit)) this.liveQueue.grant((cls) => this.start(true, cls));
    if (this.liveQueue.length > 0) return;
    while (this.batchQueue.length > 0 && this.batch < this.batchCapacity() && this.live + this.batch < Math.max(1, this.limit)) this.batchQueue.grant((cls) => this.start(false, cls));
  }

  /**
   * Updates the recent share of refusals (a moving average over about one limit's worth of answers)
   * and tells whether it is past a third of `dropTolerance`: refusals that repeat, not a lone one.
   */
  private noteRefusal(refused: boolean): boolean {
    const weight = 1 / Math.max(2, this.limitValue);
    this.refusalShare = this.refusalShare * (1 - weight) + (refused ? weight : 0);
    return this.refusalShare > this.dropTolerance / 3;
  }

  private record(cohort: Cohort, outcome: Outcome, cls: number, inflight: number): void {
    if (outcome.kind !== 'drop' || outcome.reason !== 'rate_limited') this.noteRefusal(false);
    if (outcome.kind === 'ignore') return;
    if (outcome.kind === 'drop') {
      cohort.drops += 1;
      this.totalDrops += 1;
      if (outcome.reason === 'rate_limited') {
        // An explicit "too much", unless it is a lone refusal among many answers (a fault, or a rate
        // limit's edge: the refused call's own retry waits out its Retry-After). Then: pause batch calls
        // for the Retry-After and shrink, once per round trip (a refusal of a call sent before the last
        // decrease says nothing about the new limit), to below the load the refusal came at when that is
        // lower (an endpoint that refuses past N calls).
        if (!this.noteRefusal(true)) return;
        if (cohort.epoch === this.epoch) this.decrease(Math.min(this.limitValue * this.rateLimitBackoff, Math.max(this.minLimit, inflight - 1)));
        this.pause.extend(outcome.retryAfterMs ?? 0);
      }
      return;
    }
    // A call sent under an older, larger limit may still report the queue that limit built: one
    // decrease per round trip, as TCP does, not one per stale sample.
    if (cohort.epoch !== this.epoch) return;
    cohort.ok += 1;
    const signal = outcome.firstTokenMs ?? outcome.latencyMs / (1 + Math.max(0, outcome.tokens ?? 0));
    const { slowRun } = this.evidence.add(cohort.samples, signal, cls, inflight, outcome.firstTokenMs !== undefined);
    // Slow start as TCP does it: one more slot per good reply, so the limit doubles each round trip;
    // a run of slow replies stops the growth (HyStart's delay exit; a run, since one slow reply among
    // fast ones is normal).
    if (slowRun) this.slowStart = false;
    if (this.slowStart && (cohort.queued || this.live + this.batch + 1 >= this.limitValue * 0.8)) {
      this.limitValue = Math.min(this.ceiling, this.limitValue + 1);
    }
  }

  /** Judges a cohort on the members heard from; a stale one (from before a decrease) is let go. */
  private adjust(cohort: Cohort): void {
    if (cohort.epoch !== this.epoch) return;
    const { ok, drops, maxInFlight } = cohort;
    const queued = cohort.queued || this.liveQueue.length > 0 || this.batchQueue.length > 0;
    const samples = ok + drops;
    if (samples === 0) return;
    if (drops > 0 && drops / samples > this.dropTolerance) {
      this.evidence.cancelProbe();
      this.decrease(this.limitValue * this.backoff);
      return;
    }
    if (cohort.samples.n === 0) return;
    const { verdict, window } = this.evidence.judge(cohort.samples);
    // A round with more than a few refusals or timeouts in it is no reason to grow; a rare one (a fault
    // of the endpoint, not its load) is no reason to stop.
    const few = drops <= samples * (this.dropTolerance / 3);
    const decision = nextLimit(verdict, window.firstToken, queued && few, few ? maxInFlight : 0, { limit: this.limitValue, slowStart: this.slowStart, callLatency: this.callLatency, tolerance: this.tolerance });
    this.slowStart = decision.slowStart;
    const next = decision.limit;
    if (next < this.limitValue) this.decrease(next);
    else this.limitValue = Math.min(this.ceiling, next);
  }

  /** Lowers the limit and starts a new epoch: calls already under way say nothing about the new limit. */
  private decrease(next: number): void {
    this.limitValue = Math.min(this.ceiling, Math.max(this.minLimit, next));
    this.slowStart = false;
    this.epoch += 1;
    this.rounds.restart(this.epoch, this.limitValue);
  }
}
