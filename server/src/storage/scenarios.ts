/**
 * Scenario repository, on either store (./store.ts): drafts with optimistic concurrency. Rows are mapped
 * to the shared API shapes.
 */
import { assertGraphLimits } from '../limits.js';
import { randomUUID } from 'node:crypto';
import { and, desc, eq, or, sql } from 'drizzle-orm';
import type { Graph } from '@shared/graph.js';
import { GraphSchema } from '@shared/graph.js';
import type { Scenario, ScenarioSummary } from '@shared/api.js';
import { greatest, jsonArrayLength, likeIgnoringCase } from './dialect-sql.js';
import type { scenarios } from './schema.js';
import { scenariosChanged } from './slug-cache.js';
import type { DataStore } from './store.js';

type Row = typeof scenarios.$inferSelect;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A stored row as the API shows it. */
export function toScenario(row: Row): Scenario {
  // A stored graph was validated on the way in; parse again so the type is earned, not asserted. One
  // that no longer parses (stored by an older version) is handed back as stored, for the editor to show
  // its problems: a read never fails on what is in the database.
  const parsed = GraphSchema.safeParse(row.graph);
  const graph = parsed.success ? parsed.data : (row.graph as Graph);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    graph,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
    revision: row.revision,
    slug: row.slug,
    live_version: row.liveVersion,
  };
}

/** Lists scenario summaries, newest first (then by id); `q` matches the name (or description) ignoring ASCII case. */
export async function listScenarios(store: DataStore, q?: string): Promise<ScenarioSummary[]> {
  const { db, t } = store;
  const term = q?.trim();
  const pattern = term ? `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
  const rows = await db
    .select({
      id: t.scenarios.id,
      name: t.scenarios.name,
      description: t.scenarios.description,
      updatedAt: t.scenarios.updatedAt,
      revision: t.scenarios.revision,
      slug: t.scenarios.slug,
      liveVersion: t.scenarios.liveVersion,
      nodeCount: jsonArrayLength(store.dialect, t.scenarios.graph, ['nodes']),
    })
    .from(t.scenarios)
    .where(pattern ? or(likeIgnoringCase(store.dialect, t.scenarios.name, pattern), likeIgnoringCase(store.dialect, t.scenarios.description, pattern)) : undefined)
    .orderBy(desc(t.scenarios.updatedAt), desc(t.scenarios.id));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    description: r.description,
    updated_at: iso(r.updatedAt),
    node_count: Number(r.nodeCount),
    revision: r.revision,
    slug: r.slug,
    live_version: r.liveVersion,
  }));
}

/** The scenario with this id, or undefined. */
export async function getScenario(store: DataStore, id: string): Promise<Scenario | undefined> {
  const { db, t } = store;
  const [row] = await db.select().from(t.scenarios).where(eq(t.scenarios.id, id)).limit(1);
  return row ? toScenario(row) : undefined;
}

/** Stores a new scenario and returns it. */
export async function createScenario(store: DataStore, input: { name: string; description?: string; graph: Graph }, now = Date.now()): Promise<Scenario> {
  assertGraphLimits(input.graph);
  const { db, t } = store;
  const [row] = await db
    .insert(t.scenarios)
    .values({ id: randomUUID(), name: input.name, description: input.description ?? '', graph: input.graph, createdAt: now, updatedAt: now, revision: 1 })
    .returning();
  return toScenario(row as Row);
}

export type UpdateOutcome = { ok: true; scenario: Scenario } | { ok: false; reason: 'not_found' } | { ok: false; reason: 'conflict'; current: Scenario };

/**
 * Updates the named fields. When `revision` is given and is not the stored one, nothing is written and
 * the current scenario comes back so the caller can report the conflict. One conditional statement (the
 * revision checked and bumped by the UPDATE itself), so two saves from two servers never both pass as
 * the same revision, and saves naming none each apply on top of the other.
 */
export async function updateScenario(
  store: DataStore,
  id: string,
  patch: { name?: string; description?: string; graph?: Graph; revision?: number },
  now = Date.now(),
): Promise<UpdateOutcome> {
  if (patch.graph !== undefined) assertGraphLimits(patch.graph);
  const { db, t } = store;
  const [updated] = await db
    .update(t.scenarios)
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.graph !== undefined ? { graph: patch.graph } : {}),
      // Never back in time (a clock set back, or another server's a little behind).
      updatedAt: greatest(store.dialect, sql`${now}`, t.scenarios.updatedAt),
      revision: sql`${t.scenarios.revision} + 1`,
    })
    .where(patch.revision === undefined ? eq(t.scenarios.id, id) : and(eq(t.scenarios.id, id), eq(t.scenarios.revision, patch.revision)))
    .returning();
  if (updated) return { ok: true, scenario: toScenario(updated) };
  const [current] = await db.select().from(t.scenarios).where(eq(t.scenarios.id, id)).limit(1);
  return current ? { ok: false, reason: 'conflict', current: toScenario(current) } : { ok: false, reason: 'not_found' };
}

/** Deletes a scenario (its runs go with it). Returns whether it existed. */
export async function deleteScenario(store: DataStore, id: string): Promise<boolean> {
  const { db, t } = store;
  const deleted = await db.delete(t.scenarios).where(eq(t.scenarios.id, id)).returning({ id: t.scenarios.id });
  scenariosChanged();
  return deleted.length > 0;
}

/** Copies a scenario under a new id and name (`<name> (copy)` unless given). */
export async function duplicateScenario(store: DataStore, id: string, name?: string): Promise<Scenario | undefined> {
  const source = await getScenario(store, id);
  if (!source) return undefined;
  return createScenario(store, { name: name ?? `${source.name} (copy)`, description: source.description, graph: source.graph });
}
