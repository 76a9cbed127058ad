/**
 * `/v1` jobs: submit (JSON, JSONL, CSV or .xlsx, by Content-Type or at `/jobs/{format}`), progress, results, cancel, retry one item. Same
 * bearer keys and scopes as the run API: a job of a scenario outside the key's scope, or another key's
 * job (unless the key holds `runs:read`, which reads but never cancels or retries it), is a 404, as an
 * unknown one.
 */
import { Router, type Request, type Response } from 'express';
import { JOB_UPLOAD_FORMATS, type JobUploadFormat } from '@shared/jobs.js';
import { uploadFormat } from '../../jobs/parse-items.js';
import type { PublishedScenarios } from '../../publish/registry.js';
import type { JobService } from '../../jobs/service.js';
import type { JobRow } from '../../storage/jobs.js';
import { sendError } from '../errors.js';
import { authenticate, inScope, keyOf, mayRead } from './auth.js';
import type { V1Runtime } from './runtime.js';
import { replyCancel, replyResults, replyRetry, replySubmit } from '../jobs-replies.js';
import { withoutWebhookSecrets } from '../pii.js';
import { resultColumns, resultLang, type ResultColumn } from '../../jobs/result-columns.js';

const VERSION_PATTERN = /^[1-9]\d{0,8}$/;

/** The CSV and .xlsx columns of a job's results, from its version's outputs and audit items (`?lang=` words the item columns). */
export async function resultTable(published: PublishedScenarios, job: JobRow, lang: unknown): Promise<ResultColumn[]> {
  const resolved = await published.resolve(job.slug, job.version);
  return 'error' in resolved ? resultColumns(undefined, undefined, resultLang(lang)) : resultColumns(resolved.graph, resolved.plan.outputSchema, resultLang(lang));
}

/** The `/v1` jobs router; mount it at `/v1` before the run API's router (it only answers its own paths). */
export function v1JobRoutes(runtime: V1Runtime, published: PublishedScenarios, jobs: JobService): Router {
  const router = Router();
  const auth = authenticate(runtime);

  /**
   * The job if the key may see it (`change`: cancel or retry it, which only the key that submitted it
   * may; reading it, also one holding `runs:read`), else a 404 already sent. An evaluation's job is
   * never visible here.
   */
  const visibleJob = async (req: Request<{ id: string }>, res: Response, change = false): Promise<JobRow | undefined> => {
    const key = keyOf(res);
    const job = await jobs.store.getJob(req.params.id);
    if (!key || !job || job.purpose !== 'batch' || !(change ? job.owner === key.id && inScope(key, job.slug) : mayRead(key, job.slug, job.owner))) {
      sendError(res, 404, 'unknown_job', `no job "${req.params.id}"`);
      return undefined;
    }
    return job;
  };

  /** Content-Types that say nothing of the format: a format path reads such a body as its own format. */
  const GENERIC_TYPES = new Set(['', 'application/octet-stream', 'text/plain', 'application/x-www-form-urlencoded']);

  /**
   * A submission; `format` (the `/jobs/{format}` paths) fixes the media type, so a client that sends
   * no Content-Type, or a generic one (`application/octet-stream`; `text/plain`, which fetch gives a
   * string body; `application/x-www-form-urlencoded`, which `curl --data-binary` sends), is read as that format; another type is a 415.
   */
  const submit = async (req: Request<{ slug: string }>, res: Response, format?: JobUploadFormat): Promise<void> => {
    const key = keyOf(res);
    const slug = req.params.slug;
    if (!key || !inScope(key, slug)) return sendError(res, 404, 'unknown_scenario', `no published scenario "${slug}"`);
    const rawVersion = req.query.version;
    let version: number | undefined;
    if (rawVersion !== undefined) {
      if (typeof rawVersion !== 'string' || !VERSION_PATTERN.test(rawVersion)) return sendError(res, 400, 'invalid_version', 'version must be a positive whole number, e.g. ?version=3');
      version = Number(rawVersion);
    }
    const resolved = await published.resolve(slug, version);
    if ('error' in resolved) {
      if (resolved.error === 'unknown_version') return sendError(res, 404, 'unknown_version', `scenario "${slug}" has no version ${version}`);
      if (resolved.error === 'version_not_runnable') return sendError(res, 409, resolved.error, resolved.message);
      return sendError(res, 404, 'unknown_scenario', `no published scenario "${slug}"`);
    }
    if (format) {
      const sent = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (GENERIC_TYPES.has(sent)) req.headers['content-type'] = format.mediaType;
      else if (uploadFormat(sent) !== uploadFormat(format.mediaType)) return sendError(res, 415, 'unsupported_media_type', `this path takes ${format.mediaType} (${format.label}); ${sent} goes to another path`);
    }
    await replySubmit(jobs, req, res, resolved, key.id);
  };
  // No body parser: the job service streams every format itself (and decodes its encoding).
  router.post('/scenarios/:slug/jobs', auth, (req: Request<{ slug: string }>, res) => submit(req, res));
  router.post('/scenarios/:slug/jobs/:format', auth, (req: Request<{ slug: string; format: string }>, res, next) => {
    const format = JOB_UPLOAD_FORMATS.find((f) => f.name === req.params.format);
    if (!format) return next();
    return submit(req, res, format);
  });
  router.get('/jobs/:id', auth, async (req: Request<{ id: string }>, res) => {
    const job = await visibleJob(req, res);
    // A key reading another key's job (runs:read) does not see that job's webhook secrets.
    if (job) res.json(job.owner === keyOf(res)?.id ? await jobs.progress(job) : withoutWebhookSecrets(await jobs.progress(job)));
  });

  router.get('/jobs/:id/results', auth, async (req: Request<{ id: string }>, res) => {
    const job = await visibleJob(req, res);
    if (job) await replyResults(jobs, req, res, job, await resultTable(published, job, req.query.lang));
  });

  router.post('/jobs/:id/cancel', auth, async (req: Request<{ id: string }>, res) => {
    const job = await visibleJob(req, res, true);
    if (job) await replyCancel(jobs, res, job);
  });

  router.post('/jobs/:id/items/:itemId/retry', auth, async (req: Request<{ id: string; itemId: string }>, res) => {
    const job = await visibleJob(req, res, true);
    if (job) await replyRetry(jobs, res, job, req.params.itemId);
  });
  return router;
}
