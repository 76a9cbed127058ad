/**
 * Published versions: immutable rows of `scenario_versions`, and each scenario's slug and live version.
 * Functions here only read and write rows; the rules of publishing live in `server/src/publish/`.
 */
import { and, asc, desc, eq, isNotNull, sql } from 'drizzle-orm';
import type { VersionSummary } from '@shared/publish.js';
import { VersionGateSchema, type VersionGate } from '@shared/publish-gate.js';
import { writeTransaction, type Db } from './db.js';
import { scenarios, scenarioVersions } from './schema.js';
import { sqliteOf } from './sqlite.js';
import { SlugCache, scenariosChanged } from './slug-cache.js';
import type Database from 'better-sqlite3';

/** A scenario's publishing state: its draft graph, slug and live version. */
export interface PublishState {
  id: string;
  name: string;
  graph: unknown;
  slug: string | null;
  liveVersion: number | null;
}

/** One stored version (the graph is raw JSON as stored). */
export interface VersionRow {
  scenarioId: string;
  version: number;
  graph: unknown;
  planHash: string;
  note: string;
  createdBy: string;
  createdAt: number;
  /** The gate record it went live through (`VersionGate`), null without one. */
  gate: unknown;
}

/** A scenario that has a live version, for listings such as the aggregate OpenAPI document. */
export interface LiveScenarioRow {
  id: string;
  name: string;
  slug: string;
  liveVersion: number;
}

/** The publishing state of a scenario, or undefined when there is no such scenario. */
export function getPublishState(db: Db, scenarioId: string): PublishState | undefined {
  return db
    .select({ id: scenarios.id, name: scenarios.name, graph: scenarios.graph, slug: scenarios.slug, liveVersion: scenarios.liveVersion })
    .from(scenarios)
    .where(eq(scenarios.id, scenarioId))
    .get();
}

type BySlugQuery = Database.Statement<[string], { id: string; live_version: number | null }>;
const bySlugQueries = new WeakMap<Db, { query: BySlugQuery; cache: SlugCache }>();

/**
 * The scenario that owns a slug (id and live version), or undefined. The `/v1` API asks this on every
 * request: cached per connection ({@link SlugCache}: a publish or rollback in this process is seen at
 * once, one from another process within a second), else one better-sqlite3 statement on the unique
 * slug index.
 */
export function findBySlug(db: Db, slug: string): { id: string; liveVersion: number | null } | undefined {
  let lookup = bySlugQueries.get(db);
  if (!lookup) {
    lookup = { query: sqliteOf(db).prepare<[string], { id: string; live_version: number | null }>('select id, live_version from scenarios where slug = ?'), cache: new SlugCache() };
    bySlugQueries.set(db, lookup);
  }
  const hit = lookup.cache.get(slug);
  if (hit) return hit.owner ?? undefined;
  const row = lookup.query.get(slug);
  const owner = row ? { id: row.id, liveVersion: row.live_version } : null;
  lookup.cache.set(slug, owner);
  return owner ?? undefined;
}

/** Every version of a scenario, newest first. */
export function listVersions(db: Db, scenarioId: string): VersionRow[] {
  return db.select().from(scenarioVersions).where(eq(scenarioVersions.scenarioId, scenarioId)).orderBy(desc(scenarioVersions.version)).all();
}

/** One version of a scenario, or undefined. */
export function getVersion(db: Db, scenarioId: string, version: number): VersionRow | undefined {
  return db
    .select()
    .from(scenarioVersions)
    .where(and(eq(scenarioVersions.scenarioId, scenarioId), eq(scenarioVersions.version, version)))
    .get();
}

/** Whether another scenario already holds this slug. */
export function slugTaken(db: Db, slug: string, exceptScenarioId?: string): boolean {
  const row = db.select({ id: scenarios.id }).from(scenarios).where(eq(scenarios.slug, slug)).get();
  return row !== undefined && row.id !== exceptScenarioId;
}

/** What {@link insertVersion} stores. */
export interface NewVersion {
  scenarioId: string;
  slug: string;
  graph: unknown;
  planHash: string;
  note: string;
  createdBy: string;
  /** The publish gate record (`VersionGate`), when the scenario has a gate. */
  gate?: unknown;
}

/**
 * Stores version max+1 of a scenario, sets its slug (when not yet set) and makes the new version live,
 * all in one transaction so two publishers cannot get the same number.
 */
export function insertVersion(db: Db, input: NewVersion, now = Date.now()): VersionRow {
  return writeTransaction(db, (tx) => {
    const max = tx
      .select({ max: sql<number | null>`max(${scenarioVersions.version})` })
      .from(scenarioVersions)
      .where(eq(scenarioVersions.scenarioId, input.scenarioId))
      .get();
    const version = (max?.max ?? 0) + 1;
    const row = tx
      .insert(scenarioVersions)
      .values({ scenarioId: input.scenarioId, version, graph: input.graph, planHash: input.planHash, note: input.note, createdBy: input.createdBy, createdAt: now, gate: input.gate ?? null })
      .returning()
      .get();
    tx.update(scenarios).set({ slug: input.slug, liveVersion: version }).where(eq(scenarios.id, input.scenarioId)).run();
    scenariosChanged();
    // The write lock is taken before reading max(version), so a CLI and the server publishing at the same
    // moment queue up instead of both choosing the same number.
    return row;
  });
}

/** Makes an existing version live (one statement, so it is atomic). False when there is no such version. */
export function setLiveVersion(db: Db, scenarioId: string, version: number): boolean {
  const exists = db
    .select({ one: sql`1` })
    .from(scenarioVersions)
    .where(and(eq(scenarioVersions.scenarioId, scenarioId), eq(scenarioVersions.version, version)));
  const changed = db
    .update(scenarios)
    .set({ liveVersion: version })
    .where(and(eq(scenarios.id, scenarioId), sql`exists ${exists}`))
    .run().changes > 0;
  scenariosChanged();
  return changed;
}

/** Every scenario with a slug and a live version, by slug. */
export function listLiveScenarios(db: Db): LiveScenarioRow[] {
  const rows = db
    .select({ id: scenarios.id, name: scenarios.name, slug: scenarios.slug, liveVersion: scenarios.liveVersion })
    .from(scenarios)
    .where(and(isNotNull(scenarios.slug), isNotNull(scenarios.liveVersion)))
    .orderBy(asc(scenarios.slug))
    .all();
  const live: LiveScenarioRow[] = [];
  for (const r of rows) if (r.slug !== null && r.liveVersion !== null) live.push({ id: r.id, name: r.name, slug: r.slug, liveVersion: r.liveVersion });
  return live;
}

/** A stored version as the API and the CLI list it. */
export function versionSummary(row: VersionRow, liveVersion: number | null): VersionSummary {
  return {
    version: row.version,
    note: row.note,
    created_by: row.createdBy,
    created_at: new Date(row.createdAt).toISOString(),
    plan_hash: row.planHash,
    live: row.version === liveVersion,
    gate: readVersionGate(row.gate),
  };
}

/** A stored gate record read defensively: null when absent or not of the shape (an older or damaged row). */
function readVersionGate(value: unknown): VersionGate | null {
  const parsed = VersionGateSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
