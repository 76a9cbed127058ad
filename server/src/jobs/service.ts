/**
 * Everything the jobs routes share: the store, the runner and the webhook sender (started and stopped
 * with the server), and the request-level operations both `/v1` and `/api` use.
 */
import type { Request, Response } from 'express';
import type { JobProgress } from '@shared/jobs.js';
import type { ModelResolver } from '../model/types.js';
import type { EngineServices } from '../nodes/kit.js';
import type { PublishedScenarios, ResolvedScenario } from '../publish/registry.js';
import type { Db } from '../storage/db.js';
import { JobStore, type JobRow } from '../storage/jobs.js';
import { sendError } from '../http/errors.js';
import { limitersOf } from './limited-client.js';
import { preloadEncodingGuess, UploadEncodingError, UploadTooLargeError } from './decode-upload.js';
import { JsonBodyError } from './json-items.js';
import { ItemLineError, uploadFormat } from './parse-items.js';
import { toProgress, webhookPayload } from './progress.js';
import { streamResults } from './results.js';
import { JobRunner, type JobRunnerOptions } from './runner.js';
import { submitJob } from './submit.js';
import { DEFAULT_JOB_UPLOAD_CONFIG, type JobUploadConfig } from './upload-config.js';
import { ContentEncodingError, uploadItems } from './upload-items.js';
import { preloadXlsxReader, XlsxError } from './xlsx-items.js';
import { WebhookSender, type WebhookOptions } from './webhook.js';

/** Settings a test or the bench may change. */
export interface JobServiceOptions {
  runner?: Partial<Pick<JobRunnerOptions, 'deadlineMs' | 'maxAttempts' | 'flushMs' | 'pollMs' | 'targetInFlight'>>;
  webhook?: WebhookOptions;
  /** Upload limits (defaults: 256 MB as sent, 256 MB unpacked for .xlsx). */
  uploads?: JobUploadConfig;
  /** Where items' runs are logged (the `/v1` run log), so their `run_id` resolves at `GET /v1/runs/{id}`. */
  runLog?: JobRunnerOptions['runLog'];
}

const WEBHOOK_URL = /^https?:\/\/\S+$/i;

class InvalidWebhookError extends Error {}

/** The clients that have a limiter: how many items to keep in flight for them. */
function targetFromLimiters(models: ModelResolver): () => number {
  return () => {
    const { client } = models.resolve('default');
    const [limited] = limitersOf([client]);
    // Half again the limit: enough queued at the limiter to use every slot it grants, no more.
    return limited ? Math.min(1024, Math.ceil(limited.limiter.limit * 1.5) + 4) : 32;
  };
}

/** The jobs subsystem of one server. */
export class JobService {
  readonly store: JobStore;
  readonly runner: JobRunner;
  readonly webhooks: WebhookSender;
  private readonly uploads: JobUploadConfig;

  constructor(db: Db, published: PublishedScenarios, models: ModelResolver, services: EngineServices, options: JobServiceOptions = {}) {
    this.uploads = options.uploads ?? DEFAULT_JOB_UPLOAD_CONFIG;
    this.store = new JobStore(db);
    this.webhooks = new WebhookSender(services.http, this.store, options.webhook);
    this.runner = new JobRunner({ store: this.store, published, models, webhooks: this.webhooks, runLog: options.runLog, targetInFlight: targetFromLimiters(models), ...options.runner });
  }

  start(): void {
    this.runner.start();
    // Loaded and compiled once the server is up rather than at the first workbook or GBK file.
    setImmediate(() => {
      preloadEncodingGuess();
      void preloadXlsxReader().catch(() => {});
    });
  }

  async stop(): Promise<void> {
    await this.runner.stop();
    await this.webhooks.close();
  }

  progress(job: JobRow): JobProgress {
    return toProgress(job, this.store.counts(job.id), this.runner.rates.rate(job.id), job.webhookUrl === null ? 0 : this.store.webhookAttempts(job.id));
  }

  /**
   * Reads a submission (JSON body, JSONL, CSV or .xlsx upload, in UTF-8, GB18030/GBK or UTF-16) into a
   * job for `target` and answers 202, 200 (same Idempotency-Key, same body), 400 (a bad line, body or
   * workbook), 409 (same key, other body), 413 (over an upload limit) or 415 (a type, encoding or
   * Content-Encoding Mofang does not read).
   */
  async submit(req: Request, res: Response, target: ResolvedScenario, owner: string): Promise<void> {
    const format = uploadFormat(req.headers['content-type']);
    if (!format) return sendError(res, 415, 'unsupported_media_type', 'send application/json, application/x-ndjson (JSONL), text/csv or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet (.xlsx)');
    const rawKey = req.headers['idempotency-key'];
    const idempotencyKey = typeof rawKey === 'string' && rawKey.trim() !== '' ? rawKey.trim().slice(0, 200) : null;
    const queryHook = typeof req.query.webhook === 'string' && req.query.webhook !== '' ? req.query.webhook : undefined;
    if (queryHook !== undefined && !WEBHOOK_URL.test(queryHook)) return sendError(res, 400, 'invalid_webhook', 'webhook must be an http(s) URL');
    try {
      const upload = uploadItems(req, { contentEncoding: req.headers['content-encoding'] }, format, target.plan.inputSchema, this.uploads);
      const result = await submitJob(this.store, { scenarioId: target.scenarioId, slug: target.slug, version: target.version, plan: target.plan }, upload.items, {
        owner,
        idempotencyKey,
        webhookUrl: () => upload.bodyWebhook() ?? queryHook ?? null,
        check: (url) => {
          if (url !== null && !WEBHOOK_URL.test(url)) throw new InvalidWebhookError();
        },
      });
      if (result.outcome === 'conflict') {
        return sendError(res, 409, 'idempotency_conflict', 'this Idempotency-Key was used for a different submission', { job_id: result.job.id });
      }
      if (result.outcome === 'created') this.runner.wake();
      res.status(result.outcome === 'created' ? 202 : 200).json({ job_id: result.job.id, total: result.job.total });
    } catch (error) {
      this.refuse(res, error);
    }
  }

  /** The reply to a submission that failed; rethrows what is not a problem with the submission. */
  private refuse(res: Response, error: unknown): void {
    if (error instanceof ItemLineError) {
      return sendError(res, 400, 'invalid_item', error.message, { line: error.line, problem: error.problem, ...(error.sheet === undefined ? {} : { sheet: error.sheet, row: error.line }) });
    }
    if (error instanceof UploadEncodingError) return sendError(res, 415, 'unsupported_encoding', error.message, { encoding: error.detected, line: error.line });
    if (error instanceof UploadTooLargeError) return sendError(res, 413, 'upload_too_large', error.message, { limit_bytes: error.limitBytes, setting: error.setting });
    if (error instanceof JsonBodyError) return sendError(res, 400, 'invalid_body', error.message);
    if (error instanceof XlsxError) return sendError(res, 400, 'invalid_xlsx', error.message);
    if (error instanceof ContentEncodingError) return sendError(res, 415, 'unsupported_content_encoding', error.message);
    if (error instanceof InvalidWebhookError) return sendError(res, 400, 'invalid_webhook', 'webhook must be an http(s) URL');
    throw error;
  }

  /** `POST …/cancel`: 200 with the progress, or 409 when the job had already ended. */
  cancel(res: Response, job: JobRow): void {
    if (!this.store.cancel(job.id, Date.now())) return sendError(res, 409, 'job_ended', `job ${job.id} is already ${job.status}`);
    this.runner.cancelJob(job.id);
    const updated = this.store.getJob(job.id) ?? job;
    this.webhooks.send(updated, webhookPayload(updated, this.store.counts(updated.id)));
    res.json(this.progress(updated));
  }

  /** Retries one failed item, or every failed item when `itemId` is undefined. */
  retry(res: Response, job: JobRow, itemId?: string): void {
    if (job.status === 'cancelled') return sendError(res, 409, 'job_cancelled', `job ${job.id} was cancelled`);
    if (itemId !== undefined) {
      const status = this.store.itemStatus(job.id, itemId);
      if (status === undefined) return sendError(res, 404, 'unknown_item', `job ${job.id} has no item "${itemId}"`);
      if (status !== 'failed') return sendError(res, 409, 'item_not_failed', `item "${itemId}" is ${status}; only a failed item can be retried`);
    }
    const retried = this.store.retryFailed(job.id, itemId);
    this.runner.wake();
    const updated = this.store.getJob(job.id) ?? job;
    res.status(202).json({ retried, job: this.progress(updated) });
  }

  /** Streams the results as JSONL, or CSV with `?format=csv`. */
  async results(req: Request, res: Response, job: JobRow, outputNames: string[]): Promise<void> {
    const format = req.query.format === 'csv' ? 'csv' : 'jsonl';
    await streamResults(res, this.store, job.id, format, outputNames, `${job.slug}-job-${job.id.slice(0, 8)}`);
  }
}
