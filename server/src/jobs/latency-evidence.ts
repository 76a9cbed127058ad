/**
 * What the latency of an endpoint's replies says about its queue, for the {@link AdaptiveLimiter}.
 *
 * The signal is the time to the first token (or, without it, the time per generated token). It is
 * compared with a baseline kept per prompt-size class, because a longer prompt takes longer to prefill
 * and that is not queueing: classes are √2 apart in prompt length, so within one class prefill differs
 * by less than the congestion tolerance. A window of samples (about one round trip) is summarised by its
 * mean ratio to the baselines, its mean excess in ms and its mean number of calls in flight.
 *
 * A slow window is only read as queueing on evidence that latency grows with the number in flight: a
 * recent calm window at clearly lower load, or a probe (a step down in load) after which latency fell.
 * When latency stays up as load goes down, the endpoint has a new normal (a busier or bigger
 * deployment): the baselines are re-learnt from it instead of the limit collapsing. This follows TCP's
 * delay-based controllers (Vegas, and BBR's re-measured minimum RTT) more than a fixed minimum.
 */

/** How much the limit should change, decided once per window. */
export type Verdict =
  | { kind: 'calm' }
  /** Queueing shown by the evidence: shrink, by Little's law where first-token times allow it. */
  | { kind: 'queueing'; meanMs: number; excessMs: number }
  /** Slow, with no evidence yet: step the load down once to see whether latency follows. */
  | { kind: 'probe'; meanMs: number; excessMs: number; inflight: number }
  /** Slow at lower load too: a new normal, learnt; the limit goes back to where it was before the probe. */
  | { kind: 'new_normal'; restoreLimit?: number };

export interface WindowSummary {
  samples: number;
  /** Mean of each sample's ratio to its class baseline. */
  ratio: number;
  /** Mean of each sample's excess over its class baseline, ms. */
  excessMs: number;
  /** Mean of the raw signal, ms. */
  meanMs: number;
  /** Mean number of calls in flight when each sample's call started (itself included). */
  inflight: number;
  /** Whether every sample was a first-token time. */
  firstToken: boolean;
}

interface Calm {
  inflight: number;
  at: number;
}

/** Baseline drift per window, so an endpoint that got slower for good is followed even without a probe. */
const BASELINE_DRIFT = 1.001;
/** Load at or below this share of a slow window's counts as clearly lower. */
const LOWER_LOAD = 0.85;
/** A probe's latency must fall below this share of the slow window's for the slowness to be queueing. */
const FELL = 0.85;
/** Calm windows older than this no longer say what the endpoint does now, ms. */
const HISTORY_MS = 60_000;

/** The prompt-size class of a prompt of this many characters: classes are √2 apart, from 256 characters. */
export function sizeClass(promptChars: number): number {
  if (promptChars <= 256) return 0;
  return Math.min(24, Math.floor(2 * Math.log2(promptChars / 256)));
}

/** Baselines per size class, the window being filled, and the recent calm windows. */
export class LatencyEvidence {
  private readonly baselines = new Map<number, number>();
  private sum = { ratio: 0, excess: 0, ms: 0, inflight: 0, firstToken: 0, n: 0 };
  private classSums = new Map<number, { ms: number; n: number }>();
  private calm: Calm[] = [];
  private probe: { ratio: number; limitBefore: number } | null = null;

  constructor(
    private readonly tolerance: number,
    private readonly minExcessMs: number,
    private readonly now: () => number,
  ) {}

  /** The lowest baseline, for stats (null before any sample). */
  get baselineMs(): number | null {
    return this.baselines.size === 0 ? null : Math.min(...this.baselines.values());
  }

  /** Adds one sample; says whether it alone looks congested (for slow start's delay exit). */
  add(signalMs: number, cls: number, inflight: number, firstToken: boolean): { congested: boolean } {
    let baseline = this.baselines.get(cls);
    if (baseline === undefined) this.baselines.set(cls, (baseline = signalMs));
    const ratio = signalMs / Math.max(baseline, 1e-6);
    const excess = signalMs - baseline;
    this.sum.ratio += ratio;
    this.sum.excess += excess;
    this.sum.ms += signalMs;
    this.sum.inflight += inflight;
    this.sum.n += 1;
    if (firstToken) this.sum.firstToken += 1;
    const c = this.classSums.get(cls) ?? { ms: 0, n: 0 };
    c.ms += signalMs;
    c.n += 1;
    this.classSums.set(cls, c);
    return { congested: ratio > this.tolerance && excess > this.minExcessMs };
  }

  /** Samples in the window so far. */
  get samples(): number {
    return this.sum.n;
  }

  /**
   * Closes the window and decides. `limit` is the current limit, kept to restore it if a probe shows a
   * new normal rather than a queue.
   */
  close(limit: number): { verdict: Verdict; window: WindowSummary } {
    const n = this.sum.n;
    const window: WindowSummary = {
      samples: n,
      ratio: this.sum.ratio / n,
      excessMs: this.sum.excess / n,
      meanMs: this.sum.ms / n,
      inflight: this.sum.inflight / n,
      firstToken: this.sum.firstToken === n,
    };
    const classes = this.classSums;
    this.sum = { ratio: 0, excess: 0, ms: 0, inflight: 0, firstToken: 0, n: 0 };
    this.classSums = new Map();
    const at = this.now();
    this.calm = this.calm.filter((c) => at - c.at <= HISTORY_MS);

    if (!(window.ratio > this.tolerance && window.excessMs > this.minExcessMs)) {
      for (const [cls, c] of classes) {
        const baseline = this.baselines.get(cls);
        const mean = c.ms / c.n;
        this.baselines.set(cls, baseline === undefined ? mean : Math.min(mean, baseline * BASELINE_DRIFT));
      }
      this.calm.push({ inflight: window.inflight, at });
      if (this.calm.length > 16) this.calm.shift();
      this.probe = null;
      return { verdict: { kind: 'calm' }, window };
    }
    // A call alone in flight cannot be queueing behind Mofang's own calls.
    if (window.inflight <= 1.5) return { verdict: this.relearn(classes), window };
    if (this.probe) {
      const { ratio, limitBefore } = this.probe;
      this.probe = null;
      if (window.ratio >= ratio * FELL) return { verdict: this.relearn(classes, limitBefore), window };
      return { verdict: { kind: 'queueing', meanMs: window.meanMs, excessMs: window.excessMs }, window };
    }
    if (this.calm.some((c) => c.inflight <= window.inflight * LOWER_LOAD)) {
      return { verdict: { kind: 'queueing', meanMs: window.meanMs, excessMs: window.excessMs }, window };
    }
    this.probe = { ratio: window.ratio, limitBefore: limit };
    return { verdict: { kind: 'probe', meanMs: window.meanMs, excessMs: window.excessMs, inflight: window.inflight }, window };
  }

  /** Forgets a probe in progress (after a drop-driven decrease, which says more than latency). */
  cancelProbe(): void {
    this.probe = null;
  }

  private relearn(classes: Map<number, { ms: number; n: number }>, restoreLimit?: number): Verdict {
    for (const [cls, c] of classes) this.baselines.set(cls, c.ms / c.n);
    this.calm = [];
    return restoreLimit === undefined ? { kind: 'new_normal' } : { kind: 'new_normal', restoreLimit };
  }
}
