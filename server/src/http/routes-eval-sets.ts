/**
 * `/api/scenarios/:id/eval-sets…` and `/api/eval-sets/:setId…`: a scenario's evaluation sets (list,
 * create, import a shipped set, delete), their cases (add as JSON, upload a JSONL / CSV / .xlsx file
 * with the jobs' mapping preview, promote a run or a job item, edit a case's expected outputs, remove a
 * case), any revision read back, and a revision exported as JSONL. Reading needs `eval:read`, changing
 * `eval:write`; every change is audited. Cases are shown masked to a reader without `pii:read`.
 */
import { Router, type Request, type Response } from 'express';
import { AddEvalCasesBodySchema, CreateEvalSetBodySchema, EvalCaseInputSchema, PromoteBodySchema, UpdateEvalCaseBodySchema, type EvalCase, type EvalSetDetail } from '@shared/evaluation.js';
import { issueDetails } from '@shared/issues.js';
import { z } from 'zod';
import { evalSetCasesChange, evalSetCreatedChange, evalSetDeletedChange, recordAuditIn } from '../audit/index.js';
import { DomainError } from '../common/domain-error.js';
import type { EvaluationSets } from '../evaluation/sets.js';
import { toSummary } from '../evaluation/sets.js';
import { exportRevision, previewUploadCases, promote, uploadCases } from '../evaluation/sources.js';
import type { JobUploadConfig } from '../jobs/upload-config.js';
import { MAX_PREVIEW_ROWS } from '../jobs/upload-preview.js';
import { allow } from './access.js';
import { audits, auditedRequestIn, requestActor } from './audit-context.js';
import { parseBody } from './errors.js';
import { mappingParam } from './jobs-replies.js';
import { canReadPii, type PiiAccess } from './pii-access.js';
import { piiView } from './pii.js';
import { acceptsQuery, queryParamError } from './query-params.js';
import { getRun } from '../storage/runs.js';

/** `?revision=N` (or a path's `:n`): a whole number, or undefined when absent. Throws `invalid_revision`. */
function revisionParam(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string' && /^\d{1,9}$/.test(value)) return Number(value);
  throw new DomainError('invalid', 'invalid_revision', 'revision must be a whole number, e.g. 2', { param: 'revision' });
}

/** `?rows=N` of a preview: 1 to {@link MAX_PREVIEW_ROWS} (default 5). Throws `invalid_query_param` `not_whole_number`. */
function rowsParam(value: unknown): number {
  if (value === undefined || value === '') return 5;
  if (typeof value === 'string' && /^\d{1,3}$/.test(value) && Number(value) >= 1 && Number(value) <= MAX_PREVIEW_ROWS) return Number(value);
  throw queryParamError('rows', 'not_whole_number', ['rows'], [1, MAX_PREVIEW_ROWS]);
}

const ImportBuiltinBodySchema = z.object({ name: z.string().min(1).max(100) });

/** The routes; `uploads` are the job upload limits, which set files are held to. */
export function evalSetRoutes(sets: EvaluationSets, uploads: JobUploadConfig, readsPii: PiiAccess = canReadPii): Router {
  const router = Router();
  const store = sets.store;
  const by = (res: Response) => requestActor(res).name ?? 'unknown';
  /** A case as this reader may see it: inputs and expected masked without `pii:read`. */
  const shown = (req: Request, c: EvalCase): EvalCase => {
    const view = piiView(readsPii(req));
    return view.masked ? { ...c, inputs: view.graph({ inputs: c.inputs }).inputs ?? {}, expected: view.graph({ inputs: c.expected }).inputs ?? {} } : c;
  };
  const detail = (req: Request, d: EvalSetDetail): EvalSetDetail => ({ ...d, case_list: d.case_list.map((c) => shown(req, c)) });

  router.get('/scenarios/:id/eval-sets', allow('eval:read'), acceptsQuery(), async (req, res) => {
    res.json({ sets: await sets.list(req.params.id) });
  });
  router.get('/scenarios/:id/eval-sets/targets', allow('eval:read'), acceptsQuery(), async (req, res) => {
    res.json(await sets.targets(req.params.id));
  });
  router.post('/scenarios/:id/eval-sets', allow('eval:write'), acceptsQuery(), audits('eval_set.create'), async (req, res) => {
    const body = parseBody(CreateEvalSetBodySchema, req.body ?? {});
    const row = await auditedRequestIn(store, res, (tx) => sets.within(tx).create(req.params.id, body), (made) => evalSetCreatedChange(made));
    res.status(201).json(await toSummary(store, row));
  });
  router.post('/scenarios/:id/eval-sets/import', allow('eval:write'), acceptsQuery(), audits('eval_set.create'), async (req, res) => {
    const body = parseBody(ImportBuiltinBodySchema, req.body ?? {});
    const made = await auditedRequestIn(store, res, (tx) => sets.within(tx).importBuiltin(req.params.id, body.name, by(res)), (done) => evalSetCreatedChange(done.set, done.change));
    res.status(201).json(await toSummary(store, made.set));
  });
  router.post('/scenarios/:id/eval-sets/preview', allow('eval:write'), acceptsQuery('rows'), async (req: Request<{ id: string }>, res) => {
    const targets = await sets.caseTargets(req.params.id);
    const rows = rowsParam(req.query.rows);
    res.json(await previewUploadCases(req, { contentType: req.headers['content-type'], contentEncoding: req.headers['content-encoding'] }, rows, targets, uploads));
  });

  router.get('/eval-sets/:setId', allow('eval:read'), acceptsQuery('revision'), async (req, res) => {
    res.json(detail(req, await sets.detail(req.params.setId, revisionParam(req.query.revision))));
  });
  router.get('/eval-sets/:setId/revisions', allow('eval:read'), acceptsQuery(), async (req, res) => {
    res.json({ revisions: await sets.revisions(req.params.setId) });
  });
  router.get('/eval-sets/:setId/revisions/:n', allow('eval:read'), acceptsQuery(), async (req, res) => {
    res.json(detail(req, await sets.detail(req.params.setId, revisionParam(req.params.n))));
  });
  router.get('/eval-sets/:setId/export', allow('eval:read'), acceptsQuery('revision'), async (req, res) => {
    const revision = revisionParam(req.query.revision);
    const view = piiView(readsPii(req));
    const file = await exportRevision(sets, req.params.setId, revision);
    const text = view.masked
      ? (await sets.casesOf(req.params.setId, file.revision))
          .map((c) => shown(req, c))
          .map((c) => `${JSON.stringify({ id: c.id, inputs: c.inputs, expected: c.expected })}\n`)
          .join('')
      : file.text;
    res.attachment(file.fileName).type('application/x-ndjson; charset=utf-8').send(text);
  });
  router.delete('/eval-sets/:setId', allow('eval:write'), acceptsQuery(), audits('eval_set.delete'), async (req, res) => {
    await auditedRequestIn(store, res, (tx) => sets.within(tx).remove(req.params.setId), evalSetDeletedChange);
    res.status(204).end();
  });

  router.post('/eval-sets/:setId/cases', allow('eval:write'), acceptsQuery(), audits('eval_set.change'), async (req, res) => {
    const body = parseBody(AddEvalCasesBodySchema, req.body ?? {});
    const cases = body.cases.map((value, index) => {
      const parsed = EvalCaseInputSchema.safeParse(value);
      if (!parsed.success) throw new DomainError('invalid', 'invalid_case', `case ${index + 1}: expected { "id"?, "inputs": { … }, "expected": { … } }`, { index, issues: issueDetails(parsed.error.issues, `cases.${index}`) });
      return parsed.data;
    });
    const set = await sets.get(req.params.setId);
    const reply = await auditedRequestIn(store, res, (tx) => sets.within(tx).addCases(set.id, cases, by(res)), (done) => evalSetCasesChange(set, 'add', done));
    res.status(201).json(reply);
  });
  router.post('/eval-sets/:setId/upload', allow('eval:write'), acceptsQuery('name', 'mapping'), audits('eval_set.change'), async (req: Request<{ setId: string }>, res) => {
    const set = await sets.get(req.params.setId);
    const fileName = typeof req.query.name === 'string' ? req.query.name : undefined;
    const upload = { contentType: req.headers['content-type'], contentEncoding: req.headers['content-encoding'], mapping: mappingParam(req.query.mapping), fileName };
    // The file streams in before the change: the entry follows the revision it made.
    const reply = await uploadCases(sets, set.id, req, upload, by(res), uploads);
    await recordAuditIn(store, requestActor(res), evalSetCasesChange(set, 'upload', reply));
    res.status(201).json(reply);
  });
  router.post('/eval-sets/:setId/promote', allow('eval:write'), acceptsQuery(), audits('eval_set.change'), async (req, res) => {
    const body = parseBody(PromoteBodySchema, req.body ?? {});
    const set = await sets.get(req.params.setId);
    const reply = await auditedRequestIn(store, res, (tx) => promote(sets.within(tx), set.id, body, by(res)), (done) => evalSetCasesChange(set, 'run_id' in body ? 'promote_run' : 'promote_job_item', done));
    res.status(201).json(reply);
  });
  router.put('/eval-sets/:setId/cases/:caseId', allow('eval:write'), acceptsQuery(), audits('eval_set.change'), async (req, res) => {
    const body = parseBody(UpdateEvalCaseBodySchema, req.body ?? {});
    const set = await sets.get(req.params.setId);
    const reply = await auditedRequestIn(store, res, (tx) => sets.within(tx).updateCase(set.id, req.params.caseId, body, by(res)), (done) => evalSetCasesChange(set, 'edit', done));
    res.json(reply);
  });
  router.delete('/eval-sets/:setId/cases/:caseId', allow('eval:write'), acceptsQuery(), audits('eval_set.change'), async (req, res) => {
    const set = await sets.get(req.params.setId);
    const reply = await auditedRequestIn(store, res, (tx) => sets.within(tx).removeCase(set.id, req.params.caseId, by(res)), (done) => evalSetCasesChange(set, 'remove', done));
    res.json(reply);
  });
  return router;
}
