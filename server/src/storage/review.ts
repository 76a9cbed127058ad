/**
 * The human-review tables: rules per scenario and the queue of chosen results. No validation here
 * (server/src/review does it). A result is queued once: the source key is unique and an insert of a
 * source already queued does nothing.
 */
import { and, asc, count, eq, gt, isNotNull, like, or, sql, type SQL } from 'drizzle-orm';
import { writeTransaction, type Db } from './db.js';
import { reviewItems, reviewRules } from './schema-evaluation.js';

export type ReviewRulesRow = typeof reviewRules.$inferSelect;
export type ReviewItemRow = typeof reviewItems.$inferSelect;
export type NewReviewItem = Omit<ReviewItemRow, 'status' | 'decidedAt' | 'decidedBy' | 'decision' | 'redactedAt'>;

export function getReviewRules(db: Db, scenarioId: string): ReviewRulesRow | undefined {
  return db.select().from(reviewRules).where(eq(reviewRules.scenarioId, scenarioId)).get();
}

/** Stores a scenario's rules (replacing what it had). */
export function putReviewRules(db: Db, row: ReviewRulesRow): void {
  writeTransaction(db, (tx) =>
    tx
      .insert(reviewRules)
      .values(row)
      .onConflictDoUpdate({ target: reviewRules.scenarioId, set: { config: row.config, updatedBy: row.updatedBy, updatedAt: row.updatedAt } })
      .run(),
  );
}

/** Queues results in one transaction; a source already queued is skipped. Returns the rows inserted. */
export function insertReviewItems(db: Db, rows: NewReviewItem[]): NewReviewItem[] {
  if (rows.length === 0) return [];
  return writeTransaction(db, (tx) => rows.filter((row) => tx.insert(reviewItems).values({ ...row, status: 'pending' }).onConflictDoNothing({ target: reviewItems.sourceKey }).run().changes > 0));
}

/** How many results the daily sample of a scenario took on `day`. */
export function sampledOn(db: Db, scenarioId: string, day: string): number {
  return db.select({ n: count() }).from(reviewItems).where(and(eq(reviewItems.scenarioId, scenarioId), eq(reviewItems.day, day), eq(reviewItems.sampled, true))).get()?.n ?? 0;
}

export function getReviewItem(db: Db, id: string): ReviewItemRow | undefined {
  return db.select().from(reviewItems).where(eq(reviewItems.id, id)).get();
}

export function reviewItemBySource(db: Db, sourceKey: string): ReviewItemRow | undefined {
  return db.select().from(reviewItems).where(eq(reviewItems.sourceKey, sourceKey)).get();
}

/** A queue filter: scenario, status, one reason code, decided only. */
export interface ReviewFilter {
  scenarioId?: string;
  status?: ReviewItemRow['status'];
  reason?: string;
  decided?: boolean;
}

function where(filter: ReviewFilter, withStatus = true): SQL | undefined {
  const parts: Array<SQL | undefined> = [];
  if (filter.scenarioId) parts.push(eq(reviewItems.scenarioId, filter.scenarioId));
  if (withStatus && filter.status) parts.push(eq(reviewItems.status, filter.status));
  if (filter.reason) parts.push(like(reviewItems.reasonCodes, `%,${filter.reason.replace(/[%_,]/g, '')},%`));
  if (filter.decided) parts.push(isNotNull(reviewItems.decidedAt));
  return parts.length === 0 ? undefined : and(...parts);
}

/** A page of the queue, oldest first, after the `(createdAt, id)` of the last row of the page before. */
export function listReviewItems(db: Db, filter: ReviewFilter, limit: number, after?: { createdAt: number; id: string }): ReviewItemRow[] {
  const cursor = after ? or(gt(reviewItems.createdAt, after.createdAt), and(eq(reviewItems.createdAt, after.createdAt), gt(reviewItems.id, after.id))) : undefined;
  return db
    .select()
    .from(reviewItems)
    .where(and(where(filter), cursor))
    .orderBy(asc(reviewItems.createdAt), asc(reviewItems.id))
    .limit(limit)
    .all();
}

/** Items by status under the filter's scenario and reason. */
export function countReviewItems(db: Db, filter: ReviewFilter): Record<ReviewItemRow['status'], number> {
  const counts = { pending: 0, confirmed: 0, corrected: 0 };
  const rows = db.select({ status: reviewItems.status, n: count() }).from(reviewItems).where(where(filter, false)).groupBy(reviewItems.status).all();
  for (const row of rows) counts[row.status] = row.n;
  return counts;
}

/** Stores a decision on an item; `expectDecided` is the decided_at the caller read (null: still pending), so a concurrent decision is not overwritten. Returns false when it changed meanwhile. */
export function decideReviewItem(db: Db, id: string, expectDecided: number | null, set: Pick<ReviewItemRow, 'status' | 'decidedAt' | 'decidedBy' | 'decision'>): boolean {
  const same = expectDecided === null ? sql`${reviewItems.decidedAt} is null` : eq(reviewItems.decidedAt, expectDecided);
  return db.update(reviewItems).set(set).where(and(eq(reviewItems.id, id), same)).run().changes > 0;
}
