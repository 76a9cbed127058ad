/**
 * Template rows, on either store (./store.ts): `templates` (one per id, with its newest metadata) and
 * immutable `template_versions`. Functions here only read and write rows; the rules (semver must
 * increase, sync of built-ins) live in `server/src/templates/store.ts`.
 */
import { and, asc, eq, isNotNull } from 'drizzle-orm';
import type { templates, templateVersions } from './schema.js';
import type { DataStore } from './store.js';

export type TemplateRow = typeof templates.$inferSelect;
export type TemplateVersionRow = typeof templateVersions.$inferSelect;
export type TemplateSource = TemplateRow['source'];

/** Every template row, by id. */
export async function listTemplateRows(store: DataStore): Promise<TemplateRow[]> {
  const { db, t } = store;
  return db.select().from(t.templates).orderBy(asc(t.templates.id));
}

/** One template row, or undefined. */
export async function getTemplateRow(store: DataStore, id: string): Promise<TemplateRow | undefined> {
  const { db, t } = store;
  const [row] = await db.select().from(t.templates).where(eq(t.templates.id, id)).limit(1);
  return row;
}

/** Every version row of every template, by template id and version text (callers group and sort by semver). */
export async function listAllVersionRows(store: DataStore): Promise<TemplateVersionRow[]> {
  const { db, t } = store;
  return db.select().from(t.templateVersions).orderBy(asc(t.templateVersions.templateId), asc(t.templateVersions.version));
}

/** Every version row of one template, by version text (semver order is the caller's business). */
export async function listVersionRows(store: DataStore, templateId: string): Promise<TemplateVersionRow[]> {
  const { db, t } = store;
  return db.select().from(t.templateVersions).where(eq(t.templateVersions.templateId, templateId)).orderBy(asc(t.templateVersions.version));
}

/** One version row, or undefined. */
export async function getVersionRow(store: DataStore, templateId: string, version: string): Promise<TemplateVersionRow | undefined> {
  const { db, t } = store;
  const [row] = await db
    .select()
    .from(t.templateVersions)
    .where(and(eq(t.templateVersions.templateId, templateId), eq(t.templateVersions.version, version)))
    .limit(1);
  return row;
}

/** Inserts a template row; false (nothing written) when one with the id exists. */
export async function insertTemplateRow(store: DataStore, row: { id: string; category: string; meta: unknown; source: TemplateSource; now: number }): Promise<boolean> {
  const { db, t } = store;
  const made = await db
    .insert(t.templates)
    .values({ id: row.id, category: row.category, meta: row.meta, source: row.source, createdAt: row.now, updatedAt: row.now })
    .onConflictDoNothing()
    .returning({ id: t.templates.id });
  return made.length > 0;
}

/**
 * Updates an existing template's category and newest metadata; undefined when there is none. On
 * PostgreSQL this locks the row until the transaction ends, so two servers adding versions to one
 * template check "newer than every stored version" one after the other.
 */
export async function updateTemplateRow(store: DataStore, row: { id: string; category: string; meta: unknown; now: number }): Promise<TemplateRow | undefined> {
  const { db, t } = store;
  const [updated] = await db.update(t.templates).set({ category: row.category, meta: row.meta, updatedAt: row.now }).where(eq(t.templates.id, row.id)).returning();
  return updated;
}

/** Inserts a version row; the primary key refuses a second row for the same version. */
export async function insertVersionRow(store: DataStore, row: typeof templateVersions.$inferInsert): Promise<void> {
  const { db, t } = store;
  await db.insert(t.templateVersions).values(row);
}

/** Sets or clears `deprecated_at`; returns whether the version exists. */
export async function setVersionDeprecated(store: DataStore, templateId: string, version: string, at: number | null): Promise<boolean> {
  const { db, t } = store;
  const changed = await db
    .update(t.templateVersions)
    .set({ deprecatedAt: at })
    .where(and(eq(t.templateVersions.templateId, templateId), eq(t.templateVersions.version, version)))
    .returning({ version: t.templateVersions.version });
  return changed.length > 0;
}

/** A scenario's template origin. */
export interface ScenarioOrigin {
  id: string;
  templateId: string | null;
  templateVersion: string | null;
}

/** The template origin of one scenario, or undefined when there is no such scenario. */
export async function getScenarioOrigin(store: DataStore, scenarioId: string): Promise<ScenarioOrigin | undefined> {
  const { db, t } = store;
  const [row] = await db
    .select({ id: t.scenarios.id, templateId: t.scenarios.templateId, templateVersion: t.scenarios.templateVersion })
    .from(t.scenarios)
    .where(eq(t.scenarios.id, scenarioId))
    .limit(1);
  return row;
}

/** The template origin of every scenario that has one. */
export async function listScenarioOrigins(store: DataStore): Promise<ScenarioOrigin[]> {
  const { db, t } = store;
  return db
    .select({ id: t.scenarios.id, templateId: t.scenarios.templateId, templateVersion: t.scenarios.templateVersion })
    .from(t.scenarios)
    .where(isNotNull(t.scenarios.templateId))
    .orderBy(asc(t.scenarios.id));
}

/** Records (or clears, with nulls) which template version a scenario came from. */
export async function setScenarioOrigin(store: DataStore, scenarioId: string, templateId: string | null, version: string | null): Promise<void> {
  const { db, t } = store;
  await db.update(t.scenarios).set({ templateId, templateVersion: version }).where(eq(t.scenarios.id, scenarioId));
}
