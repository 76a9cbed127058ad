/**
 * Alert webhook deliveries sent in process, on SQLite: each delivery's next attempt waits on a timer,
 * retried with exponential backoff (the n-th wait `minTimeoutMs`·2^(n-1), at most `maxTimeoutMs`). Each
 * attempt is claimed by one conditional update (storage/alert-settings.ts: `next_attempt_at` due → the
 * end of a lease, the request's timeout + 30 s) and recorded only at the claimed `attempts`, so two
 * processes over one file send each attempt once. Deliveries still pending when the server stops resume at
 * the next start.
 */
import type { HttpRequester } from '../nodes/kit.js';
import { claimAlertAttempt, pendingAlertDeliveryPages, recordAlertAttempt, releaseAlertAttempt } from '../storage/alert-settings.js';
import { makeAlertAttempt, type AlertSender, type AlertWebhookOptions } from './alert-attempt.js';
import type { AlertSettingsService } from './alert-settings.js';

/** How much longer than the request's timeout a claimed attempt is held before another process may take it. */
const LEASE_MARGIN_MS = 30_000;

export class TimedAlertSender implements AlertSender {
  private readonly controller = new AbortController();
  /** Deliveries this server waits for or sends, with the timer of a waiting one. */
  private readonly active = new Map<string, NodeJS.Timeout | null>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly now: () => number;

  constructor(
    private readonly settings: AlertSettingsService,
    private readonly http: HttpRequester,
    private readonly options: AlertWebhookOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async send(id: string, at: number): Promise<void> {
    this.schedule(id, at);
  }

  /** Schedules every pending delivery at its next attempt time (an attempt another process holds is left to it when the time comes). */
  async start(): Promise<number> {
    let n = 0;
    for await (const rows of pendingAlertDeliveryPages(this.settings.store)) {
      for (const row of rows) this.schedule(row.id, row.nextAttemptAt ?? this.now());
      n += rows.length;
    }
    return n;
  }

  /** Stops waiting attempts and waits for those in flight (aborted: given back, due at once). */
  async close(): Promise<void> {
    this.controller.abort();
    for (const timer of this.active.values()) if (timer) clearTimeout(timer);
    this.active.clear();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track(task: Promise<unknown>): void {
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
  }

  /** Makes the attempt due at `at` (epoch ms) then, unless this server already waits for or sends the delivery. */
  private schedule(id: string, at: number): void {
    if (this.active.has(id) || this.controller.signal.aborted) return;
    const start = () => {
      this.active.set(id, null);
      this.track(
        this.attempt(id, at)
          .catch(() => null)
          .then((next) => {
            this.active.delete(id);
            if (next !== null) this.schedule(id, next);
          }),
      );
    };
    const wait = Math.max(0, at - this.now());
    if (wait === 0) return start();
    const timer = setTimeout(start, wait);
    timer.unref();
    this.active.set(id, timer);
  }

  /**
   * Claims and makes the attempt of a delivery that was due at `due`, recording it on the row. Resolves with
   * when the next attempt is due, or null (delivered, given up, or the attempt was not this server's to make).
   */
  private async attempt(id: string, due: number): Promise<number | null> {
    const store = this.settings.store;
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    // Due at the later of now and the time this server read: a timer that fires a little early still claims
    // the attempt it waited for, and never one another process moved on since.
    const claimAt = Math.max(this.now(), due);
    const leaseUntil = claimAt + timeoutMs + LEASE_MARGIN_MS;
    const row = await claimAlertAttempt(store, id, claimAt, leaseUntil);
    if (!row) return null;
    const total = this.options.attempts ?? 8;
    const done = row.attempts;
    const record = async (attempts: number, status: number | null, error: string | null, outcome: 'delivered' | 'pending' | 'failed', nextAttemptAt: number | null) => {
      const kept = await recordAlertAttempt(store, id, done, { attempts, status, error, outcome, nextAttemptAt, at: this.now() });
      return kept && outcome === 'pending' ? nextAttemptAt : null;
    };
    if (done >= total) return record(done, row.lastStatus, row.lastError, 'failed', null);
    const attempt = done + 1;
    const result = await makeAlertAttempt(this.settings, this.http, row, { timeoutMs, now: this.now, signal: this.controller.signal });
    if (result.outcome === 'aborted') {
      // Not made: due again now, for the next start.
      await releaseAlertAttempt(store, id, done, leaseUntil, this.now());
      return null;
    }
    if (result.outcome === 'delivered') return record(attempt, result.status, null, 'delivered', null);
    if (!result.retry || attempt >= total) return record(attempt, result.status, result.error, 'failed', null);
    const wait = Math.min((this.options.minTimeoutMs ?? 1000) * 2 ** (attempt - 1), this.options.maxTimeoutMs ?? 60_000);
    return record(attempt, result.status, result.error, 'pending', this.now() + wait);
  }
}
