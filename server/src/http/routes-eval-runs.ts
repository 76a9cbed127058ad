/**
 * `/api/scenarios/:id/eval-runs` and `/api/eval-runs/…`: start an evaluation run (a set revision on the
 * draft or a version, as a job), list a scenario's runs, read one (progress while it runs, every metric
 * once scored), its cases (expected, actual, right or wrong per output, the run of each), cancel it, and
 * compare two. Reading needs `eval:read`, starting and cancelling `eval:write` (both audited). Cases are
 * shown masked to a reader without `pii:read`.
 */
import { Router, type Request, type Response } from 'express';
import { StartEvalRunBodySchema, type EvalRunCase } from '@shared/evaluation-runs.js';
import { evalRunCancelledChange, evalRunStartedChange, recordAuditIn } from '../audit/index.js';
import { DomainError } from '../common/domain-error.js';
import { compareRuns } from '../evaluation/run-compare.js';
import type { EvaluationRuns } from '../evaluation/runs.js';
import { allow } from './access.js';
import { audits, auditedRequestIn, requestActor } from './audit-context.js';
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
  const store = runs.store;
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
    await recordAuditIn(store, actor, evalRunStartedChange(run));
    res.status(202).json({ id: run.id, job_id: run.jobId, total });
  });
  router.get('/scenarios/:id/eval-runs', allow('eval:read'), acceptsQuery(), async (req, res) => {
    await runs.sets.caseTargets(req.params.id);
    res.json({ runs: await runs.list(req.params.id) });
  });
  router.get('/eval-runs/compare', allow('eval:read'), acceptsQuery('a', 'b'), async (req, res) => {
    res.json(await compareRuns(runs, runParam(req.query.a, 'a'), runParam(req.query.b, 'b')));
  });
  router.get('/eval-runs/:runId', allow('eval:read'), acceptsQuery(), async (req, res) => {
    res.json(await runs.detail(req.params.runId));
  });
  router.get('/eval-runs/:runId/cases', allow('eval:read'), acceptsQuery(), async (req, res) => {
    res.json({ cases: (await runs.cases(req.params.runId)).map((c) => shown(req, c)) });
  });
  router.post('/eval-runs/:runId/cancel', allow('eval:write'), acceptsQuery(), audits('eval_run.cancel'), async (req, res) => {
    // The job is cancelled (the jobs store) before the entry, as a start is: a cancel the log names happened.
    const run = await runs.cancel(req.params.runId);
    await recordAuditIn(store, requestActor(res), evalRunCancelledChange(run));
    res.json(await runs.detail(run.id));
  });
  return router;
}
