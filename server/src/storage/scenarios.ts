/**
 * Scenario repository: drafts with optimistic concurrency. Rows are mapped to the shared API shapes.
 */
import { assertGraphLimits } from '../limits.js';
import { randomUUID } from 'node:crypto';
import { desc, eq, or, sql } from 'drizzle-orm';
import type { Graph } from '@shared/graph.js';
import { GraphSchema } from '@shared/graph.js';
import type { Scenario, ScenarioSummary } from '@shared/api.js';
import { writeTransaction, type Db } from './db.js';
import { scenarios } from './schema.js';
import { scenariosChanged } from './slug-cache.js';

type Row = typeof scenarios.$inferSelect;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function toScenario(row: Row): Scenario {
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

/** Lists scenario summaries, newest first; `q` matches the name (or description) case-insensitively. */
export function listScenarios(db: Db, q?: string): ScenarioSummary[] {
  const term = q?.trim();
  const pattern = term ? `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
  const rows = db
    .select({
      id: scenarios.id,
      name: scenarios.name,
      description: scenarios.description,
      updatedAt: scenarios.updatedAt,
      revision: scenarios.revision,
      slug: scenarios.slug,
      liveVersion: scenarios.liveVersion,
      // json_valid first: a stored graph SQLite cannot parse (nested past its 1000 levels) must not fail the list.
      nodeCount: sql<number>`coalesce(case when json_valid(${scenarios.graph}) then json_array_length(${scenarios.graph}, '$.nodes') end, 0)`,
    })
    .from(scenarios)
    .where(
      pattern
        ? or(sql`${scenarios.name} like ${pattern} escape '\\'`, sql`${scenarios.description} like ${pattern} escape '\\'`)
        : undefined,
    )
    .orderBy(desc(scenarios.updatedAt))
    .all();
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
export function getScenario(db: Db, id: string): Scenario | undefined {
  const row = db.select().from(scenarios).where(eq(scenarios.id, id)).get();
  return row ? toScenario(row) : undefined;
}

/** Stores a new scenario and returns it. */
export function createScenario(db: Db, input: { name: string; description?: string; graph: Graph }, now = Date.now()): Scenario {
  assertGraphLimits(input.graph);
  const row = db
    .insert(scenarios)
    .values({ id: randomUUID(), name: input.name, description: input.description ?? '', graph: input.graph, createdAt: now, updatedAt: now, revision: 1 })
    .returning()
    .get();
  return toScenario(row);
}

export type UpdateOutcome = { ok: true; scenario: Scenario } | { ok: false; reason: 'not_found' } | { ok: false; reason: 'conflict'; current: Scenario };

/**
 * Updates the named fields. When `revision` is given and is not the stored one, nothing is written and
 * the current scenario comes back so the caller can report the conflict.
 */
export function updateScenario(
  db: Db,
  id: string,
  patch: { name?: string; description?: string; graph?: Graph; revision?: number },
  now = Date.now(),
): UpdateOutcome {
  if (patch.graph !== undefined) assertGraphLimits(patch.graph);
  return writeTransaction(db, (tx) => {
    const row = tx.select().from(scenarios).where(eq(scenarios.id, id)).get();
    if (!row) return { ok: false, reason: 'not_found' } as const;
    if (patch.revision !== undefined && patch.revision !== row.revision) return { ok: false, reason: 'conflict', current: toScenario(row) } as const;
    const updated = tx
      .update(scenarios)
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.graph !== undefined ? { graph: patch.graph } : {}),
        updatedAt: Math.max(now, row.updatedAt),
        revision: row.revision + 1,
      })
      .where(eq(scenarios.id, id))
      .returning()
      .get();
    return { ok: true, scenario: toScenario(updated) } as const;
  });
}

/** Deletes a scenario (its runs go with it). Returns whether it existed. */
export function deleteScenario(db: Db, id: string): boolean {
  const deleted = db.delete(scenarios).where(eq(scenarios.id, id)).run().changes > 0;
  scenariosChanged();
  return deleted;
}

/** Copies a scenario under a new id and name (`<name> (copy)` unless given). */
export function duplicateScenario(db: Db, id: string, name?: string): Scenario | undefined {
  const source = getScenario(db, id);
  if (!source) return undefined;
  return createScenario(db, { name: name ?? `${source.name} (copy)`, description: source.description, graph: source.graph });
}

