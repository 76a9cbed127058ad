/**
 * Reads the live pages need beside the session manager's own: a session's other start inputs (kept for
 * the case a desk confirmation writes) and the output a scenario's alert settings name as its risk.
 */
import { eq } from 'drizzle-orm';
import { isRecord } from '@shared/json.js';
import type { DataStore } from './store.js';

/** The start inputs other than the transcript that session `id` was created with, or null. */
export async function sessionOtherInputs(store: DataStore, id: string): Promise<Record<string, unknown> | null> {
  const { db, t } = store;
  const [row] = await db.select({ inputs: t.callSessions.inputs }).from(t.callSessions).where(eq(t.callSessions.id, id)).limit(1);
  return row && isRecord(row.inputs) ? row.inputs : null;
}

/** The output (path) the live board shows as a scenario's risk, or null when its alert settings name none. */
export async function riskOutputOf(store: DataStore, scenarioId: string): Promise<string | null> {
  const { db, t } = store;
  const [row] = await db.select({ risk: t.alertSettings.riskOutput }).from(t.alertSettings).where(eq(t.alertSettings.scenarioId, scenarioId)).limit(1);
  return row?.risk ?? null;
}
