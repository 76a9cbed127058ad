/**
 * `/api/scenarios…` and `/api/compile`: drafts are saved even when they do not compile; compiling is
 * a separate question answered with the problems.
 */
import { Router, type Request } from 'express';
import type { Graph } from '@shared/graph.js';
import { CreateScenarioBodySchema, UpdateScenarioBodySchema, type CompileReply } from '@shared/api.js';
import { compileGraphAsync } from '../engine/index.js';
import type { EngineServices } from '../nodes/kit.js';
import { createScenario, deleteScenario, duplicateScenario, getScenario, listScenarios, updateScenario } from '../storage/scenarios.js';
import { scenariosChanged } from '../storage/slug-cache.js';
import { withTemplateStatus, withTemplateStatusOne } from '../templates/scenario-link.js';
import { blankGraph } from './blank-graph.js';
import { knownModelAliases } from '../endpoints/config.js';
import { appStore, type AppDeps } from './context.js';
import { HttpError, parseBody } from './errors.js';
import { allow } from './access.js';
import { audits, auditedRequestIn } from './audit-context.js';
import { canReadPii } from './pii-access.js';
import { piiView } from './pii.js';
import { keepMaskedSamples } from './pii-samples.js';
import { z } from 'zod';
import { scenarioCreatedChange, scenarioDeletedChange, scenarioDuplicatedChange, scenarioUpdatedChange } from '../audit/index.js';

/**
 * Compiles any JSON value and reports `{ ok, errors }`; a compiler crash is reported, not thrown.
 * `modelAliases`: the aliases the endpoints serve (a node naming another is a problem); absent, not checked.
 */
export async function compileReply(graph: unknown, services: EngineServices, modelAliases?: readonly string[]): Promise<CompileReply> {
  try {
    const result = await compileGraphAsync(graph, { templateLimits: services.templateLimits, modelAliases });
    return { ok: result.ok, errors: result.errors };
  } catch (error) {
    console.error('[mofang] compileGraph threw:', error);
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, errors: [{ code: 'invalid_graph', message: `the compiler failed: ${message}`, params: { hint: 'failed', message } }] };
  }
}

const DuplicateBodySchema = z.object({ name: z.string().trim().min(1).max(200).optional() }).default({});

/** Routes for scenario drafts and compiling. */
export function scenarioRoutes(deps: AppDeps): Router {
  const { services } = deps;
  const store = appStore(deps);
  const router = Router();
  const readsPii = deps.canReadPii ?? canReadPii;
  /** A scenario reply with its sample inputs masked for a user without `pii:read`. */
  const shown = <T extends { graph: Graph }>(req: Request, scenario: T): T => {
    const view = piiView(readsPii(req));
    return view.masked ? { ...scenario, graph: view.graph(scenario.graph) } : scenario;
  };

  async function mustGet(id: string) {
    const scenario = await getScenario(store, id);
    if (!scenario) throw new HttpError(404, 'not_found', `no scenario with id "${id}"`);
    return scenario;
  }

  router.get('/scenarios', allow('scenarios:read'), async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q : undefined;
    res.json(await withTemplateStatus(store, await listScenarios(store, q)));
  });

  router.post('/scenarios', allow('scenarios:write'), audits('scenario.create'), async (req, res) => {
    const body = parseBody(CreateScenarioBodySchema, req.body);
    const scenario = await auditedRequestIn(
      store,
      res,
      (tx) => createScenario(tx, { name: body.name, description: body.description, graph: body.graph ?? blankGraph(body.name) }),
      scenarioCreatedChange,
    );
    res.status(201).location(`/api/scenarios/${scenario.id}`).json(shown(req, scenario));
  });

  router.get('/scenarios/:id', allow('scenarios:read'), async (req, res) => {
    res.json(shown(req, await withTemplateStatusOne(store, await mustGet(req.params.id))));
  });

  router.put('/scenarios/:id', allow('scenarios:write'), audits('scenario.update'), async (req, res) => {
    const body = parseBody(UpdateScenarioBodySchema, req.body);
    const before = await getScenario(store, req.params.id);
    // A user without pii:read was sent the samples masked: what comes back unchanged keeps the stored value.
    if (body.graph !== undefined && !readsPii(req)) body.graph = keepMaskedSamples(body.graph, before?.graph);
    const outcome = await auditedRequestIn(
      store,
      res,
      (tx) => updateScenario(tx, req.params.id, body),
      (done) => (done.ok ? scenarioUpdatedChange(before, done.scenario) : null),
    );
    if (outcome.ok) {
      res.json(shown(req, outcome.scenario));
      return;
    }
    if (outcome.reason === 'not_found') throw new HttpError(404, 'not_found', `no scenario with id "${req.params.id}"`);
    throw new HttpError(409, 'revision_conflict', `the scenario was changed elsewhere (now at revision ${outcome.current.revision}); reload it before saving`, {
      current: shown(req, outcome.current),
    });
  });

  router.delete('/scenarios/:id', allow('scenarios:write'), audits('scenario.delete'), async (req, res) => {
    const before = await getScenario(store, req.params.id);
    const deleted = await auditedRequestIn(
      store,
      res,
      (tx) => deleteScenario(tx, req.params.id),
      (done) => (done && before ? scenarioDeletedChange(before) : null),
    );
    // Again once committed: a slug looked up while the transaction was open may have cached the scenario.
    scenariosChanged();
    if (!deleted) throw new HttpError(404, 'not_found', `no scenario with id "${req.params.id}"`);
    res.status(204).end();
  });

  router.post('/scenarios/:id/duplicate', allow('scenarios:write'), audits('scenario.duplicate'), async (req, res) => {
    const body = parseBody(DuplicateBodySchema, req.body ?? {});
    const copy = await auditedRequestIn(
      store,
      res,
      (tx) => duplicateScenario(tx, req.params.id, body.name),
      (made) => (made ? scenarioDuplicatedChange(made, req.params.id) : null),
    );
    if (!copy) throw new HttpError(404, 'not_found', `no scenario with id "${req.params.id}"`);
    res.status(201).location(`/api/scenarios/${copy.id}`).json(shown(req, copy));
  });

  router.post('/scenarios/:id/compile', allow('scenarios:test'), async (req, res) => {
    res.json(await compileReply((await mustGet(req.params.id)).graph, services, knownModelAliases(deps.models)));
  });

  router.post('/compile', allow('scenarios:test'), async (req, res) => {
    if (req.body === undefined) throw new HttpError(400, 'invalid_body', 'send the graph as a JSON body');
    res.json(await compileReply(req.body, services, knownModelAliases(deps.models)));
  });

  return router;
}
