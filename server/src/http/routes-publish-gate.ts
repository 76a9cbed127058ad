/**
 * `/api/scenarios/:id/publish-gate`: read a scenario's publish gate with the metrics its draft can be
 * gated on (`scenarios:read`), set or remove it (`gates:write`, admins), and check the draft against it:
 * `GET …/check` reads the state of the runs it needs, `POST …/check` also starts those missing
 * (`scenarios:publish`, audited as evaluation runs started). See `@shared/publish-gate`.
 */
import { Router, type Request, type Response } from 'express';
import { can } from '@shared/permissions.js';
import { PublishGateSchema, type GateCheck } from '@shared/publish-gate.js';
import { evalRunStartedChange, recordAuditIn, scenarioGateRemovedChange, scenarioGateSetChange } from '../audit/index.js';
import { DomainError } from '../common/domain-error.js';
import { gateOf, type PublishGates } from '../evaluation/gate.js';
import { getEvalSet } from '../storage/evaluation.js';
import { getPublishGate } from '../storage/publish-gates.js';
import { getPublishState } from '../storage/versions.js';
import type { DataStore } from '../storage/store.js';
import { allow, requestUser } from './access.js';
import { canReadPii, type PiiAccess } from './pii-access.js';
import { piiView } from './pii.js';
import { auditedRequestIn, audits, requestActor } from './audit-context.js';
import { parseBody } from './errors.js';

async function scenarioName(store: DataStore, id: string): Promise<string> {
  const state = await getPublishState(store, id);
  if (!state) throw new DomainError('not_found', 'not_found', `no scenario with id "${id}"`);
  return state.name;
}

/** The actor of a request as an evaluation run's owner. */
export function runOwner(res: Response): { id: string; name: string } {
  const actor = requestActor(res);
  return { id: actor.id ?? '', name: actor.name ?? 'unknown' };
}

/**
 * A check as this reader may see it: the worst cases hold customers' transcripts' values, so a reader
 * without `eval:read` gets none, and one without `pii:read` gets them masked (as evaluation sets show them).
 */
export function shownCheck(req: Request, res: Response, check: GateCheck, readsPii: PiiAccess = canReadPii): GateCheck {
  const user = requestUser(res);
  if (check.worst_cases.length === 0) return check;
  if (!user || !can(user.role, 'eval:read')) return { ...check, worst_cases: [] };
  const view = piiView(readsPii(req));
  if (!view.masked) return check;
  const masked = (value: unknown) => view.graph({ inputs: { value } }).inputs?.value;
  return { ...check, worst_cases: check.worst_cases.map((c) => ({ ...c, expected: masked(c.expected), actual: masked(c.actual) })) };
}

/** The routes over `gates`. */
export function publishGateRoutes(gates: PublishGates, readsPii: PiiAccess = canReadPii): Router {
  const router = Router();
  const store = gates.runs.store;

  router.get('/scenarios/:id/publish-gate', allow('scenarios:read'), async (req: Request<{ id: string }>, res: Response) => {
    res.json(await gates.state(req.params.id));
  });

  router.put('/scenarios/:id/publish-gate', allow('gates:write'), audits('scenario.gate_set'), async (req: Request<{ id: string }>, res: Response) => {
    const body = parseBody(PublishGateSchema, req.body ?? {});
    const name = await scenarioName(store, req.params.id);
    const before = await getPublishGate(store, req.params.id);
    const row = await gates.set(req.params.id, body, requestActor(res).name ?? 'unknown');
    await recordAuditIn(store, requestActor(res), scenarioGateSetChange(req.params.id, name, before ? gateOf(before) : null, gateOf(row), (await getEvalSet(gates.runs.store, row.setId))?.name ?? null));
    res.json(await gates.state(req.params.id));
  });

  router.delete('/scenarios/:id/publish-gate', allow('gates:write'), audits('scenario.gate_remove'), async (req: Request<{ id: string }>, res: Response) => {
    const name = await scenarioName(store, req.params.id);
    // The removal and its audit entry in one transaction.
    await auditedRequestIn(store, res, (tx) => gates.remove(req.params.id, tx), (gone) => (gone ? scenarioGateRemovedChange(req.params.id, name, gateOf(gone)) : null));
    res.status(204).end();
  });

  router.get('/scenarios/:id/publish-gate/check', allow('scenarios:read'), async (req: Request<{ id: string }>, res: Response) => {
    await scenarioName(store, req.params.id);
    res.json(shownCheck(req, res, await gates.check(req.params.id, { start: false, by: { id: '', name: '' } }), readsPii));
  });

  router.post('/scenarios/:id/publish-gate/check', allow('scenarios:publish'), audits('eval_run.start'), async (req: Request<{ id: string }>, res: Response) => {
    await scenarioName(store, req.params.id);
    res.json(shownCheck(req, res, await gates.check(req.params.id, { start: true, by: runOwner(res), onStarted: (run) => recordAuditIn(store, requestActor(res), evalRunStartedChange(run)).then(() => undefined) }), readsPii));
  });

  return router;
}
