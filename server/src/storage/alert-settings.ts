/**
 * The live-alert tables: a scenario's alert settings (`alert_settings`, one row per scenario, the webhook
 * secret stored sealed by the caller) and the webhook deliveries of alerts (`alert_deliveries`, one row
 * per alert sent, with its attempts). No validation here (server/src/sessions does it).
 */
import { and, asc, desc, eq } from 'drizzle-orm';
import { writeTransaction, type Db } from './db.js';
import { alertDeliveries, alertSettings } from './schema-live.js';

export type AlertSettingsRow = typeof alertSettings.$inferSelect;
export type AlertDeliveryRow = typeof alertDeliveries.$inferSelect;

export function getAlertSettings(db: Db, scenarioId: string): AlertSettingsRow | undefined {
  return db.select().from(alertSettings).where(eq(alertSettings.scenarioId, scenarioId)).get();
}

/** Stores a scenario's settings, replacing what it had. */
export function putAlertSettings(db: Db, row: AlertSettingsRow): void {
  const { scenarioId: _id, ...set } = row;
  writeTransaction(db, (tx) => tx.insert(alertSettings).values(row).onConflictDoUpdate({ target: alertSettings.scenarioId, set }).run());
}

/** Records a new delivery (status `pending`, no attempt yet). */
export function insertAlertDelivery(db: Db, row: Omit<AlertDeliveryRow, 'status' | 'attempts' | 'lastStatus' | 'lastError' | 'deliveredAt'>): void {
  writeTransaction(db, (tx) => tx.insert(alertDeliveries).values({ ...row, status: 'pending', attempts: 0 }).run());
}

export function getAlertDelivery(db: Db, id: string): AlertDeliveryRow | undefined {
  return db.select().from(alertDeliveries).where(eq(alertDeliveries.id, id)).get();
}

/**
 * Records one attempt: its number, the HTTP status (null: no reply), the error (null: delivered), and
 * what comes next: `delivered`, `pending` again at `nextAttemptAt` (epoch ms), or `failed` (given up).
 */
export function recordAlertAttempt(db: Db, id: string, attempt: { attempts: number; status: number | null; error: string | null; outcome: 'delivered' | 'pending' | 'failed'; nextAttemptAt: number | null; at: number }): void {
  writeTransaction(db, (tx) =>
    tx
      .update(alertDeliveries)
      .set({
        attempts: attempt.attempts,
        lastStatus: attempt.status,
        lastError: attempt.error,
        status: attempt.outcome,
        nextAttemptAt: attempt.nextAttemptAt,
        ...(attempt.outcome === 'delivered' ? { deliveredAt: attempt.at } : {}),
      })
      .where(eq(alertDeliveries.id, id))
      .run(),
  );
}

/** Deliveries still `pending` (to resume at start), oldest first. */
export function pendingAlertDeliveries(db: Db): AlertDeliveryRow[] {
  return db.select().from(alertDeliveries).where(eq(alertDeliveries.status, 'pending')).orderBy(asc(alertDeliveries.createdAt)).all();
}

/** A scenario's deliveries, newest first, at most `limit`. */
export function recentAlertDeliveries(db: Db, scenarioId: string, limit: number): AlertDeliveryRow[] {
  return db.select().from(alertDeliveries).where(and(eq(alertDeliveries.scenarioId, scenarioId))).orderBy(desc(alertDeliveries.createdAt), desc(alertDeliveries.id)).limit(limit).all();
}
