/**
 * The live call session tables: sessions, their turns and their stream's events, on either store. No
 * validation here (server/src/sessions does it). Writes of one step (turns held, an update's event and
 * the session's new state) go in one transaction, so a crash leaves a session as it was before or after
 * the step; the steps of live sessions are written by the group-commit writer (./session-writer.ts).
 */
import { and, asc, desc, eq, gte, inArray, type SQL } from 'drizzle-orm';
import type { callSessionEvents, callSessions, callSessionTurns } from './schema-live.js';
import type { DataStore } from './store.js';

export type CallSessionRow = typeof callSessions.$inferSelect;
export type CallSessionTurnRow = typeof callSessionTurns.$inferSelect;
export type CallSessionEventRow = typeof callSessionEvents.$inferSelect;
/** The columns a step may change. */
export type CallSessionPatch = Partial<Omit<CallSessionRow, 'id' | 'scenarioId' | 'slug' | 'version' | 'apiKeyId' | 'deskTokenHash' | 'createdAt'>>;

/** The rows of one step of one session: a new session (inserted before its events), turns to hold, events to append, its new state. */
export interface SessionStepRows {
  session?: CallSessionRow;
  turns?: CallSessionTurnRow[];
  events?: CallSessionEventRow[];
  patch?: CallSessionPatch;
}

/** The patch's keys that carry a value (an undefined key changes nothing; null sets null), sorted. */
export function patchKeys(patch: CallSessionPatch | undefined): Array<keyof CallSessionPatch> {
  if (!patch) return [];
  return (Object.keys(patch) as Array<keyof CallSessionPatch>).filter((k) => patch[k] !== undefined).sort();
}

export async function getCallSession(store: DataStore, id: string): Promise<CallSessionRow | undefined> {
  const { db, t } = store;
  const [row] = await db.select().from(t.callSessions).where(eq(t.callSessions.id, id)).limit(1);
  return row;
}

/**
 * One step of one session in one transaction (the group-commit writer does the same for many): turns
 * already held (same session and seq) are left as they are. `alsoWrite` writes other rows in the same
 * transaction.
 */
export async function writeSessionStep(store: DataStore, id: string, step: SessionStepRows & { alsoWrite?: (tx: DataStore) => void | Promise<void> }): Promise<void> {
  await store.transaction(async (tx) => {
    const { db, t } = tx;
    if (step.session) await db.insert(t.callSessions).values(step.session);
    await step.alsoWrite?.(tx);
    if (step.turns && step.turns.length > 0) await db.insert(t.callSessionTurns).values(step.turns).onConflictDoNothing();
    if (step.events && step.events.length > 0) await db.insert(t.callSessionEvents).values(step.events);
    if (patchKeys(step.patch).length > 0) await db.update(t.callSessions).set(step.patch ?? {}).where(eq(t.callSessions.id, id));
  });
}

/** A session's turns in call order. */
export async function sessionTurns(store: DataStore, id: string): Promise<CallSessionTurnRow[]> {
  const { db, t } = store;
  return db.select().from(t.callSessionTurns).where(eq(t.callSessionTurns.sessionId, id)).orderBy(asc(t.callSessionTurns.seq));
}

/** A session's events from `fromSeq` on, in order. */
export async function sessionEventsSince(store: DataStore, id: string, fromSeq: number): Promise<CallSessionEventRow[]> {
  const { db, t } = store;
  return db
    .select()
    .from(t.callSessionEvents)
    .where(and(eq(t.callSessionEvents.sessionId, id), gte(t.callSessionEvents.seq, fromSeq)))
    .orderBy(asc(t.callSessionEvents.seq));
}

/** A session's last event of this name, or undefined. */
export async function lastSessionEvent(store: DataStore, id: string, name: string): Promise<CallSessionEventRow | undefined> {
  const { db, t } = store;
  const [row] = await db
    .select()
    .from(t.callSessionEvents)
    .where(and(eq(t.callSessionEvents.sessionId, id), eq(t.callSessionEvents.name, name)))
    .orderBy(desc(t.callSessionEvents.seq))
    .limit(1);
  return row;
}

/** Sessions that are not over (`active` or `ending`), oldest first, for a server that starts to take them up again. */
export async function openCallSessions(store: DataStore): Promise<CallSessionRow[]> {
  const { db, t } = store;
  return db
    .select()
    .from(t.callSessions)
    .where(inArray(t.callSessions.status, ['active', 'ending']))
    .orderBy(asc(t.callSessions.createdAt), asc(t.callSessions.id));
}

/** Sessions by status and scenario, newest activity first (ties: newest id first). */
export async function listCallSessions(store: DataStore, filter: { status: 'active' | 'ended' | 'all'; scenarioId?: string; limit: number }): Promise<CallSessionRow[]> {
  const { db, t } = store;
  const parts: SQL[] = [];
  if (filter.status === 'active') parts.push(inArray(t.callSessions.status, ['active', 'ending']));
  if (filter.status === 'ended') parts.push(eq(t.callSessions.status, 'ended'));
  if (filter.scenarioId) parts.push(eq(t.callSessions.scenarioId, filter.scenarioId));
  return db
    .select()
    .from(t.callSessions)
    .where(parts.length > 0 ? and(...parts) : undefined)
    .orderBy(desc(t.callSessions.lastActivityAt), desc(t.callSessions.id))
    .limit(filter.limit);
}
