/**
 * The live-alert tables on either store: a scenario's alert settings (`alert_settings`, one row per
 * scenario, the webhook secret stored sealed by the caller) and the webhook deliveries of alerts
 * (`alert_deliveries`, one row per alert sent, with its attempts). No validation here (server/src/sessions
 * does it).
 *
 * A delivery is sent one attempt at a time. The outcome of an attempt is written only while the row is
 * pending at the `attempts` read before it (the fencing token, {@link recordAlertAttempt}), so a late
 * outcome after another process made the attempt changes nothing. On SQLite (in-process timers) each
 * attempt is also taken by one conditional update ({@link claimAlertAttempt}): the attempt is due
 * (`next_attempt_at` passed) and the claim moves `next_attempt_at` to the end of a lease, so a second
 * process trying the same attempt finds it not due and leaves it. On PostgreSQL pg-boss hands each try to
 * one server (sessions/alert-queue.ts).
 */
import { and, asc, desc, eq, gt, isNull, lte, or } from 'drizzle-orm';
import type { DataStore } from './store.js';
import type { alertDeliveries, alertSettings } from './schema-live.js';

export type AlertSettingsRow = typeof alertSettings.$inferSelect;
export type AlertDeliveryRow = typeof alertDeliveries.$inferSelect;

export async function getAlertSettings(store: DataStore, scenarioId: string): Promise<AlertSettingsRow | undefined> {
  const { db, t } = store;
  const [row] = await db.select().from(t.alertSettings).where(eq(t.alertSettings.scenarioId, scenarioId)).limit(1);
  return row;
}

/** Stores a scenario's settings, replacing what it had (one upsert). */
export async function putAlertSettings(store: DataStore, row: AlertSettingsRow): Promise<void> {
  const { db, t } = store;
  const { scenarioId: _id, ...set } = row;
  await db.insert(t.alertSettings).values(row).onConflictDoUpdate({ target: t.alertSettings.scenarioId, set });
}

/** Records a new delivery (status `pending`, no attempt yet, due at `nextAttemptAt`). */
export async function insertAlertDelivery(store: DataStore, row: Omit<AlertDeliveryRow, 'status' | 'attempts' | 'lastStatus' | 'lastError' | 'deliveredAt'>): Promise<void> {
  const { db, t } = store;
  await db.insert(t.alertDeliveries).values({ ...row, status: 'pending', attempts: 0 });
}

export async function getAlertDelivery(store: DataStore, id: string): Promise<AlertDeliveryRow | undefined> {
  const { db, t } = store;
  const [row] = await db.select().from(t.alertDeliveries).where(eq(t.alertDeliveries.id, id)).limit(1);
  return row;
}

/**
 * Takes the next attempt of a pending delivery that is due at `now` (epoch ms): one conditional update
 * setting `next_attempt_at` to `leaseUntil`. Returns the row as claimed (its `attempts` is the count the
 * outcome must be recorded against), or undefined when it is not pending, not due, or another server
 * took it first.
 */
export async function claimAlertAttempt(store: DataStore, id: string, now: number, leaseUntil: number): Promise<AlertDeliveryRow | undefined> {
  const { db, t } = store;
  const d = t.alertDeliveries;
  const [row] = await db
    .update(d)
    .set({ nextAttemptAt: leaseUntil })
    .where(and(eq(d.id, id), eq(d.status, 'pending'), or(isNull(d.nextAttemptAt), lte(d.nextAttemptAt, now))))
    .returning();
  return row;
}

/** What one attempt came to. */
export interface AlertAttempt {
  /** Attempts made in all, this one included. */
  attempts: number;
  /** HTTP status of the reply; null: no reply. */
  status: number | null;
  /** null: delivered. */
  error: string | null;
  /** `delivered`, `pending` again at `nextAttemptAt` (epoch ms), or `failed` (given up). */
  outcome: 'delivered' | 'pending' | 'failed';
  nextAttemptAt: number | null;
  at: number;
}

/**
 * Records one attempt of a delivery claimed at `claimed` attempts (see {@link claimAlertAttempt}). Returns
 * false, changing nothing, when the row is no longer pending at that count (another server recorded it).
 */
export async function recordAlertAttempt(store: DataStore, id: string, claimed: number, attempt: AlertAttempt): Promise<boolean> {
  const { db, t } = store;
  const d = t.alertDeliveries;
  const done = await db
    .update(d)
    .set({
      attempts: attempt.attempts,
      lastStatus: attempt.status,
      lastError: attempt.error,
      status: attempt.outcome,
      nextAttemptAt: attempt.nextAttemptAt,
      ...(attempt.outcome === 'delivered' ? { deliveredAt: attempt.at } : {}),
    })
    .where(and(eq(d.id, id), eq(d.status, 'pending'), eq(d.attempts, claimed)))
    .returning({ id: d.id });
  return done.length > 0;
}

/**
 * Gives back a claimed attempt that was not made (the server is stopping): due again at `at`, when the row
 * is still the one claimed (pending, `claimed` attempts, `next_attempt_at` the lease's end).
 */
export async function releaseAlertAttempt(store: DataStore, id: string, claimed: number, leaseUntil: number, at: number): Promise<void> {
  const { db, t } = store;
  const d = t.alertDeliveries;
  await db
    .update(d)
    .set({ nextAttemptAt: at })
    .where(and(eq(d.id, id), eq(d.status, 'pending'), eq(d.attempts, claimed), eq(d.nextAttemptAt, leaseUntil)));
}

/**
 * Sets when the next attempt of a pending delivery is due (epoch ms), while it is still pending at
 * `attempts` (the attempt just recorded): the time its queue job will be taken up, known once it is retried.
 */
export async function setAlertNextAttempt(store: DataStore, id: string, attempts: number, at: number): Promise<void> {
  const { db, t } = store;
  const d = t.alertDeliveries;
  await db
    .update(d)
    .set({ nextAttemptAt: at })
    .where(and(eq(d.id, id), eq(d.status, 'pending'), eq(d.attempts, attempts)));
}

/**
 * Every pending delivery, oldest first, in pages of `pageSize` (keyset on created_at, id, so rows that
 * change state meanwhile neither repeat nor shift a page); for the start-up take-up of all of them.
 */
export async function* pendingAlertDeliveryPages(store: DataStore, pageSize = 1000): AsyncGenerator<Array<{ id: string; nextAttemptAt: number | null }>> {
  const { db, t } = store;
  const d = t.alertDeliveries;
  let after: { createdAt: number; id: string } | undefined;
  for (;;) {
    const page = await db
      .select({ id: d.id, nextAttemptAt: d.nextAttemptAt, createdAt: d.createdAt })
      .from(d)
      .where(and(eq(d.status, 'pending'), after ? or(gt(d.createdAt, after.createdAt), and(eq(d.createdAt, after.createdAt), gt(d.id, after.id))) : undefined))
      .orderBy(asc(d.createdAt), asc(d.id))
      .limit(pageSize);
    if (page.length === 0) return;
    yield page.map(({ id, nextAttemptAt }) => ({ id, nextAttemptAt }));
    if (page.length < pageSize) return;
    const last = page[page.length - 1];
    after = { createdAt: last.createdAt, id: last.id };
  }
}

/** A scenario's deliveries, newest first, at most `limit`. */
export async function recentAlertDeliveries(store: DataStore, scenarioId: string, limit: number): Promise<AlertDeliveryRow[]> {
  const { db, t } = store;
  const d = t.alertDeliveries;
  return db.select().from(d).where(eq(d.scenarioId, scenarioId)).orderBy(desc(d.createdAt), desc(d.id)).limit(limit);
}
