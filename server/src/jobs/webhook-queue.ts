/**
 * Completion webhooks through the PostgreSQL queue: one pg-boss job per job end (its id derived from the
 * job and the time it ended, so servers that both enqueue it, e.g. two servers starting together and
 * resending undelivered webhooks, store it once), delivered by whichever server fetches it, retried by
 * pg-boss with backoff (retryDelay × 2^n with jitter) on a network error or a non-2xx reply, every
 * attempt recorded in `job_webhook_attempts`. A refusal no retry can change is tried once.
 */
import type { JobWebhookPayload } from '@shared/jobs.js';
import { isRetryableRequestError, type HttpRequester } from '../nodes/kit.js';
import { loggableError } from '../storage/db-errors.js';
import { derivedJobId } from '../storage/pg-queue.js';
import type { JobRow, JobStore } from '../storage/jobs.js';
import { WEBHOOKS_QUEUE, type JobQueue } from './item-queue.js';
import type { WebhookOptions, WebhookSink } from './webhook.js';

interface Delivery {
  jobId: string;
  url: string;
  event: string;
  body: string;
}

/** The queue id of one job end's webhook: the same on every server. */
function deliveryId(job: JobRow): string {
  return derivedJobId(`webhook:${job.id}:${job.finishedAt ?? ''}`);
}

export class QueuedWebhooks implements WebhookSink {
  private readonly sending = new Set<Promise<unknown>>();
  private closed = false;
  private readonly controller = new AbortController();
  private worker: Promise<string> | undefined;

  constructor(
    private readonly queue: JobQueue,
    private readonly http: HttpRequester,
    private readonly store: JobStore,
    private readonly options: WebhookOptions & { pollSeconds?: number } = {},
  ) {}

  /** Starts this server's delivery worker (after the queue started). */
  async start(): Promise<void> {
    await this.queue.start();
    this.worker ??= this.queue.boss.work<Delivery>(WEBHOOKS_QUEUE, { batchSize: 1, pollingIntervalSeconds: this.options.pollSeconds ?? 2 }, async ([job]) => {
      if (job) await this.deliver(job.data);
    });
    await this.worker;
  }

  send(job: JobRow, payload: JobWebhookPayload): void {
    if (job.webhookUrl === null || this.closed) return;
    const data: Delivery = { jobId: job.id, url: job.webhookUrl, event: payload.event, body: JSON.stringify(payload) };
    const retryDelay = Math.max(1, Math.round((this.options.minTimeoutMs ?? 1000) / 1000));
    const task = this.queue
      .start()
      .then(() => this.queue.boss.send(WEBHOOKS_QUEUE, data, { id: deliveryId(job), retryLimit: this.options.retries ?? 6, retryDelay, retryBackoff: true, expireInSeconds: Math.ceil((this.options.timeoutMs ?? 10_000) / 1000) + 30 }))
      .catch((error: unknown) => console.error(`[mofang] job ${job.id}: its webhook was not queued:`, loggableError(error)));
    this.sending.add(task);
    void task.finally(() => this.sending.delete(task));
  }

  /** One attempt; throws (pg-boss retries) on a network error or a non-2xx reply. */
  private async deliver(d: Delivery): Promise<void> {
    const attempt = (await this.store.webhookAttempts(d.jobId)) + 1;
    let status: number;
    try {
      const response = await this.http.request({ method: 'POST', url: d.url, headers: { 'content-type': 'application/json', 'user-agent': 'mofang-jobs', 'x-mofang-event': d.event }, body: d.body, timeoutMs: this.options.timeoutMs ?? 10_000, signal: this.controller.signal });
      status = response.status;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.store.recordWebhookAttempt(d.jobId, attempt, null, message, Date.now());
      // A refusal no retry can change (an address MOFANG_HTTP_ALLOW does not list, a URL that is not http(s)) ends it now.
      if (!isRetryableRequestError(error)) return;
      throw error;
    }
    const ok = status >= 200 && status < 300;
    await this.store.recordWebhookAttempt(d.jobId, attempt, status, ok ? null : `HTTP ${status}`, Date.now());
    if (!ok) throw new Error(`HTTP ${status}`);
  }

  /** Stops queuing; the worker stops with the queue (JobQueue.stop). */
  async close(): Promise<void> {
    this.closed = true;
    this.controller.abort();
    await Promise.allSettled([...this.sending]);
    if (this.worker) await this.queue.boss.offWork(WEBHOOKS_QUEUE).catch(() => undefined);
  }
}
