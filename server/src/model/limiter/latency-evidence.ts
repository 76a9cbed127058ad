/**
 * What the latency of an endpoint's replies says about its queue, for the {@link AdaptiveLimiter}.
 *
 * The signal is the time to the first token (or, without it, the time per generated token). It is
 * compared with a baseline kept per prompt-size class, because a longer prompt takes longer to prefill
 * and that is not queueing: classes are √2 apart in prompt length, so within one class prefill differs
 * by less than the congestion tolerance. A window of samples (about one round trip) is summarised by its
 * mean ratio to the baselines, its excess in ms and its mean number of calls in flight.
 *
 * A slow window is read as queueing only on evidence that latency grows with the number in flight: the
 * limit steps the load down once (a probe) and the next window's latency must fall. Latency that stays
 * up at lower load is a new normal (a busier or bigger deployment, a mix of prefix-cache hits and misses)
 * and the baselines are re-learnt from it instead of the limit collapsing. Earlier windows at lower load
 * are not taken as evidence: while the limit ramps up they hold mostly the fastest replies (the slow
 * ones have not come back yet), so they would make any mix of fast and slow replies look like a queue.
 * This follows TCP's delay-based controllers (Vegas; BBR's probe of its minimum RTT at lower load).
 */

/** How much the limit should change, decided once per window. */
export type Verdict =
  | { kind: 'calm' }
  /** Queueing shown by the evidence: shrink, by Little's law where first-token times allow it. */
  | { kind: 'queueing'; meanMs: number; excessMs: number }
  /** Slow, with no evidence yet: step the load down once to see whether latency follows. */
  | { kind: 'probe'; meanMs: number; excessMs: number; inflight: number }
  /** Slow at lower load too: a new normal, learnt; the limit searches upward again from where it is. */
  | { kind: 'new_normal' };

export interface WindowSummary {
  samples: number;
  /** Each class's mean over its baseline, weighted by the class's samples. */
  ratio: number;
  /** Each class's mean minus its baseline, ms, weighted likewise. */
  excessMs: number;
  /** The classes' means, weighted likewise, ms. */
  meanMs: number;
  /** Mean number of calls in flight when each sample's call started (itself included). */
  inflight: number;
  /** Share of the samples past the tolerance over their baseline: those that waited, in a queue. */
  slowShare: number;
  /** Whether every sample was a first-token time. */
  firstToken: boolean;
}

/** Baseline drift per window, so an endpoint that got slower for good is followed even without a probe. */
const BASELINE_DRIFT = 1.001;
/** A probe's delay over the baseline must fall below this share of the slow window's for the slowness to be queueing… */
const FELL = 0.85;
/** …or its share of slow replies below this share of the slow window's. */
const FEWER_SLOW = 0.7;

/** The prompt-size class of a prompt of this many characters: classes are √2 apart, from 256 characters. */
export function sizeClass(promptChars: number): number {
  if (promptChars <= 256) return 0;
  return Math.min(24, Math.floor(2 * Math.log2(promptChars / 256)));
}

/** Slow replies in a row that end slow start (one in 256 by chance when half the replies are slow). */
const SLOW_RUN = 3;

/** How far a calm window pulls a baseline down toward its mean (an average, so noise does not set it). */
const BASELINE_PULL = 0.25;

function mean(values: number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * The samples of one window: the latency of each call of a cohort (the calls that started together,
 * about one limit's worth), by prompt-size class, with the calls in flight when each started.
 */
export class LatencyWindow {
  readonly classSamples = new Map<number, number[]>();
  inflight = 0;
  firstToken = 0;
  n = 0;
}

/**
 * Baselines per size class and a probe in progress. A window's latency in a class is its mean: a queue
 * shows first in some calls only (those that found no free slot), which a mean sees at once. Means are
 * noisy when replies mix fast and slow ones, so a baseline follows calm windows as an average, not as
 * their minimum (which noise alone would keep lowering). Windows are cohorts judged once all their calls
 * have answered: a window that closed after its first N answers would hold the fastest calls only.
 */
export class LatencyEvidence {
  private readonly baselines = new Map<number, number>();
  private probe: { excessMs: number; slowShare: number } | null = null;
  private slowStreak = 0;

  constructor(
    private readonly tolerance: number,
    private readonly minExcessMs: number,
  ) {}

  /** The lowest baseline, for stats (null before any sample). */
  get baselineMs(): number | null {
    return this.baselines.size === 0 ? null : Math.min(...this.baselines.values());
  }

  /**
   * Adds one sample to a window. Says whether the last few replies were all slow (each past the
   * tolerance over its class's baseline): the sign slow start stops on. A few in a row, not one, since
   * slow replies among fast ones are normal.
   */
  add(window: LatencyWindow, signalMs: number, cls: number, inflight: number, firstToken: boolean): { slowRun: boolean } {
    const baseline = this.baselines.get(cls);
    const slow = baseline !== undefined && signalMs > baseline * this.tolerance && signalMs - baseline > this.minExcessMs;
    this.slowStreak = slow ? this.slowStreak + 1 : 0;
    window.inflight += inflight;
    window.n += 1;
    if (firstToken) window.firstToken += 1;
    const values = window.classSamples.get(cls);
    if (values) values.push(signalMs);
    else window.classSamples.set(cls, [signalMs]);
    return { slowRun: this.slowStreak >= SLOW_RUN };
  }

  /** Judges a complete window: calm, a probe to take, queueing shown by the probe, or a new normal. */
  judge(samples: LatencyWindow): { verdict: Verdict; window: WindowSummary } {
    const n = samples.n;
    const means = new Map<number, number>();
    let ratio = 0;
    let excess = 0;
    let ms = 0;
    let slow = 0;
    let variance = 0;
    for (const [cls, values] of samples.classSamples) {
      const q = mean(values);
      means.set(cls, q);
      let baseline = this.baselines.get(cls);
      if (baseline === undefined) this.baselines.set(cls, (baseline = q));
      ratio += (values.length * q) / Math.max(baseline, 1e-6);
      excess += values.length * (q - baseline);
      ms += values.length * q;
      for (const v of values) {
        if (v > baseline * this.tolerance && v - baseline > this.minExcessMs) slow += 1;
        variance += (v - q) * (v - q);
      }
    }
    // The mean's own noise (its standard error): a mix of fast and slow replies moves a window's mean
    // by chance, and a delay within twice that is not taken for a queue.
    const standardError = Math.sqrt(variance / Math.max(1, n - 1) / n);
    const window: WindowSummary = {
      samples: n,
      ratio: ratio / n,
      excessMs: excess / n,
      meanMs: ms / n,
      inflight: samples.inflight / n,
      firstToken: samples.firstToken === n,
      slowShare: slow / n,
    };

    if (!(window.ratio > this.tolerance && window.excessMs > Math.max(this.minExcessMs, 2 * standardError))) {
      for (const [cls, q] of means) {
        const baseline = this.baselines.get(cls);
        if (baseline === undefined) this.baselines.set(cls, q);
        else this.baselines.set(cls, q < baseline ? baseline + BASELINE_PULL * (q - baseline) : Math.min(q, baseline * BASELINE_DRIFT));
      }
      this.probe = null;
      return { verdict: { kind: 'calm' }, window };
    }
    // A call alone in flight cannot be queueing behind Mofang's own calls.
    if (window.inflight <= 1.5) return { verdict: this.relearn(means), window };
    if (this.probe) {
      const { excessMs: before, slowShare } = this.probe;
      this.probe = null;
      // Less load, and the delay over the baseline fell (a shorter wait for a slot), or fewer calls were
      // slow (fewer waited): a queue. A new normal keeps its delay, and a mix of fast and slow replies
      // its share of slow ones, whatever the load.
      const fell = window.excessMs < before * FELL || window.slowShare < slowShare * FEWER_SLOW;
      if (!fell) return { verdict: this.relearn(means), window };
      return { verdict: { kind: 'queueing', meanMs: window.meanMs, excessMs: window.excessMs }, window };
    }
    this.probe = { excessMs: window.excessMs, slowShare: window.slowShare };
    return { verdict: { kind: 'probe', meanMs: window.meanMs, excessMs: window.excessMs, inflight: window.inflight }, window };
  }

  /** Forgets a probe in progress (after a drop-driven decrease, which says more than latency). */
  cancelProbe(): void {
    this.probe = null;
  }

  private relearn(means: Map<number, number>): Verdict {
    for (const [cls, q] of means) this.baselines.set(cls, q);
    return { kind: 'new_normal' };
  }
}
