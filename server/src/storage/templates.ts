/**
 * Template rows: `templates` (one per id, with its newest metadata) and immutable `template_versions`.
 * Functions here only read and write rows; the rules (semver must increase, sync of built-ins) live in
 * `server/src/templates/store.ts`.
 */
import { and, eq, isNotNull } from 'drizzle-orm';
import type { Db } from './db.js';
import { scenarios, templates, templateVersions } from './schema.js';

export type TemplateRow = typeof templates.$inferSelect;
export type TemplateVersionRow = typeof templateVersions.$inferSelect;
export type TemplateSource = TemplateRow['source'];

/** Every template row, by id. */
export function listTemplateRows(db: Db): TemplateRow[] {
  return db.select().from(templates).orderBy(templates.id).all();
}

/** One template row, or undefined. */
export function getTemplateRow(db: Db, id: string): TemplateRow | undefined {
  return db.select().from(templates).where(eq(templates.id, id)).get();
}

/** Every version row of every template (callers group and sort by semver). */
export function listAllVersionRows(db: Db): TemplateVersionRow[] {
  return db.select().from(templateVersions).all();
}

/** Every version row of one template, unsorted (semver order is the caller's business). */
export function listVersionRows(db: Db, templateId: string): TemplateVersionRow[] {
  return db.select().from(templateVersions).where(eq(templateVersions.templateId, templateId)).all();
}

/** One version row, or undefined. */
export function getVersionRow(db: Db, templateId: string, version: string): TemplateVersionRow | undefined {
  return db
    .select()
    .from(templateVersions)
    .where(and(eq(templateVersions.templateId, templateId), eq(templateVersions.version, version)))
    .get();
}

/** Inserts a template row, or updates its category and newest metadata when it exists. */
export function upsertTemplateRow(db: Db, row: { id: string; category: string; meta: unknown; source: TemplateSource; now: number }): void {
  db.insert(templates)
    .values({ id: row.id, category: row.category, meta: row.meta, source: row.source, createdAt: row.now, updatedAt: row.now })
    .onConflictDoUpdate({ target: templates.id, set: { category: row.category, meta: row.meta, updatedAt: row.now } })
    .run();
}

/** Inserts a version row; the primary key refuses a second row for the same version. */
export function insertVersionRow(db: Db, row: typeof templateVersions.$inferInsert): void {
  db.insert(templateVersions).values(row).run();
}

/** Sets or clears `deprecated_at`; returns whether the version exists. */
export function setVersionDeprecated(db: Db, templateId: string, version: string, at: number | null): boolean {
  return (
    db
      .update(templateVersions)
      .set({ deprecatedAt: at })
      .where(and(eq(templateVersions.templateId, templateId), eq(templateVersions.version, version)))
      .run().changes > 0
  );
}

/** A scenario's template origin. */
export interface ScenarioOrigin {
  id: string;
  templateId: string | null;
  templateVersion: string | null;
}

/** The template origin of one scenario, or undefined when there is no such scenario. */
export function getScenarioOrigin(db: Db, scenarioId: string): ScenarioOrigin | undefined {
  return db
    .select({ id: scenarios.id, templateId: scenarios.templateId, templateVersion: scenarios.templateVersion })
    .from(scenarios)
    .where(eq(scenarios.id, scenarioId))
    .get();
}

/** The template origin of every scenario that has one. */
export function listScenarioOrigins(db: Db): ScenarioOrigin[] {
  return db
    .select({ id: scenarios.id, templateId: scenarios.templateId, templateVersion: scenarios.templateVersion })
    .from(scenarios)
    .where(isNotNull(scenarios.templateId))
    .all();
}

/** Records (or clears, with nulls) which template version a scenario came from. */
export function setScenarioOrigin(db: Db, scenarioId: string, templateId: string | null, version: string | null): void {
  db.update(scenarios).set({ templateId, templateVersion: version }).where(eq(scenarios.id, scenarioId)).run();
}
