/**
 * Rows of `publish_gates`: each scenario's publish gate, if any. The rules of the gate live in
 * `server/src/evaluation/gate.ts`.
 */
import { eq } from 'drizzle-orm';
import { writeTransaction, type Db } from './db.js';
import { publishGates } from './schema-evaluation.js';

export type PublishGateRow = typeof publishGates.$inferSelect;

/** The gate of a scenario, or undefined. */
export function getPublishGate(db: Db, scenarioId: string): PublishGateRow | undefined {
  return db.select().from(publishGates).where(eq(publishGates.scenarioId, scenarioId)).get();
}

/** Sets (inserts or replaces) a scenario's gate. */
export function putPublishGate(db: Db, row: PublishGateRow): PublishGateRow {
  return writeTransaction(db, (tx) =>
    tx
      .insert(publishGates)
      .values(row)
      .onConflictDoUpdate({ target: publishGates.scenarioId, set: { setId: row.setId, metric: row.metric, min: row.min, maxDrop: row.maxDrop, updatedBy: row.updatedBy, updatedAt: row.updatedAt } })
      .returning()
      .get(),
  );
}

/** Removes a scenario's gate; the removed row, or undefined when it had none. */
export function deletePublishGate(db: Db, scenarioId: string): PublishGateRow | undefined {
  return writeTransaction(db, (tx) => tx.delete(publishGates).where(eq(publishGates.scenarioId, scenarioId)).returning().get());
}

/** The gate that uses evaluation set `setId`, if any (a set belongs to one scenario, so at most one). */
export function gateUsingSet(db: Db, setId: string): PublishGateRow | undefined {
  return db.select().from(publishGates).where(eq(publishGates.setId, setId)).get();
}
