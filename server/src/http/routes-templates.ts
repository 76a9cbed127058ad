/**
 * `/api/templates…` (gallery, history, diff, use, admin versioning, import/export) and the scenario side
 * of templates: `/api/scenarios/import`, `/:id/export`, `/:id/template-status`, `/:id/template-update`.
 * Creating these routes syncs the built-in templates into the store, so every server start does it (in
 * the background: on SQLite it is done before the server takes a request; a sync that fails is logged).
 */
import { loggableMessage } from '../storage/db-errors.js';
import { Router, type Request, type Response } from 'express';
import type { Graph } from '@shared/graph.js';
import { z } from 'zod';
import { CreateTemplateBodySchema, NewTemplateVersionBodySchema, TEMPLATE_FILE_FORMAT, UseTemplateBodySchema, type ScenarioFile, type StoredSample, type TemplateFile } from '@shared/template-api.js';
import { evalSetCreatedChange, scenarioFromTemplateChange, scenarioImportedChange, scenarioTemplateUpdatedChange, templateVersionChange } from '../audit/index.js';
import { diffGraphs } from '../publish/diff.js';
import { detectFile, exportScenario, formatOf, exportTemplate, fileNameFor, importScenario, importTemplate, serializeFile } from '../templates/files.js';
import { publisherName } from './routes-publish.js';
import { addVersionFromScenario, createTemplateFromScenario, updateScenarioFromTemplate, useTemplate, withTemplateStatusOne } from '../templates/scenario-link.js';
import { checkSemver, getTemplateDetail, getTemplateVersion, listTemplates, mustGetVersionRow, setDeprecated, versionGraph } from '../templates/store.js';
import { syncBuiltinTemplates } from '../templates/sync.js';
import { getScenario } from '../storage/scenarios.js';
import { appStore, type AppDeps } from './context.js';
import type { DataStore } from '../storage/store.js';
import { HttpError, parseBody } from './errors.js';
import { allow } from './access.js';
import { audits, auditedRequestIn, requestActor } from './audit-context.js';
import { EvaluationSets } from '../evaluation/sets.js';
import { canReadPii } from './pii-access.js';
import { piiView } from './pii.js';

const ByBodySchema = z.object({ by: z.string().trim().min(1).max(200).optional() }).default({});

function sendFile(res: Response, file: ScenarioFile | TemplateFile, name: string): void {
  res
    .type('application/json')
    .set('content-disposition', `attachment; filename="${encodeURIComponent(name)}"; filename*=UTF-8''${encodeURIComponent(name)}`)
    .send(serializeFile(file));
}

function flag(value: unknown): boolean {
  return value === '1' || value === 'true';
}

/**
 * Creates the evaluation sets the template ships (templates/<id>/eval) in a scenario just made from it,
 * each audited. A set that cannot be made is left for the scenario's evaluation page to import.
 */
async function importShippedSets(store: DataStore, res: Response, scenarioId: string): Promise<void> {
  const sets = new EvaluationSets(store);
  for (const shipped of await sets.builtinSets(scenarioId)) {
    try {
      await auditedRequestIn(store, res, (tx) => sets.within(tx).importBuiltin(scenarioId, shipped.name, requestActor(res).name ?? 'unknown'), (done) => evalSetCreatedChange(done.set, done.change));
    } catch (error) {
      console.warn(`[mofang] the shipped evaluation set "${shipped.name}" was not created: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** Routes for templates, and the scenario routes that involve files or templates. */
export function templateRoutes(deps: AppDeps): Router {
  const store = appStore(deps);
  // The built-in templates are brought into the store once at start; a template request waits for it (on
  // PostgreSQL the sync takes long enough that the first request could otherwise miss some).
  const synced = syncBuiltinTemplates(store).then(
    () => undefined,
    (error: unknown) => console.error('[mofang] syncing the built-in templates failed:', loggableMessage(error)),
  );
  const router = Router();
  router.use((_req, _res, next) => {
    synced.then(() => next(), next);
  });
  const readsPii = deps.canReadPii ?? canReadPii;
  /**
   * A template version (or its export file) with the sample inputs in its graph and its samples masked
   * for a user without pii:read: a template made from a scenario copies the scenario's sample inputs.
   */
  const shownVersion = <T extends { graph: Graph; samples?: StoredSample[] }>(req: Request, version: T): T => {
    const view = piiView(readsPii(req));
    if (!view.masked) return version;
    return { ...version, graph: view.graph(version.graph), ...(version.samples === undefined ? {} : { samples: version.samples.map((s) => view.graph(s)) }) };
  };

  router.get('/templates', allow('templates:read'), async (req, res) => {
    res.json(await listTemplates(store, { includeDeprecated: flag(req.query.include_deprecated) }));
  });

  router.post('/templates', allow('templates:write'), audits('template.create'), async (req, res) => {
    const body = parseBody(CreateTemplateBodySchema, req.body);
    const stored = await auditedRequestIn(store, res, (tx) => createTemplateFromScenario(tx, { ...body, by: publisherName(res, body.by) }), (made) => templateVersionChange('template.create', made, { scenario: body.scenario_id }));
    res.status(201).location(`/api/templates/${stored.template_id}`).json(stored);
  });

  router.post('/templates/import', allow('templates:write'), audits('template.import'), async (req, res) => {
    const detected = detectFile(req.body);
    if (detected.kind !== 'template') {
      throw new HttpError(400, 'invalid_file', `this is a ${detected.kind === 'scenario' ? 'scenario file' : 'graph'}, not a template file; import it from the scenario list (POST /api/scenarios/import)`, { reason: 'not_template' });
    }
    const { imported } = await auditedRequestIn(
      store,
      res,
      async (tx) => {
        const done = await importTemplate(tx, detected.file);
        return { imported: done, detail: await getTemplateVersion(tx, done.template_id, done.version) };
      },
      ({ imported: done, detail }) => templateVersionChange('template.import', detail, { created: done.created }),
    );
    res.status(201).json(imported);
  });

  router.get('/templates/:id', allow('templates:read'), async (req, res) => {
    res.json(await getTemplateDetail(store, req.params.id));
  });

  router.get('/templates/:id/versions/:version', allow('templates:read'), async (req, res) => {
    res.json(shownVersion(req, await getTemplateVersion(store, req.params.id, req.params.version)));
  });

  router.post('/templates/:id/versions', allow('templates:write'), audits('template.version'), async (req, res) => {
    const body = parseBody(NewTemplateVersionBodySchema, req.body);
    const stored = await auditedRequestIn(store, res, (tx) => addVersionFromScenario(tx, req.params.id, { ...body, by: publisherName(res, body.by) }), (made) => templateVersionChange('template.version', made, { scenario: body.scenario_id }));
    res.status(201).location(`/api/templates/${stored.template_id}/versions/${stored.version}`).json(stored);
  });

  for (const [action, deprecated] of [['deprecate', true], ['undeprecate', false]] as const) {
    router.post(`/templates/:id/versions/:version/${action}`, allow('templates:write'), audits(`template.${action}`), async (req, res) => {
      parseBody(ByBodySchema, req.body ?? {});
      const { id, version } = req.params;
      const done = await auditedRequestIn(
        store,
        res,
        async (tx) => {
          const before = await getTemplateVersion(tx, id, version);
          return { before, summary: await setDeprecated(tx, id, version, deprecated) };
        },
        ({ before, summary }) => templateVersionChange(`template.${action}`, { ...before, ...summary }, {}, before),
      );
      res.json(done.summary);
    });
  }

  router.get('/templates/:id/diff', allow('templates:read'), async (req, res) => {
    const from = checkSemver(req.query.from, '"from"');
    const to = checkSemver(req.query.to, '"to"');
    const before = versionGraph(await mustGetVersionRow(store, req.params.id, from));
    const after = versionGraph(await mustGetVersionRow(store, req.params.id, to));
    res.json({ template_id: req.params.id, from, to, diff: diffGraphs(before, after) });
  });

  router.post('/templates/:id/use', allow('scenarios:write'), audits('scenario.create', 'eval_set.create'), async (req, res) => {
    const body = parseBody(UseTemplateBodySchema, req.body ?? {});
    const scenario = await auditedRequestIn(
      store,
      res,
      (tx) => useTemplate(tx, req.params.id, body),
      (made) => scenarioFromTemplateChange(made, req.params.id, made.template?.version ?? null),
    );
    await importShippedSets(appStore(deps), res, scenario.id);
    const view = piiView(readsPii(req));
    res.status(201).location(`/api/scenarios/${scenario.id}`).json({ ...scenario, graph: view.graph(scenario.graph) });
  });

  router.get('/templates/:id/export', allow('templates:read'), async (req, res) => {
    const version = req.query.version === undefined ? undefined : checkSemver(req.query.version, '"version"');
    const file = shownVersion(req, await exportTemplate(store, req.params.id, version));
    sendFile(res, file, fileNameFor(`${file.meta.id}-${file.meta.version}`, '.template.json'));
  });

  router.post('/scenarios/import', allow('scenarios:write'), audits('scenario.import'), async (req, res) => {
    const detected = formatOf(req.body) === TEMPLATE_FILE_FORMAT ? undefined : detectFile(req.body);
    if (!detected || detected.kind === 'template') {
      throw new HttpError(400, 'invalid_file', 'this is a template file, not a scenario; import it in the template gallery (POST /api/templates/import)', { reason: 'template_file' });
    }
    const { imported } = await auditedRequestIn(
      store,
      res,
      async (tx) => {
        const done = await importScenario(tx, detected);
        return { imported: done, scenario: await getScenario(tx, done.scenario_id) };
      },
      ({ imported: done, scenario }) => scenarioImportedChange({ id: done.scenario_id, name: done.name }, scenario, done.from),
    );
    res.status(201).json(imported);
  });

  router.get('/scenarios/:id/export', allow('scenarios:read'), async (req, res) => {
    const file = await exportScenario(store, req.params.id);
    // The file carries the sample inputs: masked for a user without pii:read, like every other reply.
    sendFile(res, { ...file, graph: piiView(readsPii(req)).graph(file.graph) }, fileNameFor(file.name, '.scenario.json'));
  });

  router.get('/scenarios/:id/template-status', allow('scenarios:read'), async (req, res) => {
    const scenario = await getScenario(store, req.params.id);
    if (!scenario) throw new HttpError(404, 'not_found', `no scenario with id "${req.params.id}"`);
    res.json((await withTemplateStatusOne(store, { id: scenario.id })).template);
  });

  router.post('/scenarios/:id/template-update', allow('scenarios:publish'), audits('scenario.template_update'), async (req, res) => {
    const before = await getScenario(store, req.params.id);
    const { reply } = await auditedRequestIn(
      store,
      res,
      async (tx) => {
        const done = await updateScenarioFromTemplate(tx, req.params.id);
        return { reply: done, after: await getScenario(tx, done.scenario_id) };
      },
      ({ reply: done, after }) => scenarioTemplateUpdatedChange(before, after, done.from_version, done.to_version),
    );
    res.json({ ...reply, previous_graph: piiView(readsPii(req)).graph(reply.previous_graph) });
  });

  return router;
}
