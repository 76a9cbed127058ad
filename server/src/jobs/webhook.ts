/**
 * The completion webhook: the job summary POSTed through the SSRF-guarded requester, retried with
 * exponential backoff (p-retry) on network errors and non-2xx replies, every attempt recorded; a refusal no
 * retry can change (the guard refusing the address, a URL that is not http(s)) is tried once.
 */
import pRetry, { AbortError } from 'p-retry';
import type { JobWebhookPayload } from '@shared/jobs.js';
import { isRetryableRequestError, type HttpRequester } from '../nodes/kit.js';
import type { JobRow, JobStore } from '../storage/jobs.js';

export interface WebhookOptions {
  /** Attempts after the first (default 6: about a minute in all). */
  retries?: number;
  /** First backoff in ms (default 1000), doubled each time. */
  minTimeoutMs?: number;
  timeoutMs?: number;
}

class DeliveryError extends Error {}

/** What sends the completion webhooks: in process (SQLite, {@link WebhookSender}) or through the PostgreSQL queue (./webhook-queue.ts). */
export interface WebhookSink {
  /** Starts delivering a job's summary (does nothing without a webhook URL); never throws. */
  send(job: JobRow, payload: JobWebhookPayload): void;
  /** Stops waiting retries; undelivered webhooks are resumed at the next start. */
  close(): Promise<void>;
}

/** Sends webhooks in the background; `close` stops the retries still waiting. */
export class WebhookSender implements WebhookSink {
  private readonly controller = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly http: HttpRequester,
    private readonly store: JobStore,
    private readonly options: WebhookOptions = {},
  ) {}

  /** Starts delivering a job's summary (does nothing without a webhook URL). */
  send(job: JobRow, payload: JobWebhookPayload): void {
    const url = job.webhookUrl;
    if (url === null || this.controller.signal.aborted) return;
    const body = JSON.stringify(payload);
    const task = this.deliver(job.id, url, payload.event, body).catch(() => {
      // Every attempt is in job_webhook_attempts; a webhook that never succeeds does not fail the job.
    });
    const tracked = task.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private async deliver(jobId: string, url: string, event: string, body: string): Promise<void> {
    let attempt = await this.store.webhookAttempts(jobId);
    await pRetry(
      async () => {
        attempt += 1;
        let status: number | null = null;
        try {
          const response = await this.http.request({
            method: 'POST',
            url,
            headers: { 'content-type': 'application/json', 'user-agent': 'mofang-jobs', 'x-mofang-event': event },
            body,
            timeoutMs: this.options.timeoutMs ?? 10_000,
            signal: this.controller.signal,
          });
          status = response.status;
        } catch (error) {
          if (this.controller.signal.aborted) throw new AbortError('server stopping');
          await this.store.recordWebhookAttempt(jobId, attempt, null, error instanceof Error ? error.message : String(error), Date.now());
          // A refusal no retry can change (an address MOFANG_HTTP_ALLOW does not list, a URL that is not http(s)) ends it now.
          if (!isRetryableRequestError(error)) throw new AbortError(error instanceof Error ? error.message : String(error));
          throw error;
        }
        const ok = status >= 200 && status < 300;
        await this.store.recordWebhookAttempt(jobId, attempt, status, ok ? null : `HTTP ${status}`, Date.now());
        if (!ok) throw new DeliveryError(`HTTP ${status}`);
      },
      { retries: this.options.retries ?? 6, factor: 2, minTimeout: this.options.minTimeoutMs ?? 1000, maxTimeout: 30_000, signal: this.controller.signal },
    );
  }

  /** Stops waiting retries; undelivered webhooks are resumed at the next start. */
  async close(): Promise<void> {
    this.controller.abort();
    await Promise.allSettled([...this.inFlight]);
  }
}
