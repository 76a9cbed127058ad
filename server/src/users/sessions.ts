/**
 * Sign-in sessions. The cookie carries a random 256-bit token; the table keeps only its SHA-256, so a
 * copy of the database cannot be replayed as a cookie. Each session has its own CSRF token. Lifetime
 * slides: a session used within its lifetime is extended (at most once a minute, to spare writes), but
 * never past its absolute lifetime since sign-in (`MOFANG_SESSION_MAX_HOURS`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, lt, ne } from 'drizzle-orm';
import type { Db } from '../storage/db.js';
import { sessions, users } from '../storage/schema.js';
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
export function createSession(db: Db, userId: string, lifetime: SessionLifetime, now = Date.now()): NewSession {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const expiresAt = now + Math.min(lifetime.ttlMs, lifetime.maxMs);
  db.delete(sessions).where(lt(sessions.expiresAt, now)).run();
  db.insert(sessions).values({ id: sessionId(token), userId, csrfToken, createdAt: now, expiresAt, lastSeenAt: now }).run();
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
export function resolveSession(db: Db, token: string, lifetime: SessionLifetime, now = Date.now()): ActiveSession | undefined {
  const id = sessionId(token);
  const found = db.select().from(sessions).innerJoin(users, eq(sessions.userId, users.id)).where(eq(sessions.id, id)).get();
  if (!found) return undefined;
  const { sessions: session, users: user } = found;
  const endOfLife = session.createdAt + lifetime.maxMs;
  if (session.expiresAt <= now || endOfLife <= now || user.disabledAt !== null) {
    db.delete(sessions).where(eq(sessions.id, id)).run();
    return undefined;
  }
  if (now - session.lastSeenAt < SLIDE_EVERY_MS) return { id, csrfToken: session.csrfToken, user, expiresAt: session.expiresAt, slid: false };
  const expiresAt = Math.min(now + lifetime.ttlMs, endOfLife);
  db.update(sessions).set({ lastSeenAt: now, expiresAt }).where(eq(sessions.id, id)).run();
  return { id, csrfToken: session.csrfToken, user, expiresAt, slid: true };
}

/** Ends one session by its stored id. */
export function deleteSession(db: Db, id: string): void {
  db.delete(sessions).where(eq(sessions.id, id)).run();
}

/** Ends every session of a user (disabled, password reset). */
export function deleteUserSessions(db: Db, userId: string): void {
  db.delete(sessions).where(eq(sessions.userId, userId)).run();
}

/** Ends every session of a user but one (their own, after they changed their password). */
export function deleteOtherSessions(db: Db, userId: string, keepId: string): void {
  db.delete(sessions).where(and(eq(sessions.userId, userId), ne(sessions.id, keepId))).run();
}
