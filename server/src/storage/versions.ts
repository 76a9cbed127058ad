/**
 * Published versions: immutable rows of `scenario_versions`, and each scenario's slug and live version,
 * on either store (./store.ts). Functions here only read and write rows; the rules of publishing live in
 * `server/src/publish/`.
 */
import { and, asc, desc, eq, isNotNull, sql } from 'drizzle-orm';
import type { VersionSummary } from '@shared/publish.js';
import { VersionGateSchema, type VersionGate } from '@shared/publish-gate.js';
import type { DataStore } from './store.js';
import { SlugCache, scenariosChanged, type SlugOwner } from './slug-cache.js';

/** A slug's owner when there is one. */
export type SlugFound = NonNullable<SlugOwner>;

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
export async function getPublishState(store: DataStore, scenarioId: string): Promise<PublishState | undefined> {
  const { db, t } = store;
  const [row] = await db
    .select({ id: t.scenarios.id, name: t.scenarios.name, graph: t.scenarios.graph, slug: t.scenarios.slug, liveVersion: t.scenarios.liveVersion })
    .from(t.scenarios)
    .where(eq(t.scenarios.id, scenarioId))
    .limit(1);
  return row;
}

/** Each store's slug cache, by its drizzle handle (one per SQLite connection or PostgreSQL pool). */
const slugCaches = new WeakMap<object, SlugCache>();

/** The slug cache of `store`. */
export function slugCacheOf(store: Pick<DataStore, 'db'>): SlugCache {
  let cache = slugCaches.get(store.db);
  if (!cache) {
    cache = new SlugCache();
    slugCaches.set(store.db, cache);
  }
  return cache;
}

/**
 * The scenario that owns a slug (id and live version), or undefined. The `/v1` API asks this on every
 * request, so a cached owner ({@link SlugCache}: a publish or rollback in this process is seen at once,
 * one from another process or server within a second) is answered at once, not as a promise; only a
 * miss reads the unique slug index.
 */
export function findBySlug(store: DataStore, slug: string): SlugFound | undefined | Promise<SlugFound | undefined> {
  const cache = slugCacheOf(store);
  const hit = cache.get(slug);
  if (hit) return hit.owner ?? undefined;
  return readSlugOwner(store, cache, slug);
}

async function readSlugOwner(store: DataStore, cache: SlugCache, slug: string): Promise<SlugFound | undefined> {
  const asked = cache.generation();
  const { db, t } = store;
  const [row] = await db.select({ id: t.scenarios.id, liveVersion: t.scenarios.liveVersion }).from(t.scenarios).where(eq(t.scenarios.slug, slug)).limit(1);
  const owner = row ?? null;
  // Not remembered when a write in this process changed scenarios while the read was under way: it may predate it.
  cache.set(slug, owner, asked);
  return owner ?? undefined;
}

/** Every version of a scenario, newest first. */
export async function listVersions(store: DataStore, scenarioId: string): Promise<VersionRow[]> {
  const { db, t } = store;
  return db.select().from(t.scenarioVersions).where(eq(t.scenarioVersions.scenarioId, scenarioId)).orderBy(desc(t.scenarioVersions.version));
}

/** One version of a scenario, or undefined. */
export async function getVersion(store: DataStore, scenarioId: string, version: number): Promise<VersionRow | undefined> {
  const { db, t } = store;
  const [row] = await db
    .select()
    .from(t.scenarioVersions)
    .where(and(eq(t.scenarioVersions.scenarioId, scenarioId), eq(t.scenarioVersions.version, version)))
    .limit(1);
  return row;
}

/** Whether another scenario already holds this slug. */
export async function slugTaken(store: DataStore, slug: string, exceptScenarioId?: string): Promise<boolean> {
  const { db, t } = store;
  const [row] = await db.select({ id: t.scenarios.id }).from(t.scenarios).where(eq(t.scenarios.slug, slug)).limit(1);
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
 * all in one transaction so two publishers cannot get the same number. Throws the store's unique
 * violation ({@link isUniqueViolation} of ./db-errors.ts) when another scenario holds the slug.
 */
export async function insertVersion(store: DataStore, input: NewVersion, now = Date.now()): Promise<VersionRow> {
  const row = await store.transaction(async (tx) => {
    const { db, t } = tx;
    // Writing the scenario's row first locks it (PostgreSQL: a second publisher of the same scenario
    // waits here until this one commits; SQLite's BEGIN IMMEDIATE already queues them), so both never
    // read the same max(version). It also claims the slug: the unique index refuses one already held.
    await db.update(t.scenarios).set({ slug: input.slug }).where(eq(t.scenarios.id, input.scenarioId));
    const [max] = await db
      .select({ max: sql<number | null>`max(${t.scenarioVersions.version})` })
      .from(t.scenarioVersions)
      .where(eq(t.scenarioVersions.scenarioId, input.scenarioId));
    // PostgreSQL hands an aggregate of raw SQL over as given by the driver: Number() makes both alike.
    const version = Number(max?.max ?? 0) + 1;
    const [inserted] = await db
      .insert(t.scenarioVersions)
      .values({ scenarioId: input.scenarioId, version, graph: input.graph, planHash: input.planHash, note: input.note, createdBy: input.createdBy, createdAt: now, gate: input.gate ?? null })
      .returning();
    await db.update(t.scenarios).set({ liveVersion: version }).where(eq(t.scenarios.id, input.scenarioId));
    return inserted as VersionRow;
  });
  scenariosChanged();
  return row;
}

/** Makes an existing version live (one statement, so it is atomic). False when there is no such version. */
export async function setLiveVersion(store: DataStore, scenarioId: string, version: number): Promise<boolean> {
  const { db, t } = store;
  const exists = db
    .select({ one: sql`1` })
    .from(t.scenarioVersions)
    .where(and(eq(t.scenarioVersions.scenarioId, scenarioId), eq(t.scenarioVersions.version, version)));
  const changed = await db
    .update(t.scenarios)
    .set({ liveVersion: version })
    .where(and(eq(t.scenarios.id, scenarioId), sql`exists ${exists}`))
    .returning({ id: t.scenarios.id });
  scenariosChanged();
  return changed.length > 0;
}

/** Every scenario with a slug and a live version, by slug. */
export async function listLiveScenarios(store: DataStore): Promise<LiveScenarioRow[]> {
  const { db, t } = store;
  const rows = await db
    .select({ id: t.scenarios.id, name: t.scenarios.name, slug: t.scenarios.slug, liveVersion: t.scenarios.liveVersion })
    .from(t.scenarios)
    .where(and(isNotNull(t.scenarios.slug), isNotNull(t.scenarios.liveVersion)))
    .orderBy(asc(t.scenarios.slug));
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
