/**
 * Admin JSON of the inspection dashboard under `/api`: the published scenarios a job can run through,
 * a scenario's dashboard over one job (`?job_id=`) or a time range (`?from=&to=`, epoch ms), the calls
 * behind a bar (`/calls?bucket=`) and one call (`/calls/:jobId/:itemId`).
 */
import { Router, type Request, type Response } from 'express';
import { DashboardQuerySchema, missingAuditOutputs, parseBucket, type DashboardQuery, type JobScenario } from '@shared/dashboard.js';
import { issueDetails } from '@shared/issues.js';
import type { PublishedScenarios } from '../publish/registry.js';
import { sendError } from './errors.js';
import { allow } from './access.js';
import type { DataStore } from '../storage/store.js';
import { JobStore } from '../storage/jobs.js';
import { getPublishState, listLiveScenarios, listVersions } from '../storage/versions.js';
import { callDetail, callsBehind } from '../jobs/dashboard-calls.js';
import { computeDashboard, scopeOf } from '../jobs/dashboard.js';
import { canReadPii, type PiiAccess } from './pii-access.js';
import { piiView } from './pii.js';

function intParam(value: unknown, fallback: number, max: number): number {
  const n = typeof value === 'string' ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 0 ? Math.min(n, max) : fallback;
}

/** Output names of a published version (undefined when it cannot be resolved). */
async function outputsOf(published: PublishedScenarios, slug: string, version?: number): Promise<string[] | undefined> {
  const resolved = await published.resolve(slug, version);
  if ('error' in resolved) return undefined;
  const properties: unknown = resolved.plan.outputSchema.properties;
  return typeof properties === 'object' && properties !== null ? Object.keys(properties) : [];
}

/**
 * Mount on the `/api` router. Everything is read from `store` (SQLite or PostgreSQL). `readsPii` says whether a request's user
 * sees the calls' personal data unmasked.
 */
export function dashboardRoutes(store: DataStore, published: PublishedScenarios, readsPii: PiiAccess = canReadPii): Router {
  const router = Router();
  const jobs = new JobStore(store);

  /**
   * Parses the query and checks the scenario (and job) exist; answers the error itself and returns
   * undefined otherwise. `missing` lists the audit outputs the job's version (or the live one) lacks.
   */
  const prepare = async (req: Request<{ id: string }>, res: Response): Promise<{ query: DashboardQuery; missing: string[] } | undefined> => {
    const parsed = DashboardQuerySchema.safeParse(req.query);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      sendError(res, 400, 'invalid_query', `${issue?.path.join('.') ?? 'query'}: ${issue?.message ?? 'invalid'}`, issueDetails(parsed.error.issues));
      return undefined;
    }
    const state = await getPublishState(store, req.params.id);
    if (!state) {
      sendError(res, 404, 'not_found', `no scenario "${req.params.id}"`);
      return undefined;
    }
    const query = parsed.data;
    let names: string[] | undefined;
    if (query.job_id !== undefined) {
      const job = await jobs.getJob(query.job_id);
      if (!job || job.scenarioId !== state.id) {
        sendError(res, 404, 'unknown_job', `scenario "${state.id}" has no job "${query.job_id}"`);
        return undefined;
      }
      names = await outputsOf(published, job.slug, job.version);
    } else if (state.slug !== null) {
      names = await outputsOf(published, state.slug);
    }
    if (names === undefined) {
      sendError(res, 409, 'not_published', 'the dashboard reads the results of jobs over a published scenario');
      return undefined;
    }
    return { query, missing: missingAuditOutputs(names) };
  };

  router.get('/dashboard/scenarios', allow('dashboard:read'), async (_req, res) => {
    const scenarios: JobScenario[] = [];
    for (const s of await listLiveScenarios(store)) {
      const latest = (await listVersions(store, s.id)).reduce((max, v) => Math.max(max, v.version), s.liveVersion);
      const names = (await outputsOf(published, s.slug)) ?? [];
      scenarios.push({ id: s.id, name: s.name, slug: s.slug, live_version: s.liveVersion, latest_version: latest, audit: missingAuditOutputs(names).length === 0 });
    }
    res.json({ scenarios });
  });

  router.get('/scenarios/:id/dashboard', allow('dashboard:read'), async (req: Request<{ id: string }>, res) => {
    const ready = await prepare(req, res);
    if (!ready) return;
    if (ready.missing.length > 0) return res.json({ audit: false, missing: ready.missing });
    res.json(await computeDashboard(store, scopeOf(req.params.id, ready.query), { interval: ready.query.interval, tzMinutes: ready.query.tz }));
  });

  router.get('/scenarios/:id/dashboard/calls', allow('dashboard:read'), async (req: Request<{ id: string }>, res) => {
    const ready = await prepare(req, res);
    if (!ready) return;
    if (ready.missing.length > 0) return sendError(res, 409, 'not_audit', `the scenario's outputs lack ${ready.missing.join(', ')}`);
    const bucket = parseBucket(typeof req.query.bucket === 'string' ? req.query.bucket : '');
    if (!bucket) return sendError(res, 400, 'invalid_bucket', 'bucket must be score:<lo>-<hi>, item:<id>:fail|pass|na, fatal:<id>, verdict:<v> or time:<ms>-<ms>');
    const limit = Math.max(1, intParam(req.query.limit, 50, 200));
    const page = await callsBehind(store, scopeOf(req.params.id, ready.query), bucket, intParam(req.query.offset, 0, 10_000_000), limit);
    res.json(piiView(readsPii(req)).callPage(page));
  });

  router.get('/scenarios/:id/dashboard/calls/:jobId/:itemId', allow('dashboard:read'), async (req: Request<{ id: string; jobId: string; itemId: string }>, res) => {
    const call = await callDetail(store, req.params.id, req.params.jobId, req.params.itemId);
    if (!call) return sendError(res, 404, 'unknown_call', `no item "${req.params.itemId}" in job "${req.params.jobId}" of this scenario`);
    res.json(piiView(readsPii(req)).callDetail(call));
  });

  // By the item's line: how a user without pii:read (who sees item ids masked) opens a call.
  router.get('/scenarios/:id/dashboard/calls/:jobId/lines/:line', allow('dashboard:read'), async (req: Request<{ id: string; jobId: string; line: string }>, res) => {
    const line = /^[0-9]{1,9}$/.test(req.params.line) ? Number(req.params.line) : undefined;
    const call = line === undefined ? undefined : await callDetail(store, req.params.id, req.params.jobId, { line });
    if (!call) return sendError(res, 404, 'unknown_call', `no line ${req.params.line} in job "${req.params.jobId}" of this scenario`);
    res.json(piiView(readsPii(req)).callDetail(call));
  });
  return router;
}
