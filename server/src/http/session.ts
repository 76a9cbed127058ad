/**
 * The session cookie (`mofang_session`: httpOnly, SameSite=Lax, Path=/, Secure over https) and the
 * middleware that reads it on every `/api` request: a live session sets the request's user
 * ({@link requestUser}); a change (POST/PUT/PATCH/DELETE) made with the cookie must carry the session's
 * CSRF token in `X-CSRF-Token`, else 403 `csrf_failed`. A user still holding a one-time password
 * (`password_must_change`) reaches only the auth state, sign-out and `POST /api/auth/password`: every
 * other `/api` route answers 403 `password_change_required`. No session is not refused here: each
 * route's `allow()` decides.
 *
 * Across servers (PostgreSQL): nothing is cached, each request with a cookie reads its session and user
 * (one primary-key join, a round trip of well under a millisecond), so a sign-out, a disabled user or a
 * password reset on another server applies to the next request here. A request without a cookie reads nothing.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { parse } from 'cookie';
import { SESSION_COOKIE } from '@shared/users.js';
import type { DataStore } from '../storage/store.js';
import { resolveSession, type NewSession, type SessionLifetime } from '../users/sessions.js';
import { toAuthUser } from '../users/users.js';
import { setRequestAuth } from './access.js';
import { sendError } from './errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What a user who must change their one-time password may reach (paths under `/api`). */
const BEFORE_PASSWORD_CHANGE = new Set(['/auth/state', '/auth/logout', '/auth/password']);

/** The session token in the request's cookie, or undefined. */
export function sessionToken(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  const token = parse(header)[SESSION_COOKIE];
  return token ? token : undefined;
}

/** Sends the session cookie (again, after a slide) lasting until `expiresAt` (epoch ms). */
export function setSessionCookie(req: Request, res: Response, session: Pick<NewSession, 'token' | 'expiresAt'>, now = Date.now()): void {
  res.cookie(SESSION_COOKIE, session.token, { httpOnly: true, sameSite: 'lax', path: '/', secure: req.secure, maxAge: Math.max(0, Math.ceil((session.expiresAt - now) / 1000) * 1000) });
}

/** Tells the browser to drop the session cookie. */
export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', path: '/', secure: req.secure });
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The middleware: resolves the cookie's session (sliding it) and checks the CSRF token on changes. */
export function sessionMiddleware(store: DataStore, lifetime: SessionLifetime): RequestHandler {
  return async (req, res, next) => {
    const token = sessionToken(req);
    if (token === undefined) return next();
    const session = await resolveSession(store, token, lifetime);
    if (!session) {
      clearSessionCookie(req, res);
      return next();
    }
    if (session.slid) setSessionCookie(req, res, { token, expiresAt: session.expiresAt });
    if (!SAFE_METHODS.has(req.method)) {
      const sent = req.get('x-csrf-token');
      if (!sent || !sameToken(sent, session.csrfToken)) {
        return sendError(res, 403, 'csrf_failed', 'this change needs the X-CSRF-Token header of your session (from GET /api/auth/state)');
      }
    }
    setRequestAuth(res, { user: toAuthUser(session.user), sessionId: session.id, csrfToken: session.csrfToken });
    if (session.user.passwordMustChange && !BEFORE_PASSWORD_CHANGE.has(req.path)) {
      return sendError(res, 403, 'password_change_required', 'you signed in with a one-time password: choose your own first (POST /api/auth/password)');
    }
    next();
  };
}
