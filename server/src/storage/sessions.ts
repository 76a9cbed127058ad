/**
 * The live call session tables: sessions, their turns and their stream's events. No validation here
 * (server/src/sessions does it). Writes of one step (turns held, an update's event and the session's new
 * state) go in one transaction, so a crash leaves a session as it was before or after the step.
 */
import { and, asc, desc, eq, gte, inArray, type SQL } from 'drizzle-orm';
import { writeTransaction, type Db } from './db.js';
import { callSessionEvents, callSessions, callSessionTurns } from './schema-live.js';

export type CallSessionRow = typeof callSessions.$inferSelect;
export type CallSessionTurnRow = typeof callSessionTurns.$inferSelect;
export type CallSessionEventRow = typeof callSessionEvents.$inferSelect;
/** The columns a step may change. */
export type CallSessionPatch = Partial<Omit<CallSessionRow, 'id' | 'scenarioId' | 'slug' | 'version' | 'apiKeyId' | 'deskTokenHash' | 'createdAt'>>;

export function getCallSession(db: Db, id: string): CallSessionRow | undefined {
  return db.select().from(callSessions).where(eq(callSessions.id, id)).get();
}

/**
 * One step of a session in one transaction: turns to hold, events to append, the session's new state.
 * Turns already held (same id) are left as they are. `alsoWrite` writes other rows on the same connection
 * inside the transaction (a savepoint if it opens its own): the final run of a session that ends.
 */
export function writeSessionStep(db: Db, id: string, step: { turns?: CallSessionTurnRow[]; events?: CallSessionEventRow[]; patch?: CallSessionPatch; alsoWrite?: () => void }): void {
  writeTransaction(db, (tx) => {
    step.alsoWrite?.();
    for (const turn of step.turns ?? []) tx.insert(callSessionTurns).values(turn).onConflictDoNothing().run();
    for (const event of step.events ?? []) tx.insert(callSessionEvents).values(event).run();
    if (step.patch && Object.keys(step.patch).length > 0) tx.update(callSessions).set(step.patch).where(eq(callSessions.id, id)).run();
  });
}

/** A session's turns in call order. */
export function sessionTurns(db: Db, id: string): CallSessionTurnRow[] {
  return db.select().from(callSessionTurns).where(eq(callSessionTurns.sessionId, id)).orderBy(asc(callSessionTurns.seq)).all();
}

/** A session's events from `fromSeq` on, in order. */
export function sessionEventsSince(db: Db, id: string, fromSeq: number): CallSessionEventRow[] {
  return db
    .select()
    .from(callSessionEvents)
    .where(and(eq(callSessionEvents.sessionId, id), gte(callSessionEvents.seq, fromSeq)))
    .orderBy(asc(callSessionEvents.seq))
    .all();
}

/** A session's last event of this name, or undefined. */
export function lastSessionEvent(db: Db, id: string, name: string): CallSessionEventRow | undefined {
  return db
    .select()
    .from(callSessionEvents)
    .where(and(eq(callSessionEvents.sessionId, id), eq(callSessionEvents.name, name)))
    .orderBy(desc(callSessionEvents.seq))
    .limit(1)
    .get();
}

/** Sessions that are not over (`active` or `ending`), for a server that starts to take them up again. */
export function openCallSessions(db: Db): CallSessionRow[] {
  return db
    .select()
    .from(callSessions)
    .where(inArray(callSessions.status, ['active', 'ending']))
    .all();
}

/** Sessions by status and scenario, newest activity first. */
export function listCallSessions(db: Db, filter: { status: 'active' | 'ended' | 'all'; scenarioId?: string; limit: number }): CallSessionRow[] {
  const parts: SQL[] = [];
  if (filter.status === 'active') parts.push(inArray(callSessions.status, ['active', 'ending']));
  if (filter.status === 'ended') parts.push(eq(callSessions.status, 'ended'));
  if (filter.scenarioId) parts.push(eq(callSessions.scenarioId, filter.scenarioId));
  return db
    .select()
    .from(callSessions)
    .where(parts.length > 0 ? and(...parts) : undefined)
    .orderBy(desc(callSessions.lastActivityAt))
    .limit(filter.limit)
    .all();
}
