/**
 * Scenarios and templates: a draft made from a template remembers its id and version, sees when a newer
 * version exists, and can be rebased onto it; an admin saves a scenario as a new template or version.
 */
import type { Scenario } from '@shared/api.js';
import { compareSemver, type TemplateMeta } from '@shared/templates.js';
import {
  bumpSemver,
  type CreateTemplateBody,
  type NewTemplateVersionBody,
  type ScenarioTemplateStatus,
  type TemplateUpdateReply,
  type TemplateVersionDetail,
  type UseTemplateBody,
} from '@shared/template-api.js';
import { DomainError } from '../common/domain-error.js';
import type { DataStore } from '../storage/store.js';
import { createScenario, getScenario, listScenarios, updateScenario } from '../storage/scenarios.js';
import { freeName } from '@shared/free-name.js';
import { getScenarioOrigin, listAllVersionRows, listScenarioOrigins, setScenarioOrigin, type TemplateVersionRow } from '../storage/templates.js';
import { checkSemver, defaultVersionRow, latestUsable, mustGetVersionRow, storeVersion, versionGraph, versionMeta } from './store.js';

function today(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

async function mustGetScenario(store: DataStore, id: string): Promise<Scenario> {
  const scenario = await getScenario(store, id);
  if (!scenario) throw new DomainError('not_found', 'not_found', `no scenario with id "${id}"`);
  return scenario;
}

function statusFrom(templateId: string, version: string, latest: string | null): ScenarioTemplateStatus {
  return { id: templateId, version, latest, update_available: latest !== null && compareSemver(latest, version) > 0 };
}

/** The latest non-deprecated version of every template, by template id. */
async function latestByTemplate(store: DataStore): Promise<Map<string, string>> {
  const rows = new Map<string, TemplateVersionRow[]>();
  for (const row of await listAllVersionRows(store)) rows.set(row.templateId, [...(rows.get(row.templateId) ?? []), row]);
  const out = new Map<string, string>();
  for (const [id, list] of rows) {
    const latest = latestUsable(list);
    if (latest) out.set(id, latest.version);
  }
  return out;
}

/** Adds `template` (or null) to scenario rows: where each came from and whether an update exists. */
export async function withTemplateStatus<T extends { id: string }>(store: DataStore, rows: T[]): Promise<Array<T & { template: ScenarioTemplateStatus | null }>> {
  const origins = new Map((await listScenarioOrigins(store)).map((o) => [o.id, o]));
  const latest = origins.size > 0 ? await latestByTemplate(store) : new Map<string, string>();
  return rows.map((row) => {
    const origin = origins.get(row.id);
    const template = origin?.templateId && origin.templateVersion ? statusFrom(origin.templateId, origin.templateVersion, latest.get(origin.templateId) ?? null) : null;
    return { ...row, template };
  });
}

/** {@link withTemplateStatus} for one scenario. */
export async function withTemplateStatusOne<T extends { id: string }>(store: DataStore, row: T): Promise<T & { template: ScenarioTemplateStatus | null }> {
  return (await withTemplateStatus(store, [row]))[0] as T & { template: ScenarioTemplateStatus | null };
}

/** Creates a draft from a template version (default: the latest non-deprecated) and links it. */
export async function useTemplate(store: DataStore, templateId: string, body: UseTemplateBody): Promise<Scenario & { template: ScenarioTemplateStatus | null }> {
  const row = body.version === undefined ? await defaultVersionRow(store, templateId) : await mustGetVersionRow(store, templateId, body.version);
  if (body.version !== undefined && row.deprecatedAt !== null) {
    throw new DomainError('conflict', 'version_deprecated', `version ${row.version} of template "${templateId}" is deprecated; use a newer one`);
  }
  const meta = versionMeta(row);
  // Without a name, the template's with a number after it when a scenario already has it (通话质检 2).
  const name = body.name ?? freeName(meta.name.zh, (await listScenarios(store)).map((s) => s.name));
  const graph = { ...versionGraph(row), name };
  const created = await store.transaction(async (tx) => {
    const scenario = await createScenario(tx, { name, description: meta.description.zh, graph });
    await setScenarioOrigin(tx, scenario.id, templateId, row.version);
    return scenario;
  });
  return withTemplateStatusOne(store, created);
}

/**
 * Rebases a draft onto its template's latest version: the graph is replaced (the scenario keeps its
 * name) and the old graph comes back in the reply so the client can undo.
 */
export async function updateScenarioFromTemplate(store: DataStore, scenarioId: string): Promise<TemplateUpdateReply> {
  const scenario = await mustGetScenario(store, scenarioId);
  const origin = await getScenarioOrigin(store, scenarioId);
  if (!origin?.templateId || !origin.templateVersion) throw new DomainError('conflict', 'no_template', `scenario "${scenario.name}" was not made from a template`);
  const latest = await defaultVersionRow(store, origin.templateId);
  if (compareSemver(latest.version, origin.templateVersion) <= 0) {
    throw new DomainError('conflict', 'up_to_date', `scenario "${scenario.name}" is already at ${origin.templateVersion}, the latest version of "${origin.templateId}"`);
  }
  const graph = { ...versionGraph(latest), name: scenario.graph.name };
  const outcome = await store.transaction(async (tx) => {
    const result = await updateScenario(tx, scenarioId, { graph });
    if (result.ok) await setScenarioOrigin(tx, scenarioId, origin.templateId, latest.version);
    return result;
  });
  if (!outcome.ok) throw new DomainError('not_found', 'not_found', `no scenario with id "${scenarioId}"`);
  return { scenario_id: scenarioId, from_version: origin.templateVersion, to_version: latest.version, revision: outcome.scenario.revision, previous_graph: scenario.graph };
}

/** Saves a scenario's draft as a new template (409 when the id is taken); the scenario is linked to it. */
export async function createTemplateFromScenario(store: DataStore, body: CreateTemplateBody, now = Date.now()): Promise<TemplateVersionDetail> {
  const scenario = await mustGetScenario(store, body.scenario_id);
  const meta: TemplateMeta = {
    id: body.id,
    version: body.version,
    category: body.category,
    name: body.name,
    description: body.description,
    tags: body.tags ?? [],
    changelog: [{ version: body.version, date: today(now), notes: body.notes }],
  };
  return store.transaction(async (tx) => {
    const stored = await storeVersion(tx, { meta, graph: { ...scenario.graph, name: body.name.zh }, source: 'admin', by: body.by ?? 'admin' }, 'create', now);
    await setScenarioOrigin(tx, scenario.id, body.id, body.version);
    return stored;
  });
}

/** Saves a scenario's draft as the next version of a template (409 unless the version increases). */
export async function addVersionFromScenario(store: DataStore, templateId: string, body: NewTemplateVersionBody, now = Date.now()): Promise<TemplateVersionDetail> {
  const scenario = await mustGetScenario(store, body.scenario_id);
  const rows = (await listAllVersionRows(store)).filter((r) => r.templateId === templateId);
  const newest = [...rows].sort((a, b) => compareSemver(b.version, a.version))[0];
  if (!newest) throw new DomainError('not_found', 'not_found', `no template with id "${templateId}"`);
  const version = body.bump ? bumpSemver(newest.version, body.bump) : checkSemver(body.version, 'version');
  const previous = versionMeta(newest);
  const meta: TemplateMeta = { ...previous, version, changelog: [...previous.changelog, { version, date: today(now), notes: body.notes }] };
  return store.transaction(async (tx) => {
    const stored = await storeVersion(tx, { meta, graph: { ...scenario.graph, name: previous.name.zh }, source: 'admin', by: body.by ?? 'admin' }, 'add', now);
    await setScenarioOrigin(tx, scenario.id, templateId, version);
    return stored;
  });
}
