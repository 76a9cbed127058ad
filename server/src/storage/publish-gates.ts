/**
 * Rows of `publish_gates`: each scenario's publish gate, if any, on either store (./store.ts). The rules
 * of the gate live in `server/src/evaluation/gate.ts`.
 */
import { eq } from 'drizzle-orm';
import type { publishGates } from './schema-evaluation.js';
import type { DataStore } from './store.js';

export type PublishGateRow = typeof publishGates.$inferSelect;

/** The gate of a scenario, or undefined. */
export async function getPublishGate(store: DataStore, scenarioId: string): Promise<PublishGateRow | undefined> {
  const { db, t } = store;
  const [row] = await db.select().from(t.publishGates).where(eq(t.publishGates.scenarioId, scenarioId)).limit(1);
  return row;
}

/** Sets (inserts or replaces) a scenario's gate, in one statement (two servers setting it at once: the later wins whole). */
export async function putPublishGate(store: DataStore, row: PublishGateRow): Promise<PublishGateRow> {
  const { db, t } = store;
  const [stored] = await db
    .insert(t.publishGates)
    .values(row)
    .onConflictDoUpdate({ target: t.publishGates.scenarioId, set: { setId: row.setId, metric: row.metric, min: row.min, maxDrop: row.maxDrop, updatedBy: row.updatedBy, updatedAt: row.updatedAt } })
    .returning();
  return stored as PublishGateRow;
}

/** Removes a scenario's gate; the removed row, or undefined when it had none. */
export async function deletePublishGate(store: DataStore, scenarioId: string): Promise<PublishGateRow | undefined> {
  const { db, t } = store;
  const [row] = await db.delete(t.publishGates).where(eq(t.publishGates.scenarioId, scenarioId)).returning();
  return row;
}

/** The gate that uses evaluation set `setId`, if any (a set belongs to one scenario, so at most one). */
export async function gateUsingSet(store: DataStore, setId: string): Promise<PublishGateRow | undefined> {
  const { db, t } = store;
  const [row] = await db.select().from(t.publishGates).where(eq(t.publishGates.setId, setId)).limit(1);
  return row;
}
