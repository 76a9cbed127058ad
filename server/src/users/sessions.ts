/**
 * Sign-in sessions. The cookie carries a random 256-bit token; the table keeps only its SHA-256, so a
 * copy of the database cannot be replayed as a cookie. Each session has its own CSRF token. Lifetime
 * slides: a session used within its lifetime is extended (at most once a minute, to spare writes), but
 * never past its absolute lifetime since sign-in (`MOFANG_SESSION_MAX_HOURS`).
 *
 * Nothing is cached: every look-up reads the session and its user (one primary-key join), so a sign-out,
 * a disabled user or a reset password on another server applies to the very next request here.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, lt, ne } from 'drizzle-orm';
import type { DataStore } from '../storage/store.js';
import type { UserRow } from './users.js';

/** How often, at most, a used session's expiry is pushed forward, ms. */
const SLIDE_EVERY_MS = 60_000;

/** The stored id of a cookie token: its SHA-256, hex. */
export function sessionId(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** How long sessions last, ms: `ttlMs` since last use (sliding), `maxMs` since sign-in at most. */
export interface SessionLifetime {
  ttlMs: number;
  maxMs: number;
}

/** A new session as the sign-in reply needs it: the cookie token (sent once) and the CSRF token. */
export interface NewSession {
  token: string;
  csrfToken: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** Starts a session for a user lasting `ttlMs` (not past `maxMs`); also drops every expired session. */
export async function createSession(store: DataStore, userId: string, lifetime: SessionLifetime, now = Date.now()): Promise<NewSession> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const expiresAt = now + Math.min(lifetime.ttlMs, lifetime.maxMs);
  await store.transaction(async (tx) => {
    const { db, t } = tx;
    await db.delete(t.sessions).where(lt(t.sessions.expiresAt, now));
    await db.insert(t.sessions).values({ id: sessionId(token), userId, csrfToken, createdAt: now, expiresAt, lastSeenAt: now });
  });
  return { token, csrfToken, expiresAt };
}

/** A live session and its user. */
export interface ActiveSession {
  id: string;
  csrfToken: string;
  user: UserRow;
  /** Epoch ms, after any slide. */
  expiresAt: number;
  /** Whether this look-up pushed the expiry forward (the cookie should be sent again). */
  slid: boolean;
}

/**
 * The session of a cookie token, or undefined when there is none, it expired (since last use, or
 * `maxMs` after sign-in) or its user is disabled (such a session is deleted). Slides the expiry to
 * `now + ttlMs`, capped at sign-in + `maxMs`, when last slid over a minute ago.
 */
export async function resolveSession(store: DataStore, token: string, lifetime: SessionLifetime, now = Date.now()): Promise<ActiveSession | undefined> {
  const { db, t } = store;
  const id = sessionId(token);
  const [found] = await db.select().from(t.sessions).innerJoin(t.users, eq(t.sessions.userId, t.users.id)).where(eq(t.sessions.id, id)).limit(1);
  if (!found) return undefined;
  const { sessions: session, users: user } = found;
  const endOfLife = session.createdAt + lifetime.maxMs;
  if (session.expiresAt <= now || endOfLife <= now || user.disabledAt !== null) {
    await db.delete(t.sessions).where(eq(t.sessions.id, id));
    return undefined;
  }
  if (now - session.lastSeenAt < SLIDE_EVERY_MS) return { id, csrfToken: session.csrfToken, user, expiresAt: session.expiresAt, slid: false };
  const expiresAt = Math.min(now + lifetime.ttlMs, endOfLife);
  // Only forward: a request of another server that slid it meanwhile keeps its later expiry.
  await db.update(t.sessions).set({ lastSeenAt: now, expiresAt }).where(and(eq(t.sessions.id, id), lt(t.sessions.lastSeenAt, now)));
  return { id, csrfToken: session.csrfToken, user, expiresAt, slid: true };
}

/** Ends one session by its stored id. */
export async function deleteSession(store: DataStore, id: string): Promise<void> {
  const { db, t } = store;
  await db.delete(t.sessions).where(eq(t.sessions.id, id));
}

/** Ends every session of a user (disabled, password reset). */
export async function deleteUserSessions(store: DataStore, userId: string): Promise<void> {
  const { db, t } = store;
  await db.delete(t.sessions).where(eq(t.sessions.userId, userId));
}

/** Ends every session of a user but one (their own, after they changed their password). */
export async function deleteOtherSessions(store: DataStore, userId: string, keepId: string): Promise<void> {
  const { db, t } = store;
  await db.delete(t.sessions).where(and(eq(t.sessions.userId, userId), ne(t.sessions.id, keepId)));
}
