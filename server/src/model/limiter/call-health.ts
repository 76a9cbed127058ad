import { ModelError } from '../types.js';

/** How many of an endpoint's last calls the error rate counts. */
export const HEALTH_WINDOW = 100;

/** What {@link CallHealth.snapshot} reports; times are epoch ms. */
export interface CallHealthSnapshot {
  recentCalls: number;
  /** Failed share of the recent calls, 0–1; null before any. */
  errorRate: number | null;
  lastError: { at: number; code: string; message: string } | null;
  lastSuccessAt: number | null;
}

/**
 * One endpoint's recent outcomes in this process: the error rate over its last {@link HEALTH_WINDOW}
 * calls, its last error and last success. A call the caller aborted counts for neither.
 */
export class CallHealth {
  private readonly outcomes = new Uint8Array(HEALTH_WINDOW);
  private count = 0;
  private next = 0;
  private failures = 0;
  private lastError: CallHealthSnapshot['lastError'] = null;
  private lastSuccessAt: number | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  /** Records a call that answered. */
  success(): void {
    this.push(0);
    this.lastSuccessAt = this.now();
  }

  /** Records a failed call (an abort by the caller is not the endpoint's failure and is ignored). */
  failure(error: unknown): void {
    if (error instanceof ModelError && error.code === 'aborted') return;
    this.push(1);
    const code = error instanceof ModelError ? error.code : 'error';
    this.lastError = { at: this.now(), code, message: (error instanceof Error ? error.message : String(error)).slice(0, 500) };
  }

  snapshot(): CallHealthSnapshot {
    return { recentCalls: this.count, errorRate: this.count === 0 ? null : this.failures / this.count, lastError: this.lastError, lastSuccessAt: this.lastSuccessAt };
  }

  private push(failed: 0 | 1): void {
    if (this.count === HEALTH_WINDOW) this.failures -= this.outcomes[this.next];
    else this.count++;
    this.outcomes[this.next] = failed;
    this.failures += failed;
    this.next = (this.next + 1) % HEALTH_WINDOW;
  }
}
