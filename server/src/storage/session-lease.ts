/**
 * Who holds a live session when several servers share one PostgreSQL database: `call_sessions.owner`
 * (a server's id, new at each start) and `lease_expires_at` (epoch ms of the database's clock). The holder
 * renews its leases; a server takes up a session only when its lease ran out (its holder was killed or
 * paused), by one conditional update, so two servers never both hold one: an active session at its
 * renewal, an ending one when its final-run job (sessions/final-run-queue.ts) is fetched. The holder's writes name it
 * (`claimForWrite`), so a server whose lease was taken writes nothing more for that session.
 *
 * Turns (or an end) posted to a server that does not hold their session wait in `call_session_inbox`
 * until the holder takes them in. SQLite (one process per file) uses none of this.
 */
import { and, asc, eq, gte, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { SessionEndReason, SessionTurnInput } from '@shared/sessions.js';
import { databaseNowMs, forShare, rawRows } from './dialect-sql.js';
import type { CallSessionEventRow, CallSessionRow } from './sessions.js';
import type { DataStore } from './store.js';

/** A server's hold on its sessions: its id and how long a lease runs, ms. */
export interface SessionLease {
  owner: string;
  ms: number;
}

/** One post waiting for the session's holder: turns to add, or an end. */
export interface ForwardedPost {
  seq: number;
  sessionId: string;
  turns: SessionTurnInput[];
  endReason: SessionEndReason | null;
}

const OPEN = ['active', 'ending'] as const;

function leaseEnd(store: DataStore, lease: SessionLease): SQL<number> {
  return sql<number>`${databaseNowMs(store.dialect)} + ${lease.ms}`;
}

function leaseOver(store: DataStore): SQL | undefined {
  const s = store.t.callSessions;
  return or(isNull(s.leaseExpiresAt), lt(s.leaseExpiresAt, databaseNowMs(store.dialect)));
}

/**
 * Active sessions whose lease ran out (or that never had one), oldest first, at most `limit`. Ending ones
 * are not taken up by lease: their final run is a queued job (sessions/final-run-queue.ts).
 */
export async function expiredSessionIds(store: DataStore, limit: number): Promise<string[]> {
  const { db, t } = store;
  const s = t.callSessions;
  const rows = await db
    .select({ id: s.id })
    .from(s)
    .where(and(eq(s.status, 'active'), leaseOver(store)))
    .orderBy(asc(s.createdAt), asc(s.id))
    .limit(limit);
  return rows.map((r) => r.id);
}

/**
 * Takes session `id` for `lease.owner` if its status is `status` and its lease ran out: one conditional
 * update, so of servers racing for it one gets the row, the others undefined.
 */
export async function takeExpiredSession(store: DataStore, id: string, lease: SessionLease, status: 'active' | 'ending'): Promise<CallSessionRow | undefined> {
  const { db, t } = store;
  const s = t.callSessions;
  const [row] = await db
    .update(s)
    .set({ owner: lease.owner, leaseExpiresAt: leaseEnd(store, lease) })
    .where(and(eq(s.id, id), eq(s.status, status), leaseOver(store)))
    .returning();
  return row;
}

/** Renews every open session `lease.owner` holds; returns their ids (a session missing was taken by another). */
export async function renewLeases(store: DataStore, lease: SessionLease): Promise<string[]> {
  const { db, t } = store;
  const s = t.callSessions;
  const rows = await db
    .update(s)
    .set({ leaseExpiresAt: leaseEnd(store, lease) })
    .where(and(eq(s.owner, lease.owner), inArray(s.status, [...OPEN])))
    .returning({ id: s.id });
  return rows.map((r) => r.id);
}

/**
 * In a write's transaction `tx`: renews the lease of those of `ids` that `lease.owner` still holds and
 * locks their rows until the write commits (a server taking one waits, then finds the lease renewed);
 * returns the ids held.
 */
export async function claimForWrite(tx: DataStore, ids: readonly string[], lease: SessionLease): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { db, t } = tx;
  const s = t.callSessions;
  const rows = await db
    .update(s)
    .set({ leaseExpiresAt: leaseEnd(tx, lease) })
    .where(and(inArray(s.id, [...ids]), eq(s.owner, lease.owner)))
    .returning({ id: s.id });
  return new Set(rows.map((r) => r.id));
}

/** Lets go of every session `owner` holds (a server that stops): another server takes them up at once. */
export async function releaseSessions(store: DataStore, owner: string): Promise<void> {
  const { db, t } = store;
  await db.update(t.callSessions).set({ leaseExpiresAt: null }).where(eq(t.callSessions.owner, owner));
}

/**
 * Leaves a post (turns, or an end when `endReason` is set) for the holder of session `id`, if the session
 * is still active. The session's row is share-locked until this commits, so the holder's write of its end
 * (`ending`) comes after it, and the holder reads it in before its final run. Returns whether it was left.
 */
export async function forwardPost(store: DataStore, id: string, turns: SessionTurnInput[], endReason: SessionEndReason | null, at: number): Promise<boolean> {
  return store.transaction(async (tx) => {
    const [row] = await rawRows(tx, sql`select status from call_sessions where id = ${id}${forShare(tx.dialect)}`);
    if (row?.status !== 'active') return false;
    await tx.db.insert(tx.t.callSessionInbox).values({ sessionId: id, turns, endReason, at });
    return true;
  });
}

/** Takes (deletes and returns, in order) the posts waiting for sessions `owner` holds, or for one of them (`sessionId`). */
export async function takeForwarded(store: DataStore, owner: string, sessionId?: string): Promise<ForwardedPost[]> {
  const { db, t } = store;
  const i = t.callSessionInbox;
  const held = db.select({ id: t.callSessions.id }).from(t.callSessions).where(eq(t.callSessions.owner, owner));
  const rows = await db
    .delete(i)
    .where(and(inArray(i.sessionId, held), sessionId === undefined ? undefined : eq(i.sessionId, sessionId)))
    .returning();
  return rows
    .sort((a, b) => a.seq - b.seq)
    .map((r) => ({ seq: r.seq, sessionId: r.sessionId, turns: Array.isArray(r.turns) ? (r.turns as SessionTurnInput[]) : [], endReason: r.endReason }));
}

/** Events of any session with `at >= since` and one of `names`, oldest first (the board of several servers), at most `limit`. */
export async function eventsAcrossSince(store: DataStore, since: number, names: readonly string[], limit: number): Promise<CallSessionEventRow[]> {
  const { db, t } = store;
  const e = t.callSessionEvents;
  return db
    .select()
    .from(e)
    .where(and(gte(e.at, since), inArray(e.name, [...names])))
    .orderBy(asc(e.at), asc(e.sessionId), asc(e.seq))
    .limit(limit);
}

/** Sessions by id (any order). */
export async function callSessionsByIds(store: DataStore, ids: readonly string[]): Promise<CallSessionRow[]> {
  if (ids.length === 0) return [];
  const { db, t } = store;
  return db.select().from(t.callSessions).where(inArray(t.callSessions.id, [...ids]));
}
