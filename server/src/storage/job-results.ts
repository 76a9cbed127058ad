/**
 * Reads of a job's finished items, on either store: the results pages (keyset), the admin's list of
 * failures (by offset) and the count of items the built-in simulator answered. The JobStore (./jobs.ts)
 * offers them as its methods.
 */
import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import { simulatedModel } from '@shared/simulated.js';
import type { FinishedItemRow } from './job-rows.js';
import type { DataStore, Tables } from './store.js';

/** The columns of a {@link FinishedItemRow}: the item's row, and its run's model when the item has none. */
function finishedColumns(t: Tables) {
  const ji = t.jobItems;
  return {
    seq: ji.seq, itemId: ji.itemId, status: ji.status, runId: ji.runId, outputs: ji.outputs, error: ji.error, attempts: ji.attempts, finishedAt: ji.finishedAt,
    model: sql<string | null>`coalesce(${ji.model}, ${t.runs.model})`,
  };
}

/** Up to `limit` finished items (or only failed ones) after seq `afterSeq`, in submission order. */
export async function finishedItemsPage(store: DataStore, jobId: string, afterSeq: number, limit: number, only?: 'failed'): Promise<FinishedItemRow[]> {
  const { db, t } = store;
  const ji = t.jobItems;
  const rows = await db
    .select(finishedColumns(t))
    .from(ji)
    .leftJoin(t.runs, eq(t.runs.id, ji.runId))
    .where(and(eq(ji.jobId, jobId), sql`${ji.seq} > ${afterSeq}`, only === 'failed' ? eq(ji.status, 'failed') : inArray(ji.status, ['succeeded', 'failed'])))
    .orderBy(asc(ji.seq))
    .limit(limit);
  return rows as FinishedItemRow[];
}

/** How many finished items of the job the built-in simulator answered (their runs' `model`, grouped by value). */
export async function simulatedItemCount(store: DataStore, jobId: string): Promise<number> {
  const { db, t } = store;
  const ji = t.jobItems;
  const model = sql<string | null>`coalesce(${ji.model}, ${t.runs.model})`;
  const rows = await db
    .select({ model, n: count() })
    .from(ji)
    .leftJoin(t.runs, eq(t.runs.id, ji.runId))
    .where(and(eq(ji.jobId, jobId), inArray(ji.status, ['succeeded', 'failed'])))
    .groupBy(model);
  return rows.reduce((sum, r) => sum + (simulatedModel(r.model) ? Number(r.n) : 0), 0);
}

/** Up to `limit` failed items from the `offset`-th, in submission order. */
export async function failedItemsPage(store: DataStore, jobId: string, offset: number, limit: number): Promise<FinishedItemRow[]> {
  const { db, t } = store;
  const ji = t.jobItems;
  const rows = await db
    .select(finishedColumns(t))
    .from(ji)
    .leftJoin(t.runs, eq(t.runs.id, ji.runId))
    .where(and(eq(ji.jobId, jobId), eq(ji.status, 'failed')))
    .orderBy(asc(ji.seq))
    .limit(limit)
    .offset(offset);
  return rows as FinishedItemRow[];
}
