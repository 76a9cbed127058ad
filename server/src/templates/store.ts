/**
 * The template store: reading templates and their versions as API shapes, and the rules of writing them.
 * A stored version is immutable; a new version must be greater (semver) than every stored one; a version
 * is deprecated rather than deleted. Errors are {@link DomainError}s, which routes map to HTTP statuses and the CLI prints.
 */
import { storedGraph, type Graph } from '@shared/graph.js';
import { compareSemver, SemverSchema, TemplateMetaSchema, type TemplateMeta } from '@shared/templates.js';
import {
  StoredSampleSchema,
  type GraphPreview,
  type StoredSample,
  type TemplateDetail,
  type TemplateSummary,
  type TemplateVersionDetail,
  type TemplateVersionSummary,
} from '@shared/template-api.js';
import { DomainError } from '../common/domain-error.js';
import type { DataStore } from '../storage/store.js';
import {
  getTemplateRow,
  getVersionRow,
  insertTemplateRow,
  insertVersionRow,
  listAllVersionRows,
  listTemplateRows,
  listVersionRows,
  setVersionDeprecated,
  updateTemplateRow,
  type TemplateRow,
  type TemplateSource,
  type TemplateVersionRow,
} from '../storage/templates.js';

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Versions of one template, newest (highest semver) first. */
function newestFirst(rows: TemplateVersionRow[]): TemplateVersionRow[] {
  return [...rows].sort((a, b) => compareSemver(b.version, a.version));
}

/** The newest version that is not deprecated, or undefined when every version is. */
export function latestUsable(rows: TemplateVersionRow[]): TemplateVersionRow | undefined {
  return newestFirst(rows).find((r) => r.deprecatedAt === null);
}

/** Parses a stored version's graph (validated on the way in; parsed again so the type is earned). */
export function versionGraph(row: TemplateVersionRow): Graph {
  return storedGraph(row.graph);
}

/**
 * Parses a stored version's metadata. Metadata that no longer parses (a damaged row: its text was not
 * JSON, so it reads as null) is shown as damaged rather than failing the gallery: the template's id as
 * its name, marked damaged in both languages, in the `other` category, with this version's notes.
 */
export function versionMeta(row: TemplateVersionRow): TemplateMeta {
  const parsed = TemplateMetaSchema.safeParse(row.meta);
  if (parsed.success) return parsed.data;
  const damaged = { zh: `${row.templateId}（元数据已损坏）`, en: `${row.templateId} (metadata damaged)` };
  const date = new Date(row.createdAt).toISOString().slice(0, 10);
  return { id: row.templateId, version: row.version, category: 'other', name: damaged, description: damaged, tags: [], changelog: [{ version: row.version, date, notes: row.notes || damaged.en }] };
}

/** A stored version's samples; none when they do not parse (a damaged row). */
function versionSamples(row: TemplateVersionRow): StoredSample[] {
  const parsed = StoredSampleSchema.array().safeParse(row.samples ?? []);
  return parsed.success ? parsed.data : [];
}

/** The thumbnail payload of a graph: node boxes with positions and the wires between them. */
export function graphPreview(graph: Graph): GraphPreview {
  return {
    nodes: graph.nodes.map((n) => ({ id: n.id, kind: n.kind, ...(n.name === undefined ? {} : { name: n.name }), x: n.position.x, y: n.position.y })),
    edges: graph.edges.map((e) => ({ id: e.id, source: e.source, target: e.target })),
  };
}

function versionSummary(row: TemplateVersionRow): TemplateVersionSummary {
  return {
    version: row.version,
    created_at: iso(row.createdAt),
    notes: row.notes,
    created_by: row.createdBy,
    source: row.source,
    deprecated: row.deprecatedAt !== null,
    deprecated_at: row.deprecatedAt === null ? null : iso(row.deprecatedAt),
  };
}

function summarise(template: TemplateRow, rows: TemplateVersionRow[]): TemplateSummary | undefined {
  const shown = latestUsable(rows) ?? newestFirst(rows)[0];
  if (!shown) return undefined;
  const meta = versionMeta(shown);
  const graph = versionGraph(shown);
  return {
    id: template.id,
    category: meta.category,
    name: meta.name,
    description: meta.description,
    tags: meta.tags,
    version: shown.version,
    source: template.source,
    node_count: graph.nodes.length,
    updated_at: iso(template.updatedAt),
    preview: graphPreview(graph),
  };
}

/** The gallery: each template at its latest non-deprecated version (all-deprecated ones only on request). */
export async function listTemplates(store: DataStore, options: { includeDeprecated?: boolean } = {}): Promise<TemplateSummary[]> {
  const byTemplate = new Map<string, TemplateVersionRow[]>();
  for (const row of await listAllVersionRows(store)) byTemplate.set(row.templateId, [...(byTemplate.get(row.templateId) ?? []), row]);
  const out: TemplateSummary[] = [];
  for (const template of await listTemplateRows(store)) {
    const rows = byTemplate.get(template.id) ?? [];
    if (!options.includeDeprecated && !latestUsable(rows)) continue;
    const summary = summarise(template, rows);
    if (summary) out.push(summary);
  }
  return out;
}

/** A template with its whole history; 404 when unknown. */
export async function getTemplateDetail(store: DataStore, id: string): Promise<TemplateDetail> {
  const template = await getTemplateRow(store, id);
  const rows = template ? await listVersionRows(store, id) : [];
  const summary = template ? summarise(template, rows) : undefined;
  if (!template || !summary) throw new DomainError('not_found', 'not_found', `no template with id "${id}"`);
  return { ...summary, versions: newestFirst(rows).map(versionSummary) };
}

/** Checks a version string from a URL or query, answering 400 when it is not `MAJOR.MINOR.PATCH`. */
export function checkSemver(value: unknown, what: string): string {
  const parsed = SemverSchema.safeParse(value);
  if (!parsed.success) throw new DomainError('invalid', 'invalid_version', `${what} must be a version like 1.2.0 (got ${JSON.stringify(value ?? null)})`);
  return parsed.data;
}

/** One stored version row; 404 naming what is missing. */
export async function mustGetVersionRow(store: DataStore, id: string, version: string): Promise<TemplateVersionRow> {
  if (!(await getTemplateRow(store, id))) throw new DomainError('not_found', 'not_found', `no template with id "${id}"`);
  const row = await getVersionRow(store, id, checkSemver(version, 'the version'));
  if (!row) throw new DomainError('not_found', 'not_found', `template "${id}" has no version ${version}`);
  return row;
}

/** One version with its graph, metadata and samples. */
export async function getTemplateVersion(store: DataStore, id: string, version: string): Promise<TemplateVersionDetail> {
  const row = await mustGetVersionRow(store, id, version);
  return { ...versionSummary(row), template_id: id, meta: versionMeta(row), graph: versionGraph(row), samples: versionSamples(row) };
}

/** The version to use when none is named: the latest non-deprecated one (409 when all are deprecated). */
export async function defaultVersionRow(store: DataStore, id: string): Promise<TemplateVersionRow> {
  if (!(await getTemplateRow(store, id))) throw new DomainError('not_found', 'not_found', `no template with id "${id}"`);
  const row = latestUsable(await listVersionRows(store, id));
  if (!row) throw new DomainError('conflict', 'all_deprecated', `every version of template "${id}" is deprecated`);
  return row;
}

/** A new version to store: the full metadata as of this version, with its graph and samples. */
export interface NewVersion {
  meta: TemplateMeta;
  graph: Graph;
  samples?: StoredSample[];
  source: TemplateSource;
  by: string;
  createdAt?: number;
}

/**
 * Stores a version: creates the template when `create` is set (409 if the id is taken), otherwise adds a
 * version to an existing template (404 if unknown). The version must be greater than every stored one.
 */
export async function storeVersion(store: DataStore, input: NewVersion, mode: 'create' | 'add', now = Date.now()): Promise<TemplateVersionDetail> {
  await insertVersion(store, input, mode, now);
  return getTemplateVersion(store, input.meta.id, input.meta.version);
}

/** {@link storeVersion} without reading the stored version back (the built-in sync at start needs none). */
export async function insertVersion(store: DataStore, input: NewVersion, mode: 'create' | 'add', now = Date.now()): Promise<void> {
  const { meta } = input;
  const entry = meta.changelog.find((c) => c.version === meta.version);
  if (!entry) throw new DomainError('invalid', 'invalid_changelog', `the changelog has no entry for version ${meta.version}`);
  await store.transaction(async (tx) => {
    // The template's row is written first: a new one is claimed (its id is the key), an existing one is
    // locked (PostgreSQL), so two servers adding versions at once check the newest version in turn.
    const row = { id: meta.id, category: meta.category, meta, now };
    if (mode === 'create' && !(await insertTemplateRow(tx, { ...row, source: input.source }))) {
      throw new DomainError('conflict', 'template_exists', `a template with id "${meta.id}" already exists; add a version to it instead`);
    }
    if (mode === 'add' && !(await updateTemplateRow(tx, row))) throw new DomainError('not_found', 'not_found', `no template with id "${meta.id}"`);
    const newest = newestFirst(await listVersionRows(tx, meta.id))[0];
    if (newest && compareSemver(meta.version, newest.version) <= 0) {
      throw new DomainError('conflict', 'version_not_increasing', `version ${meta.version} must be greater than ${newest.version}, the newest version of "${meta.id}"`, {
        newest: newest.version,
      });
    }
    await insertVersionRow(tx, {
      templateId: meta.id,
      version: meta.version,
      graph: input.graph,
      meta,
      notes: entry.notes,
      samples: input.samples ?? [],
      source: input.source,
      createdBy: input.by,
      createdAt: input.createdAt ?? now,
      deprecatedAt: null,
    });
  });
}

/** Deprecates (or un-deprecates) a version; a deprecated version stays readable but is not offered. */
export async function setDeprecated(store: DataStore, id: string, version: string, deprecated: boolean, now = Date.now()): Promise<TemplateVersionSummary> {
  const row = await mustGetVersionRow(store, id, version);
  if (deprecated !== (row.deprecatedAt !== null)) await setVersionDeprecated(store, id, version, deprecated ? now : null);
  return versionSummary(await mustGetVersionRow(store, id, version));
}
