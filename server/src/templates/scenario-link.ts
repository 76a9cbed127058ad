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
import { writeTransaction, type Db } from '../storage/db.js';
import { createScenario, getScenario, listScenarios, updateScenario } from '../storage/scenarios.js';
import { freeName } from '@shared/free-name.js';
import { getScenarioOrigin, listAllVersionRows, listScenarioOrigins, setScenarioOrigin, type TemplateVersionRow } from '../storage/templates.js';
import { checkSemver, defaultVersionRow, latestUsable, mustGetVersionRow, storeVersion, versionGraph, versionMeta } from './store.js';

function today(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

function mustGetScenario(db: Db, id: string): Scenario {
  const scenario = getScenario(db, id);
  if (!scenario) throw new DomainError('not_found', 'not_found', `no scenario with id "${id}"`);
  return scenario;
}

function statusFrom(templateId: string, version: string, latest: string | null): ScenarioTemplateStatus {
  return { id: templateId, version, latest, update_available: latest !== null && compareSemver(latest, version) > 0 };
}

/** The latest non-deprecated version of every template, by template id. */
function latestByTemplate(db: Db): Map<string, string> {
  const rows = new Map<string, TemplateVersionRow[]>();
  for (const row of listAllVersionRows(db)) rows.set(row.templateId, [...(rows.get(row.templateId) ?? []), row]);
  const out = new Map<string, string>();
  for (const [id, list] of rows) {
    const latest = latestUsable(list);
    if (latest) out.set(id, latest.version);
  }
  return out;
}

/** Adds `template` (or null) to scenario rows: where each came from and whether an update exists. */
export function withTemplateStatus<T extends { id: string }>(db: Db, rows: T[]): Array<T & { template: ScenarioTemplateStatus | null }> {
  const origins = new Map(listScenarioOrigins(db).map((o) => [o.id, o]));
  const latest = origins.size > 0 ? latestByTemplate(db) : new Map<string, string>();
  return rows.map((row) => {
    const origin = origins.get(row.id);
    const template = origin?.templateId && origin.templateVersion ? statusFrom(origin.templateId, origin.templateVersion, latest.get(origin.templateId) ?? null) : null;
    return { ...row, template };
  });
}

/** {@link withTemplateStatus} for one scenario. */
export function withTemplateStatusOne<T extends { id: string }>(db: Db, row: T): T & { template: ScenarioTemplateStatus | null } {
  return withTemplateStatus(db, [row])[0];
}

/** Creates a draft from a template version (default: the latest non-deprecated) and links it. */
export function useTemplate(db: Db, templateId: string, body: UseTemplateBody): Scenario & { template: ScenarioTemplateStatus | null } {
  const row = body.version === undefined ? defaultVersionRow(db, templateId) : mustGetVersionRow(db, templateId, body.version);
  if (body.version !== undefined && row.deprecatedAt !== null) {
    throw new DomainError('conflict', 'version_deprecated', `version ${row.version} of template "${templateId}" is deprecated; use a newer one`);
  }
  const meta = versionMeta(row);
  // Without a name, the template's with a number after it when a scenario already has it (通话质检 2).
  const name = body.name ?? freeName(meta.name.zh, listScenarios(db).map((s) => s.name));
  const graph = { ...versionGraph(row), name };
  const created = writeTransaction(db, () => {
    const scenario = createScenario(db, { name, description: meta.description.zh, graph });
    setScenarioOrigin(db, scenario.id, templateId, row.version);
    return scenario;
  });
  return withTemplateStatusOne(db, created);
}

/**
 * Rebases a draft onto its template's latest version: the graph is replaced (the scenario keeps its
 * name) and the old graph comes back in the reply so the client can undo.
 */
export function updateScenarioFromTemplate(db: Db, scenarioId: string): TemplateUpdateReply {
  const scenario = mustGetScenario(db, scenarioId);
  const origin = getScenarioOrigin(db, scenarioId);
  if (!origin?.templateId || !origin.templateVersion) throw new DomainError('conflict', 'no_template', `scenario "${scenario.name}" was not made from a template`);
  const latest = defaultVersionRow(db, origin.templateId);
  if (compareSemver(latest.version, origin.templateVersion) <= 0) {
    throw new DomainError('conflict', 'up_to_date', `scenario "${scenario.name}" is already at ${origin.templateVersion}, the latest version of "${origin.templateId}"`);
  }
  const graph = { ...versionGraph(latest), name: scenario.graph.name };
  const outcome = writeTransaction(db, () => {
    const result = updateScenario(db, scenarioId, { graph });
    setScenarioOrigin(db, scenarioId, origin.templateId, latest.version);
    return result;
  });
  if (!outcome.ok) throw new DomainError('not_found', 'not_found', `no scenario with id "${scenarioId}"`);
  return { scenario_id: scenarioId, from_version: origin.templateVersion, to_version: latest.version, revision: outcome.scenario.revision, previous_graph: scenario.graph };
}

/** Saves a scenario's draft as a new template (409 when the id is taken); the scenario is linked to it. */
export function createTemplateFromScenario(db: Db, body: CreateTemplateBody, now = Date.now()): TemplateVersionDetail {
  const scenario = mustGetScenario(db, body.scenario_id);
  const meta: TemplateMeta = {
    id: body.id,
    version: body.version,
    category: body.category,
    name: body.name,
    description: body.description,
    tags: body.tags ?? [],
    changelog: [{ version: body.version, date: today(now), notes: body.notes }],
  };
  const stored = storeVersion(db, { meta, graph: { ...scenario.graph, name: body.name.zh }, source: 'admin', by: body.by ?? 'admin' }, 'create', now);
  setScenarioOrigin(db, scenario.id, body.id, body.version);
  return stored;
}

/** Saves a scenario's draft as the next version of a template (409 unless the version increases). */
export function addVersionFromScenario(db: Db, templateId: string, body: NewTemplateVersionBody, now = Date.now()): TemplateVersionDetail {
  const scenario = mustGetScenario(db, body.scenario_id);
  const rows = listAllVersionRows(db).filter((r) => r.templateId === templateId);
  const newest = [...rows].sort((a, b) => compareSemver(b.version, a.version))[0];
  if (!newest) throw new DomainError('not_found', 'not_found', `no template with id "${templateId}"`);
  const version = body.bump ? bumpSemver(newest.version, body.bump) : checkSemver(body.version, 'version');
  const previous = versionMeta(newest);
  const meta: TemplateMeta = { ...previous, version, changelog: [...previous.changelog, { version, date: today(now), notes: body.notes }] };
  const stored = storeVersion(db, { meta, graph: { ...scenario.graph, name: previous.name.zh }, source: 'admin', by: body.by ?? 'admin' }, 'add', now);
  setScenarioOrigin(db, scenario.id, templateId, version);
  return stored;
}
