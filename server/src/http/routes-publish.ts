/**
 * `/api/scenarios/:id/publish`, `/publication`, `/versions`, `/versions/:n`, `/rollback`, `/diff`: publishing a draft
 * as an immutable version, choosing which version is live, and comparing versions.
 */
import { knownModelAliases } from '../endpoints/config.js';
import { Router, type Request, type Response } from 'express';
import { GraphSchema, storedGraph, type Graph } from '@shared/graph.js';
import { PublishBodySchema, RollbackBodySchema, type VersionDetail } from '@shared/publish.js';
import { diffGraphs } from '../publish/diff.js';
import { precompileDraft, preparePublish, publication, publishDraft, rollback } from '../publish/publish.js';
import { can } from '@shared/permissions.js';
import type { GateCheck, PublishEvaluating } from '@shared/publish-gate.js';
import { DomainError } from '../common/domain-error.js';
import { versionGate, type PublishGates } from '../evaluation/gate.js';
import { runOwner, shownCheck } from './routes-publish-gate.js';
import { requestUser } from './access.js';
import { getPublishState, getVersion, listVersions, versionSummary } from '../storage/versions.js';
import { evalRunStartedChange, publishedSide, scenarioPublishedChange, scenarioRolledBackChange } from '../audit/index.js';
import { scenariosChanged } from '../storage/slug-cache.js';
import { appStore, type AppDeps } from './context.js';
import { HttpError, parseBody } from './errors.js';
import { allow } from './access.js';
import { audits, auditedRequestIn, recordRequest, requestActor } from './audit-context.js';
import { canReadPii } from './pii-access.js';
import { piiView } from './pii.js';

/** A positive integer from a path or query parameter, else a 400 naming the parameter. */
function versionParam(value: unknown, name: string): number {
  const text = typeof value === 'string' ? value : '';
  if (!/^[1-9][0-9]{0,8}$/.test(text)) throw new HttpError(400, 'invalid_version', `"${name}" must be a version number (1, 2, …)${name === 'to' ? ' or "draft"' : ''}`);
  return Number(text);
}

/** Who a version names as its publisher: the signed-in user (a typed `by` cannot stand in for another person). */
export function publisherName(res: Response, typed: string | undefined): string | undefined {
  const user = requestUser(res);
  return user ? user.name : typed;
}

/** A failed gate in words (English, for logs and the CLI; the UI words `details.gate` itself). */
function gateRefusal(check: GateCheck): string {
  const metric = check.gate?.metric ?? '';
  const parts = check.failures.map((f) => {
    if (f.rule === 'min') return `${metric} is ${f.value} < the minimum ${f.bar}`;
    if (f.rule === 'max_drop') return `${metric} is ${f.value}, ${f.drop?.toFixed(4)} below the live version's ${f.live_value} (at most ${check.gate?.max_drop} allowed)`;
    if (f.rule === 'run_failed') return 'the evaluation run did not complete';
    if (f.rule === 'no_cases') return 'the gate\'s evaluation set is gone or has no cases';
    return `${metric} has no value on this set`;
  });
  return `the draft does not pass the publish gate: ${parts.join('; ')}`;
}

/** Routes for publishing, versions, rollback and diff (mounted under `/api`). */
export function publishRoutes(deps: AppDeps, gates: PublishGates): Router {
  const { services } = deps;
  const store = appStore(deps);
  const router = Router();
  const readsPii = deps.canReadPii ?? canReadPii;

  async function mustGetState(id: string) {
    const state = await getPublishState(store, id);
    if (!state) throw new HttpError(404, 'not_found', `no scenario with id "${id}"`);
    return state;
  }

  async function versionGraph(scenarioId: string, version: number): Promise<Graph> {
    const row = await getVersion(store, scenarioId, version);
    if (!row) throw new HttpError(404, 'unknown_version', `version ${version} does not exist`, { version });
    return storedGraph(row.graph);
  }

  // Publishing checks the draft's model aliases against the endpoints; loading a stored version does not.
  const compileOptions = () => ({ templateLimits: services.templateLimits, modelAliases: knownModelAliases(deps.models) });

  router.post('/scenarios/:id/publish', allow('scenarios:publish'), audits('scenario.publish', 'eval_run.start'), async (req: Request<{ id: string }>, res: Response) => {
    const body = parseBody(PublishBodySchema, req.body ?? {});
    const compile = compileOptions();
    const precompiled = await precompileDraft(store, compile, req.params.id);
    // Refusals that need no evaluation first (compile problems, slug, nothing changed): a PublishError,
    // a DomainError the error handler gives its status.
    await preparePublish(store, compile, req.params.id, body, precompiled);
    const override = body.override_gate;
    const check = await gates.check(req.params.id, { compiled: precompiled?.result, start: !override, override: override !== undefined, by: runOwner(res), onStarted: (run) => recordRequest(appStore(deps), res, evalRunStartedChange(run)) });
    const user = requestUser(res);
    if (override && check.status !== 'no_gate' && !(user && can(user.role, 'gates:write'))) {
      throw new HttpError(403, 'forbidden', 'only an admin (permission "gates:write") may publish past the publish gate', { permission: 'gates:write' });
    }
    if (!override && check.status === 'evaluating') return void res.status(202).json({ status: 'evaluating', gate: shownCheck(req, res, check, readsPii) } satisfies PublishEvaluating);
    if (!override && check.status === 'failed') throw new DomainError('unprocessable', 'gate_failed', gateRefusal(check), { gate: shownCheck(req, res, check, readsPii) });
    const gate = versionGate(check, override ? { note: override.note, by: requestActor(res).name ?? 'unknown' } : undefined);
    const before = publishedSide(await getPublishState(store, req.params.id));
    const reply = await auditedRequestIn(
      store,
      res,
      (tx) => publishDraft(tx, compile, req.params.id, { ...body, by: publisherName(res, body.by), gate, planHash: check.draft?.plan_hash }, precompiled),
      (done) => scenarioPublishedChange(req.params.id, before, done, body.note),
    );
    // Again once committed: a slug looked up while the transaction was open may have cached what it replaced.
    scenariosChanged();
    void deps.published.warm(req.params.id, reply.version);
    res.status(201).json(reply);
  });

  router.get('/scenarios/:id/publication', allow('scenarios:read'), async (req: Request<{ id: string }>, res: Response) => {
    const compile = compileOptions();
    const precompiled = await precompileDraft(store, compile, req.params.id);
    res.json(await publication(store, compile, req.params.id, precompiled));
  });

  router.get('/scenarios/:id/versions', allow('scenarios:read'), async (req, res) => {
    const state = await mustGetState(req.params.id);
    res.json((await listVersions(store, state.id)).map((row) => versionSummary(row, state.liveVersion)));
  });

  router.get('/scenarios/:id/versions/:n', allow('scenarios:read'), async (req, res) => {
    const state = await mustGetState(req.params.id);
    const n = versionParam(req.params.n, 'version');
    const row = await getVersion(store, state.id, n);
    if (!row) throw new HttpError(404, 'unknown_version', `version ${n} does not exist`, { version: n });
    const detail: VersionDetail = { ...versionSummary(row, state.liveVersion), graph: piiView(readsPii(req)).graph(storedGraph(row.graph)) };
    res.json(detail);
  });

  router.post('/scenarios/:id/rollback', allow('scenarios:publish'), audits('scenario.rollback'), async (req, res) => {
    const body = parseBody(RollbackBodySchema, req.body);
    const before = publishedSide(await getPublishState(store, req.params.id));
    const reply = await auditedRequestIn(
      store,
      res,
      (tx) => rollback(tx, req.params.id, body.version),
      (done) => scenarioRolledBackChange(req.params.id, before, done),
    );
    scenariosChanged();
    void deps.published.warm(req.params.id, reply.live_version);
    res.json(reply);
  });

  router.get('/scenarios/:id/diff', allow('scenarios:read'), async (req, res) => {
    const state = await mustGetState(req.params.id);
    const from = versionParam(req.query.from, 'from');
    const toRaw = req.query.to ?? 'draft';
    let to: Graph;
    if (toRaw === 'draft') {
      const parsed = GraphSchema.safeParse(state.graph);
      if (!parsed.success) throw new HttpError(409, 'invalid_draft', 'the draft is not a valid graph, so it cannot be compared');
      to = parsed.data;
    } else {
      to = await versionGraph(state.id, versionParam(toRaw, 'to'));
    }
    res.json(diffGraphs(await versionGraph(state.id, from), to));
  });

  return router;
}
