/**
 * Who may call a route. Every `/api` route names what it needs as its first handler, `allow(access)`:
 * a permission of the matrix (`@shared/permissions.ts`), `signed_in` (anyone with a session) or
 * `public`. The declaration is also a marker on the handler, so a test can walk Express's router stack
 * and fail for any `/api` route that declares nothing.
 *
 * The signed-in user of a request is read with {@link requestUser}, set by the session middleware.
 */
import type { NextFunction, Request, Response } from 'express';
import { can, type Permission } from '@shared/permissions.js';
import type { AuthUser } from '@shared/users.js';
import { sendError } from './errors.js';

/** What a route needs: a permission, any signed-in user, or nothing. */
export type Access = Permission | 'signed_in' | 'public';

const ACCESS = Symbol.for('mofang.access');

/** The signed-in user and session of a request, as the session middleware leaves them in `res.locals`. */
export interface RequestAuth {
  user: AuthUser;
  /** The stored session id (SHA-256 of the cookie token). */
  sessionId: string;
  /** The session's CSRF token, which every change must send as `X-CSRF-Token`. */
  csrfToken: string;
}

/**
 * The handler {@link allow} makes: generic in the route's parameters, so that placed first it leaves
 * Express's typing of `req.params` (inferred from the path) to the handlers after it.
 */
export type AccessHandler = <P>(req: Request<P>, res: Response, next: NextFunction) => void;

/**
 * A handler that lets the request through when it holds `access`, else answers 401 `unauthenticated`
 * (no session) or 403 `forbidden` with `details: { permission }`.
 */
export function allow(access: Access): AccessHandler {
  const handler: AccessHandler = (_req, res, next) => {
    if (access === 'public') return next();
    const user = requestUser(res);
    if (!user) return sendError(res, 401, 'unauthenticated', 'sign in first');
    if (access === 'signed_in' || can(user.role, access)) return next();
    sendError(res, 403, 'forbidden', `your role (${user.role}) does not have the permission "${access}"`, { permission: access });
  };
  Object.defineProperty(handler, ACCESS, { value: access });
  return handler;
}

/**
 * {@link allow} with a second way in: a request that `other` accepts (a live session's desk token, say)
 * goes through without a session; any other is held to `access`. The route still declares `access`.
 * `other` may answer the request itself (a refusal) and return `'answered'`.
 */
export function allowOr(access: Access, other: <P>(req: Request<P>, res: Response) => boolean | 'answered' | Promise<boolean | 'answered'>): AccessHandler {
  const fallback = allow(access);
  const handler: AccessHandler = (req, res, next) => {
    const accepted = other(req, res);
    // A check that reads the store first (a desk token) answers later; its failure goes to Express.
    if (accepted instanceof Promise) {
      accepted.then((a) => (a === 'answered' ? undefined : a ? next() : fallback(req, res, next)), next);
      return;
    }
    if (accepted === 'answered') return;
    if (accepted) return next();
    fallback(req, res, next);
  };
  Object.defineProperty(handler, ACCESS, { value: access });
  return handler;
}

/** The access a handler made by {@link allow} declares, or undefined for any other function. */
export function accessOf(handler: unknown): Access | undefined {
  if (typeof handler !== 'function') return undefined;
  const value: unknown = (handler as unknown as Record<symbol, unknown>)[ACCESS];
  return typeof value === 'string' ? (value as Access) : undefined;
}

/** Stores the request's signed-in user (the session middleware does this). */
export function setRequestAuth(res: Response, auth: RequestAuth): void {
  res.locals.auth = auth;
}

/** The request's signed-in user and session, or undefined when nobody is signed in. */
export function requestAuth(res: Response): RequestAuth | undefined {
  const auth: unknown = res.locals.auth;
  return typeof auth === 'object' && auth !== null ? (auth as RequestAuth) : undefined;
}

/** The request's signed-in user (id, name, role, permissions), or undefined when nobody is signed in. */
export function requestUser(res: Response): AuthUser | undefined {
  return requestAuth(res)?.user;
}
