/**
 * Reads the live pages need beside the session manager's own: a session's other start inputs (kept for
 * the case a desk confirmation writes) and the output a scenario's alert settings name as its risk.
 */
import { eq } from 'drizzle-orm';
import { isRecord } from '@shared/json.js';
import type { Db } from './db.js';
import { alertSettings, callSessions } from './schema-live.js';

/** The start inputs other than the transcript that session `id` was created with, or null. */
export function sessionOtherInputs(db: Db, id: string): Record<string, unknown> | null {
  const row = db.select({ inputs: callSessions.inputs }).from(callSessions).where(eq(callSessions.id, id)).get();
  return row && isRecord(row.inputs) ? row.inputs : null;
}

/** The output (path) the live board shows as a scenario's risk, or null when its alert settings name none. */
export function riskOutputOf(db: Db, scenarioId: string): string | null {
  return db.select({ risk: alertSettings.riskOutput }).from(alertSettings).where(eq(alertSettings.scenarioId, scenarioId)).get()?.risk ?? null;
}
