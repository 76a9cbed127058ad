/**
 * `/api/scenarios/:id/eval-runs` and `/api/eval-runs/…`: start an evaluation run (a set revision on the
 * draft or a version, as a job), list a scenario's runs, read one (progress while it runs, every metric
 * once scored), its cases (expected, actual, right or wrong per output, the run of each), cancel it, and
 * compare two. Reading needs `eval:read`, starting and cancelling `eval:write` (both audited). Cases are
 * shown masked to a reader without `pii:read`.
 */
import { Router, type Request, type Response } from 'express';
import { StartEvalRunBodySchema, type EvalRunCase } from '@shared/evaluation-runs.js';
import { evalRunCancelledChange, evalRunStartedChange } from '../audit/index.js';
import { DomainError } from '../common/domain-error.js';
import { compareRuns } from '../evaluation/run-compare.js';
import type { EvaluationRuns } from '../evaluation/runs.js';
import { allow } from './access.js';
import { audits, auditedRequest, recordRequest, requestActor } from './audit-context.js';
import { parseBody } from './errors.js';
import { canReadPii, type PiiAccess } from './pii-access.js';
import { piiView } from './pii.js';
import { acceptsQuery } from './query-params.js';

/** `?a=` / `?b=`: a run id. Throws `invalid` `missing_eval_runs`. */
function runParam(value: unknown, name: string): string {
  if (typeof value === 'string' && value.length > 0 && value.length <= 200) return value;
  throw new DomainError('invalid', 'missing_eval_runs', `give the two runs to compare as ?a=<run id>&b=<run id> (${name} is missing)`, { param: name });
}

/** The routes over `runs`. */
export function evalRunRoutes(runs: EvaluationRuns, readsPii: PiiAccess = canReadPii): Router {
  const router = Router();
  const db = runs.jobs.db;
  const masked = (req: Request, values: Record<string, unknown> | null): Record<string, unknown> | null => {
    const view = piiView(readsPii(req));
    return values === null || !view.masked ? values : (view.graph({ inputs: values }).inputs ?? {});
  };
  const shown = (req: Request, c: EvalRunCase): EvalRunCase => ({ ...c, expected: masked(req, c.expected) ?? {}, actual: masked(req, c.actual) });

  router.post('/scenarios/:id/eval-runs', allow('eval:write'), acceptsQuery(), audits('eval_run.start'), async (req: Request<{ id: string }>, res: Response) => {
    const body = parseBody(StartEvalRunBodySchema, req.body ?? {});
    const actor = requestActor(res);
    const { run, total } = await runs.startRun(req.params.id, { setId: body.set_id, revision: body.revision, target: body.target }, { id: actor.id ?? '', name: actor.name ?? 'unknown' });
    // The job is stored before the entry: a start the log names always ran.
    recordRequest(db, res, evalRunStartedChange(run));
    res.status(202).json({ id: run.id, job_id: run.jobId, total });
  });
  router.get('/scenarios/:id/eval-runs', allow('eval:read'), acceptsQuery(), (req, res) => {
    runs.sets.caseTargets(req.params.id);
    res.json({ runs: runs.list(req.params.id) });
  });
  router.get('/eval-runs/compare', allow('eval:read'), acceptsQuery('a', 'b'), (req, res) => {
    res.json(compareRuns(runs, runParam(req.query.a, 'a'), runParam(req.query.b, 'b')));
  });
  router.get('/eval-runs/:runId', allow('eval:read'), acceptsQuery(), (req, res) => {
    res.json(runs.detail(req.params.runId));
  });
  router.get('/eval-runs/:runId/cases', allow('eval:read'), acceptsQuery(), (req, res) => {
    res.json({ cases: runs.cases(req.params.runId).map((c) => shown(req, c)) });
  });
  router.post('/eval-runs/:runId/cancel', allow('eval:write'), acceptsQuery(), audits('eval_run.cancel'), (req, res) => {
    const run = auditedRequest(db, res, () => runs.cancel(req.params.runId), (row) => evalRunCancelledChange(row));
    res.json(runs.detail(run.id));
  });
  return router;
}
