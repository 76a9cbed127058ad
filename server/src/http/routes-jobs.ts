/**
 * Admin JSON for the jobs UI under `/api` (no key, like the rest of `/api`): list, detail with a page
 * of failures, submit for a scenario's live (or `?version=`) published version, cancel, retry, results.
 */
import { Router, type Request, type Response } from 'express';
import type { JobDetail, JobFailure } from '@shared/jobs.js';
import type { PublishedScenarios } from '../publish/registry.js';
import { sendError } from './errors.js';
import { allow, requestUser } from './access.js';
import { audits } from './audit-context.js';
import type { DataStore } from '../storage/store.js';
import { userOwner } from '../jobs/owner.js';
import { describeOwners } from './job-submitters.js';
import { resultTable } from './v1/jobs-routes.js';
import type { JobRow } from '../storage/jobs.js';
import { getPublishState } from '../storage/versions.js';
import { resultLine } from '../jobs/results.js';
import type { JobService } from '../jobs/service.js';
import { replyCancel, replyPreview, replyResults, replyRetry, replySubmit } from './jobs-replies.js';
import { replyUploadTemplate } from './job-template.js';
import { canReadPii, type PiiAccess } from './pii-access.js';
import { piiView, withoutWebhookSecrets } from './pii.js';
import { can } from '@shared/permissions.js';

function intParam(value: unknown, fallback: number, max: number): number {
  const n = typeof value === 'string' ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 0 ? Math.min(n, max) : fallback;
}

/**
 * Mount before the `/api` router's JSON parser: the submit route streams its body (job-service).
 * `readsPii` says whether a request's user sees items' personal data (results, reasons) unmasked.
 */
export function jobAdminRoutes(store: DataStore, published: PublishedScenarios, jobs: JobService, readsPii: PiiAccess = canReadPii): Router {
  const router = Router();
  /** Whether the request's user may change jobs (and so see a webhook URL whole: its query may hold a token). */
  const changesJobs = (res: Response): boolean => {
    const user = requestUser(res);
    return user !== undefined && can(user.role, 'jobs:write');
  };
  const found = async (req: Request<{ id: string }>, res: Response): Promise<JobRow | undefined> => {
    // An evaluation's job is the evaluation's to show, cancel and read.
    const job = await jobs.store.getJob(req.params.id);
    if (!job || job.purpose !== 'batch') {
      sendError(res, 404, 'unknown_job', `no job "${req.params.id}"`);
      return undefined;
    }
    return job;
  };

  router.get('/jobs', allow('jobs:read'), async (req, res) => {
    const scenarioId = typeof req.query.scenario_id === 'string' && req.query.scenario_id !== '' ? req.query.scenario_id : undefined;
    const limit = intParam(req.query.limit, 50, 500);
    const list = await jobs.store.listJobs(scenarioId, limit);
    const submitters = await describeOwners(store, list.map((job) => job.owner));
    const shown = changesJobs(res) ? (job: JobRow) => jobs.progress(job) : async (job: JobRow) => withoutWebhookSecrets(await jobs.progress(job));
    const progress = await Promise.all(list.map(shown));
    res.json({ jobs: list.map((job, i) => ({ ...progress[i], scenario_id: job.scenarioId, submitted_by: submitters.get(job.owner) })) });
  });

  router.get('/jobs/:id', allow('jobs:read'), async (req: Request<{ id: string }>, res) => {
    const job = await found(req, res);
    if (!job) return;
    const offset = intParam(req.query.offset, 0, 1_000_000);
    const limit = intParam(req.query.limit, 50, 500);
    const page = await jobs.store.failures(job.id, offset, limit);
    const view = piiView(readsPii(req));
    const items: JobFailure[] = page.rows.map((row) => {
      const line = resultLine(row);
      return view.jobFailure({ id: row.itemId, line: row.seq, run_id: row.runId, attempts: row.attempts, error: line.error ?? { code: 'unknown', message: 'no reason recorded' }, finished_at: row.finishedAt === null ? null : new Date(row.finishedAt).toISOString() });
    });
    const submitted_by = (await describeOwners(store, [job.owner])).get(job.owner) ?? { type: 'user', id: null, name: '' };
    const progress = changesJobs(res) ? await jobs.progress(job) : withoutWebhookSecrets(await jobs.progress(job));
    const detail: JobDetail = { ...progress, scenario_id: job.scenarioId, simulated: await jobs.store.simulatedCount(job.id), submitted_by, errors: { items, total: page.total, offset, limit } };
    res.json(detail);
  });

  router.get('/scenarios/:id/jobs/template', allow('jobs:read'), async (req: Request<{ id: string }>, res) => {
    await replyUploadTemplate(store, published, readsPii, req, res);
  });

  // Reads the file as a submission would and answers its first rows; nothing is stored.
  router.post('/scenarios/:id/jobs/preview', allow('jobs:write'), async (req: Request<{ id: string }>, res) => {
    if (!(await getPublishState(store, req.params.id))) return sendError(res, 404, 'not_found', `no scenario "${req.params.id}"`);
    await replyPreview(jobs, req, res);
  });

  router.post('/scenarios/:id/jobs', allow('jobs:write'), audits('job.submit'), async (req: Request<{ id: string }>, res) => {
    const scenario = await getPublishState(store, req.params.id);
    if (!scenario) return sendError(res, 404, 'not_found', `no scenario "${req.params.id}"`);
    if (!scenario.slug) return sendError(res, 409, 'not_published', 'publish the scenario before running a job over it');
    const version = req.query.version === undefined ? undefined : intParam(req.query.version, -1, 1e9);
    if (version === -1 || version === 0) return sendError(res, 400, 'invalid_version', 'version must be a positive whole number');
    const resolved = await published.resolve(scenario.slug, version);
    if ('error' in resolved) return sendError(res, resolved.error === 'unknown_version' ? 404 : 409, resolved.error, `scenario "${scenario.slug}" cannot run a job: ${resolved.error}`);
    const user = requestUser(res);
    if (!user) return sendError(res, 401, 'unauthenticated', 'sign in to submit a job');
    await replySubmit(jobs, req, res, resolved, userOwner(user.id));
  });

  router.post('/jobs/:id/cancel', allow('jobs:write'), audits('job.cancel'), async (req: Request<{ id: string }>, res) => {
    const job = await found(req, res);
    if (job) await replyCancel(jobs, res, job);
  });

  router.post('/jobs/:id/retry-failed', allow('jobs:write'), audits('job.retry'), async (req: Request<{ id: string }>, res) => {
    const job = await found(req, res);
    if (job) await replyRetry(jobs, res, job);
  });

  router.post('/jobs/:id/items/:itemId/retry', allow('jobs:write'), audits('job.retry'), async (req: Request<{ id: string; itemId: string }>, res) => {
    const job = await found(req, res);
    if (job) await replyRetry(jobs, res, job, req.params.itemId);
  });

  router.get('/jobs/:id/results', allow('jobs:read'), async (req: Request<{ id: string }>, res) => {
    const job = await found(req, res);
    if (job) await replyResults(jobs, req, res, job, await resultTable(published, job, req.query.lang), piiView(readsPii(req)).resultLine);
  });
  return router;
}
