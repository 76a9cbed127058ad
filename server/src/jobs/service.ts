/**
 * The jobs subsystem: the store, the runner and the webhook sender (started and stopped with the
 * server), and the operations both `/v1` and `/api` offer (submit, cancel, retry, results). It knows no
 * HTTP: refusals are {@link DomainError}s, which `http/jobs-replies.ts` turns into replies (those of a
 * submission are made in ./submission.ts).
 */
import { loggableError } from '../storage/db-errors.js';
import type { Readable, Writable } from 'node:stream';
import type { JobProgress, JobResultLine, JobUploadPreview } from '@shared/jobs.js';
import type { ModelResolver } from '../model/types.js';
import type { EngineServices } from '../nodes/kit.js';
import type { PublishedScenarios, ResolvedScenario } from '../publish/registry.js';
import type { DataStore } from '../storage/store.js';
import { JobStore, type JobRow } from '../storage/jobs.js';
import { DomainError } from '../common/domain-error.js';
import { limitersOf } from '../model/limiter/limited-client.js';
import { preloadEncodingGuess } from './decode-upload.js';
import { toProgress, webhookPayload } from './progress.js';
import { streamResults, type ResultFormat } from './results.js';
import type { ResultColumn } from './result-columns.js';
import { JobRunner, type JobRunnerOptions, type SucceededItem } from './runner.js';
import { leaseMsOf } from './runner-options.js';
import { submitJob, type SubmitResult } from './submit.js';
import { DEFAULT_JOB_UPLOAD_CONFIG, type JobUploadConfig } from './upload-config.js';
import { uploadItems } from './upload-items.js';
import { previewUpload } from './upload-preview.js';
import { WebhookSender, type WebhookOptions, type WebhookSink } from './webhook.js';
import { JobQueue, QueuedItemSource, type JobQueueOptions } from './item-queue.js';
import { maintenanceSecondsFor } from './lease-config.js';
import { QueuedWebhooks } from './webhook-queue.js';
import { checkMapping, InvalidWebhookError, refusal, uploadFormatOf, WEBHOOK_URL, type JobSubmission } from './submission.js';

export type { JobSubmission };

/** Settings a test or the bench may change. */
export interface JobServiceOptions {
  runner?: Partial<Pick<JobRunnerOptions, 'deadlineMs' | 'maxAttempts' | 'flushMs' | 'pollMs' | 'targetInFlight' | 'leaseMs'>>;
  /** The PostgreSQL queue's timings (tests shorten them); its expiry is the runner's lease. */
  queue?: Pick<JobQueueOptions, 'retryDelaySeconds' | 'maintenanceIntervalSeconds' | 'maxConnections'> & Partial<Pick<JobQueueOptions, 'retryLimit'>> & { webhookPollSeconds?: number };
  webhook?: WebhookOptions;
  /** Upload limits (defaults: 256 MB as sent, 256 MB unpacked for .xlsx). */
  uploads?: JobUploadConfig;
  /** Where items' runs are logged (the `/v1` run log), so their `run_id` resolves at `GET /v1/runs/{id}`. */
  runLog?: JobRunnerOptions['runLog'];
}

/** The clients that have a limiter: how many items to keep in flight for them. */
function targetFromLimiters(models: ModelResolver): () => number {
  return () => {
    const { client } = models.resolve('default');
    const [limited] = limitersOf([client]);
    // Half again the limit: enough queued at the limiter to use every slot it grants, no more.
    return limited ? Math.min(1024, Math.ceil(limited.limiter.limit * 1.5) + 4) : 32;
  };
}

/** How long after start the encoding guesser is warmed up, ms. */
const WARM_UP_DELAY_MS = 1_000;

/** The jobs subsystem of one server. */
export class JobService {
  /** The store the job tables are in (the HTTP layer records job changes in its audit log). */
  readonly dataStore: DataStore;
  /** Published versions by slug (old ones included), as the runner resolves them. */
  readonly published: PublishedScenarios;
  readonly store: JobStore;
  readonly runner: JobRunner;
  readonly webhooks: WebhookSink;
  /** pg-boss, on PostgreSQL only: job items and webhooks go through it (SQLite keeps the in-process runner). */
  readonly queue: JobQueue | undefined;
  /** The upload limits (evaluation-set files are held to the same). */
  readonly uploads: JobUploadConfig;
  private readonly stopController = new AbortController();
  /** Aborted when the service stops: background work over the job tables ends with it. */
  readonly stopping = this.stopController.signal;
  private readonly endListeners = new Set<(job: JobRow) => void>();
  private readonly succeededListeners = new Set<(items: SucceededItem[]) => void>();

  /** `store`: the store the job tables are in (SQLite or PostgreSQL; no SQLite `Db` needed on PostgreSQL). */
  constructor(store: DataStore, published: PublishedScenarios, models: ModelResolver, services: EngineServices, options: JobServiceOptions = {}) {
    this.dataStore = store;
    this.published = published;
    this.uploads = options.uploads ?? DEFAULT_JOB_UPLOAD_CONFIG;
    this.store = new JobStore(store);
    const maxAttempts = options.runner?.maxAttempts ?? 3;
    const leaseMs = leaseMsOf(options.runner ?? {});
    let source: QueuedItemSource | undefined;
    if (store.dialect === 'postgres') {
      // pg-boss expires slices in its maintenance pass: a lease shorter than a minute is looked at every lease / 2.
      const maintenanceIntervalSeconds = maintenanceSecondsFor(leaseMs);
      this.queue = new JobQueue(store, { expireInSeconds: Math.ceil(leaseMs / 1000), retryLimit: maxAttempts + 3, maintenanceIntervalSeconds, ...options.queue });
      this.queue.attach(this.store);
      this.webhooks = new QueuedWebhooks(this.queue, services.http, this.store, { ...options.webhook, pollSeconds: options.queue?.webhookPollSeconds });
      source = new QueuedItemSource(this.queue, { maxAttempts, leaseMs });
    } else {
      this.webhooks = new WebhookSender(services.http, this.store, options.webhook);
    }
    this.runner = new JobRunner({ store: this.store, published, models, services, webhooks: this.webhooks, source, runLog: options.runLog, targetInFlight: targetFromLimiters(models), compile: { templateLimits: services.templateLimits }, onJobEnded: (job) => this.tellEnded(job), onItemsSucceeded: (items) => this.tellSucceeded(items), ...options.runner });
  }

  /**
   * Calls `listener` with each job that ends from now on, of any purpose (filter on `job.purpose`):
   * completed by the runner (also at start, for one whose last items ended before a crash) or
   * cancelled. A listener's exception is logged. Returns the function that stops it. A
   * crash between a job's end and its listener's work loses the call: a listener that must not miss
   * one also looks, at start, for ended jobs it has not handled.
   */
  onJobEnded(listener: (job: JobRow) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  /**
   * Calls `listener` with the items of batch jobs over published versions that succeed from now on, in
   * batches, after their outcomes are stored (evaluation jobs and frozen drafts are left out). Returns
   * the function that stops it.
   */
  onItemsSucceeded(listener: (items: SucceededItem[]) => void): () => void {
    this.succeededListeners.add(listener);
    return () => this.succeededListeners.delete(listener);
  }

  private tellSucceeded(items: SucceededItem[]): void {
    for (const listener of this.succeededListeners) {
      try {
        listener(items);
      } catch (error) {
        console.error('[mofang] a listener of succeeded job items failed:', loggableError(error));
      }
    }
  }

  private tellEnded(job: JobRow): void {
    for (const listener of this.endListeners) {
      try {
        listener(job);
      } catch (error) {
        console.error(`[mofang] job ${job.id}: a listener of its end failed:`, loggableError(error));
      }
    }
  }

  /**
   * Starts the runner (on PostgreSQL first pg-boss, creating its schema on first use, and this server's
   * webhook worker); settles once it has taken up interrupted work (see JobRunner.start). A queue that
   * cannot start is logged; the runner's claims then fail and are logged until it can.
   */
  start(): Promise<void> {
    const queued = this.queue && this.webhooks instanceof QueuedWebhooks ? this.webhooks.start().catch((error: unknown) => console.error('[mofang] jobs: the queue did not start:', loggableError(error))) : Promise.resolve();
    const started = queued.then(() => this.runner.start());
    // Compiled once the server is up rather than at the first GBK file, after the server is ready (the
    // first requests do not wait for it). Workbooks are read on a worker thread (xlsx-items.ts).
    setTimeout(preloadEncodingGuess, WARM_UP_DELAY_MS).unref();
    return started;
  }

  /** Claims no more items; settles once those in flight have ended and been written (see JobRunner.drain). */
  async drain(): Promise<void> {
    await this.runner.drain();
  }

  /** Stops the runner (items in flight are left running: taken up at the next start, or redelivered by pg-boss), the webhooks and pg-boss. */
  async stop(): Promise<void> {
    this.stopController.abort();
    await this.runner.stop();
    await this.webhooks.close();
    await this.queue?.stop();
  }

  async progress(job: JobRow): Promise<JobProgress> {
    const counts = await this.store.counts(job.id);
    return toProgress(job, counts, this.runner.rates.rate(job.id), job.webhookUrl === null ? 0 : await this.store.webhookAttempts(job.id));
  }

  /**
   * Reads a submission (JSON body, JSONL, CSV or .xlsx upload, in UTF-8, GB18030/GBK or UTF-16) into a
   * job for `target`: `created` (a new job, queued) or `replayed` (same Idempotency-Key, same body).
   * Throws a {@link DomainError}: `unsupported` (`unsupported_media_type`, `unsupported_encoding`,
   * `unsupported_content_encoding`), `invalid` (`invalid_item`, `invalid_body`, `invalid_xlsx`,
   * `invalid_webhook`), `conflict` (`idempotency_conflict`: same key, other body; details `{ job_id }`)
   * or `too_large` (`upload_too_large`: over an upload limit).
   */
  async submit(body: Readable, submission: JobSubmission, target: ResolvedScenario, owner: string): Promise<{ outcome: 'created' | 'replayed'; job: JobRow }> {
    const format = uploadFormatOf(submission.contentType);
    const queryHook = submission.webhookUrl;
    if (queryHook !== undefined && !WEBHOOK_URL.test(queryHook)) throw new DomainError('invalid', 'invalid_webhook', 'webhook must be an http(s) URL');
    const mapping = submission.mapping;
    if (mapping !== undefined) checkMapping(mapping, target.plan.inputSchema);
    let result: SubmitResult;
    try {
      const upload = uploadItems(body, { contentEncoding: submission.contentEncoding }, format, target.plan.inputSchema, this.uploads, mapping);
      result = await submitJob(this.store, { scenarioId: target.scenarioId, slug: target.slug, version: target.version, plan: target.plan }, upload.items, {
        owner,
        idempotencyKey: submission.idempotencyKey,
        webhookUrl: () => upload.bodyWebhook() ?? queryHook ?? null,
        check: (url) => {
          if (url !== null && !WEBHOOK_URL.test(url)) throw new InvalidWebhookError();
        },
        columnOf: (input) => (mapping === undefined ? undefined : mapping[input] || undefined),
      });
    } catch (error) {
      throw refusal(error);
    }
    if (result.outcome === 'conflict') {
      throw new DomainError('conflict', 'idempotency_conflict', 'this Idempotency-Key was used for a different submission', { job_id: result.job.id });
    }
    if (result.outcome === 'created') this.runner.wake();
    return { outcome: result.outcome, job: result.job };
  }

  /**
   * The columns and first `rows` rows of a job file, before it is submitted (see upload-preview.ts).
   * Throws the {@link DomainError}s {@link submit} throws for the same file (`unsupported_media_type`,
   * `invalid_item`, `unsupported_encoding`, `invalid_xlsx`, `upload_too_large`, …).
   */
  async preview(body: Readable, submission: Pick<JobSubmission, 'contentType' | 'contentEncoding'>, rows: number): Promise<JobUploadPreview> {
    const format = uploadFormatOf(submission.contentType);
    try {
      return await previewUpload(body, { contentEncoding: submission.contentEncoding }, format, this.uploads, rows);
    } catch (error) {
      throw refusal(error);
    }
  }

  /** Cancels a job and returns its progress; throws a `conflict` {@link DomainError} `job_ended` when it had already ended. */
  async cancel(job: JobRow): Promise<JobProgress> {
    if (!(await this.store.cancel(job.id, Date.now()))) throw new DomainError('conflict', 'job_ended', `job ${job.id} is already ${job.status}`);
    const updated = (await this.store.getJob(job.id)) ?? job;
    this.cancelled(updated);
    return this.progress(updated);
  }

  /** After a job was cancelled (its row says so): stops its items in flight, sends its webhook, tells the end listeners. */
  cancelled(job: JobRow): void {
    this.runner.cancelJob(job.id);
    if (job.webhookUrl !== null) {
      void this.store.counts(job.id).then(
        (counts) => this.webhooks.send(job, webhookPayload(job, counts)),
        (error: unknown) => console.error(`[mofang] job ${job.id}: its webhook was not sent:`, loggableError(error)),
      );
    }
    this.runner.tellEnded(job);
  }

  /**
   * Retries one failed item, or every failed item when `itemId` is undefined; returns how many were
   * queued again and the job's progress. Throws a {@link DomainError}: `conflict` `job_cancelled`,
   * `not_found` `unknown_item`, `conflict` `item_not_failed`.
   */
  async retry(job: JobRow, itemId?: string): Promise<{ retried: number; job: JobProgress }> {
    if (job.status === 'cancelled') throw new DomainError('conflict', 'job_cancelled', `job ${job.id} was cancelled`);
    if (job.redactedAt !== null) throw new DomainError('conflict', 'transcripts_redacted', `job ${job.id} is past the transcript retention (MOFANG_TRANSCRIPT_RETENTION_DAYS): its items' inputs are cleared`);
    if (itemId !== undefined) {
      const status = await this.store.itemStatus(job.id, itemId);
      if (status === undefined) throw new DomainError('not_found', 'unknown_item', `job ${job.id} has no item "${itemId}"`);
      if (status !== 'failed') throw new DomainError('conflict', 'item_not_failed', `item "${itemId}" is ${status}; only a failed item can be retried`);
    }
    const retried = await this.store.retryFailed(job.id, itemId);
    this.runner.wake();
    const updated = (await this.store.getJob(job.id)) ?? job;
    return { retried, job: await this.progress(updated) };
  }

  /**
   * Writes the job's finished items to `out` as JSONL, CSV or .xlsx (CSV and .xlsx laid out by
   * `columns`), and ends it; `shape` (optional) rewrites each line first (the HTTP layer's masking of
   * customers' data).
   */
  async results(out: Writable, job: JobRow, format: ResultFormat, columns: ResultColumn[], shape?: (line: JobResultLine) => JobResultLine): Promise<void> {
    await streamResults(out, this.store, job.id, format, columns, shape);
  }
}
