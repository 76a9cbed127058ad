/**
 * The HTTP side of recording: who the request's actor is (the signed-in user, or the `/v1` API key),
 * and `audits(…)`, the marker every changing `/api` route carries after its `allow(…)`, naming the
 * actions it records. The marker is how a test enumerates the router and fails for a changing route that
 * declares no action (tests/api/audit-routes.test.ts); the API tests then check each action is recorded.
 */
import type { NextFunction, Request, Response } from 'express';
import type { AuditAction } from '@shared/audit.js';
import { auditedChangeIn, recordAuditIn, type AuditActor, type AuditChange } from '../audit/index.js';
import type { DataStore } from '../storage/store.js';
import { requestUser } from './access.js';
import { keyOf } from './v1/auth.js';

const AUDITS = Symbol.for('mofang.audits');

/** A pass-through handler marking its route as recording `actions` (placed after the route's `allow(…)`). */
export function audits(...actions: AuditAction[]): <P>(req: Request<P>, res: Response, next: NextFunction) => void {
  const handler = <P>(_req: Request<P>, _res: Response, next: NextFunction) => next();
  Object.defineProperty(handler, AUDITS, { value: actions });
  return handler;
}

/** The actions a handler made by {@link audits} declares, or undefined for any other function. */
export function auditsOf(handler: unknown): readonly AuditAction[] | undefined {
  if (typeof handler !== 'function') return undefined;
  const value: unknown = (handler as unknown as Record<symbol, unknown>)[AUDITS];
  return Array.isArray(value) ? (value as AuditAction[]) : undefined;
}

/** The client's address as Express reads it (`trust proxy` decides whether X-Forwarded-For counts). */
export function clientAddress(req: Request): string | null {
  return req.ip ?? req.socket.remoteAddress ?? null;
}

/**
 * Who is acting in this request: the signed-in user, else the API key that authenticated it. Throws when
 * there is neither (a changing route is never public, except sign-in and setup, which name their actor).
 */
export function requestActor(res: Response): AuditActor {
  const address = clientAddress(res.req);
  const user = requestUser(res);
  if (user) return { type: 'user', id: user.id, name: user.name, address };
  const key = keyOf(res);
  if (key) return { type: 'api_key', id: key.id, name: key.name, address };
  throw new Error('an audited change without a signed-in user or an API key');
}

/** {@link auditedChangeIn} with the request's actor: the asynchronous change (writing through `tx`) and its entry in one transaction. */
export function auditedRequestIn<T>(store: DataStore, res: Response, act: (tx: DataStore) => Promise<T>, describe: (result: T) => AuditChange | null): Promise<T> {
  return auditedChangeIn(store, requestActor(res), act, describe);
}

/** Records `change` by the request's actor now (after a change that cannot share a transaction with it). */
export async function recordRequest(store: DataStore, res: Response, change: AuditChange): Promise<void> {
  await recordAuditIn(store, requestActor(res), change);
}

/** A user acting before the request has a session (setup, sign-in): `id` null for a name nobody has. */
export function userActor(req: Request, user: { id: string | null; name: string }): AuditActor {
  return { type: 'user', id: user.id, name: user.name, address: clientAddress(req) };
}

