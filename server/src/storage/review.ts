/**
 * The human-review tables: rules per scenario and the queue of chosen results. No validation here
 * (server/src/review does it). A result is queued once: the source key is unique and an insert of a
 * source already queued does nothing. On either store (./store.ts).
 */
import { and, asc, count, eq, gt, isNotNull, or, sql, type SQL } from 'drizzle-orm';
import type { reviewItems, reviewRules } from './schema-evaluation.js';
import type { DataStore, Tables } from './store.js';

export type ReviewRulesRow = typeof reviewRules.$inferSelect;
export type ReviewItemRow = typeof reviewItems.$inferSelect;
export type NewReviewItem = Omit<ReviewItemRow, 'status' | 'decidedAt' | 'decidedBy' | 'decision' | 'redactedAt'>;

export async function getReviewRules(store: DataStore, scenarioId: string): Promise<ReviewRulesRow | undefined> {
  const { db, t } = store;
  const [row] = await db.select().from(t.reviewRules).where(eq(t.reviewRules.scenarioId, scenarioId)).limit(1);
  return row;
}

/** Stores a scenario's rules (replacing what it had). */
export async function putReviewRules(store: DataStore, row: ReviewRulesRow): Promise<void> {
  const { db, t } = store;
  await db
    .insert(t.reviewRules)
    .values(row)
    .onConflictDoUpdate({ target: t.reviewRules.scenarioId, set: { config: row.config, updatedBy: row.updatedBy, updatedAt: row.updatedAt } });
}

/** Queues results in one transaction; a source already queued is skipped. Returns the rows inserted. */
export async function insertReviewItems(store: DataStore, rows: NewReviewItem[]): Promise<NewReviewItem[]> {
  if (rows.length === 0) return [];
  return store.transaction(async (tx) => {
    const inserted: NewReviewItem[] = [];
    for (const row of rows) {
      const done = await tx.db.insert(tx.t.reviewItems).values({ ...row, status: 'pending' }).onConflictDoNothing({ target: tx.t.reviewItems.sourceKey }).returning({ id: tx.t.reviewItems.id });
      if (done.length > 0) inserted.push(row);
    }
    return inserted;
  });
}

/** How many results the daily sample of a scenario took on `day`. */
export async function sampledOn(store: DataStore, scenarioId: string, day: string): Promise<number> {
  const { db, t } = store;
  const [row] = await db.select({ n: count() }).from(t.reviewItems).where(and(eq(t.reviewItems.scenarioId, scenarioId), eq(t.reviewItems.day, day), eq(t.reviewItems.sampled, true)));
  return Number(row?.n ?? 0);
}

export async function getReviewItem(store: DataStore, id: string): Promise<ReviewItemRow | undefined> {
  const { db, t } = store;
  const [row] = await db.select().from(t.reviewItems).where(eq(t.reviewItems.id, id)).limit(1);
  return row;
}

export async function reviewItemBySource(store: DataStore, sourceKey: string): Promise<ReviewItemRow | undefined> {
  const { db, t } = store;
  const [row] = await db.select().from(t.reviewItems).where(eq(t.reviewItems.sourceKey, sourceKey)).limit(1);
  return row;
}

/** A queue filter: scenario, status, one reason code, decided only. */
export interface ReviewFilter {
  scenarioId?: string;
  status?: ReviewItemRow['status'];
  reason?: string;
  decided?: boolean;
}

function where(t: Tables, filter: ReviewFilter, withStatus = true): SQL | undefined {
  const items = t.reviewItems;
  const parts: Array<SQL | undefined> = [];
  if (filter.scenarioId) parts.push(eq(items.scenarioId, filter.scenarioId));
  if (withStatus && filter.status) parts.push(eq(items.status, filter.status));
  // Reason codes are stored lower case; the filter's is too (the route takes only known codes), so
  // PostgreSQL's case-sensitive `like` finds what SQLite's finds. `_` (in `red_line`…) is escaped, not
  // dropped: dropped, `red_line` looked for `,redline,` and found nothing.
  if (filter.reason) {
    const code = filter.reason.replace(/,/g, '').replace(/[\\%_]/g, (c) => `\\${c}`);
    parts.push(sql`${items.reasonCodes} like ${`%,${code},%`} escape '\\'`);
  }
  if (filter.decided) parts.push(isNotNull(items.decidedAt));
  return parts.length === 0 ? undefined : and(...parts);
}

/** A page of the queue, oldest first, after the `(createdAt, id)` of the last row of the page before. */
export async function listReviewItems(store: DataStore, filter: ReviewFilter, limit: number, after?: { createdAt: number; id: string }): Promise<ReviewItemRow[]> {
  const { db, t } = store;
  const items = t.reviewItems;
  const cursor = after ? or(gt(items.createdAt, after.createdAt), and(eq(items.createdAt, after.createdAt), gt(items.id, after.id))) : undefined;
  return db
    .select()
    .from(items)
    .where(and(where(t, filter), cursor))
    .orderBy(asc(items.createdAt), asc(items.id))
    .limit(limit);
}

/** Items by status under the filter's scenario and reason. */
export async function countReviewItems(store: DataStore, filter: ReviewFilter): Promise<Record<ReviewItemRow['status'], number>> {
  const { db, t } = store;
  const counts = { pending: 0, confirmed: 0, corrected: 0 };
  const rows = await db.select({ status: t.reviewItems.status, n: count() }).from(t.reviewItems).where(where(t, filter, false)).groupBy(t.reviewItems.status);
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}

/** Stores a decision on an item; `expectDecided` is the decided_at the caller read (null: still pending), so a concurrent decision is not overwritten. Returns false when it changed meanwhile. */
export async function decideReviewItem(store: DataStore, id: string, expectDecided: number | null, set: Pick<ReviewItemRow, 'status' | 'decidedAt' | 'decidedBy' | 'decision'>): Promise<boolean> {
  const { db, t } = store;
  const same = expectDecided === null ? sql`${t.reviewItems.decidedAt} is null` : eq(t.reviewItems.decidedAt, expectDecided);
  const done = await db.update(t.reviewItems).set(set).where(and(eq(t.reviewItems.id, id), same)).returning({ id: t.reviewItems.id });
  return done.length > 0;
}
