/**
 * The pause a 429's Retry-After imposes on batch traffic: until when it lasts, extended (never
 * shortened) by later refusals, capped, and a callback when it is over so waiting calls can start.
 */
export class RetryAfterPause {
  /** Epoch ms until which batch calls wait; 0 when there is no pause. */
  until = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly maxPauseMs: number,
    private readonly now: () => number,
    private readonly onOver: () => void,
  ) {}

  /** Whether the pause is still on. */
  get active(): boolean {
    return this.now() < this.until;
  }

  /** Pauses for `ms` from now (at most `maxPauseMs`), unless an existing pause lasts longer. */
  extend(ms: number): void {
    if (ms <= 0) return;
    const until = this.now() + Math.min(ms, this.maxPauseMs);
    if (until <= this.until) return;
    this.until = until;
    this.arm();
  }

  /** Stops the timer (shutting down). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Timers may fire a millisecond before the clock says the pause is over: wait again then.
      if (this.active) this.arm();
      else this.onOver();
    }, Math.max(1, this.until - this.now()));
    this.timer.unref?.();
  }
}
