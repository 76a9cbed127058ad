/**
 * `/api/auth/*`: the sign-in state, the one-time setup of the first admin, sign-in (throttled), sign-out
 * and changing one's own password (throttled per user). Errors: 401 `invalid_credentials`, 403
 * `user_disabled`, 409 `setup_done`, 429 `too_many_attempts` (with `Retry-After`), 503
 * `too_many_attempts` (too many password checks at once, with `Retry-After`), 400 `wrong_password`.
 */
import { Router, type Request, type Response } from 'express';
import { ChangePasswordBodySchema, LoginBodySchema, nameKey, SetupBodySchema, type AuthState, type SignedIn } from '@shared/users.js';
import type { DataStore } from '../storage/store.js';
import { recordAuditIn } from '../audit/index.js';
import type { AuthConfig } from '../users/auth-config.js';
import { createSession, deleteOtherSessions, deleteSession } from '../users/sessions.js';
import { PasswordChecks, PasswordChecksBusy } from '../users/password-checks.js';
import { PasswordChangeThrottle, type LoginThrottle, type ThrottleVerdict } from '../users/throttle.js';
import { authenticate, checkPassword, countUsers, createFirstAdmin, getUserById, getUserByName, setPassword, toAuthUser, type UserRow } from '../users/users.js';
import { allow, requestAuth } from './access.js';
import { HttpError, parseBody, sendError } from './errors.js';
import { clearSessionCookie, setSessionCookie } from './session.js';
import { auditedRequestIn, audits, clientAddress, requestActor, userActor } from './audit-context.js';

/** What the auth routes need: the store, the session lifetime and the sign-in throttle. */
export interface AuthRouteDeps {
  store: DataStore;
  config: AuthConfig;
  throttle: LoginThrottle;
  /** Guesses at the current password on `POST /auth/password`, per user (default: from `config`). */
  passwordThrottle?: PasswordChangeThrottle;
  /** The bound on password checks running at once (default: `config.maxPasswordChecks`). */
  checks?: PasswordChecks;
  /** Whether single sign-on is configured (`MOFANG_OIDC_ISSUER`), as `/api/auth/state` reports it. */
  oidcEnabled?: boolean;
}

async function signIn(deps: AuthRouteDeps, req: Request, res: Response, user: UserRow): Promise<SignedIn> {
  const session = await createSession(deps.store, user.id, { ttlMs: deps.config.sessionTtlMs, maxMs: deps.config.sessionMaxMs });
  setSessionCookie(req, res, session);
  return { user: toAuthUser(user), csrf_token: session.csrfToken };
}

function tooManyAttempts(res: Response, verdict: Extract<ThrottleVerdict, { allowed: false }>): void {
  res.set('Retry-After', String(verdict.retryAfterSeconds));
  sendError(res, 429, 'too_many_attempts', `too many failed attempts: try again in ${verdict.retryAfterSeconds} s`, { retry_after_seconds: verdict.retryAfterSeconds });
}

function busy(res: Response, error: PasswordChecksBusy): void {
  res.set('Retry-After', String(error.retryAfterSeconds));
  sendError(res, 503, 'too_many_attempts', error.message, { retry_after_seconds: error.retryAfterSeconds });
}

/** The `/auth/*` routes (mounted under `/api`). */
export function authRoutes(deps: AuthRouteDeps): Router {
  const { store, throttle } = deps;
  const passwordThrottle = deps.passwordThrottle ?? new PasswordChangeThrottle(deps.config);
  const checks = deps.checks ?? new PasswordChecks(deps.config.maxPasswordChecks);
  const router = Router();

  router.get('/auth/state', allow('public'), async (_req, res) => {
    const auth = requestAuth(res);
    const state: AuthState = {
      setup_required: (await countUsers(store)) === 0,
      user: auth?.user ?? null,
      csrf_token: auth?.csrfToken ?? null,
      oidc: { enabled: deps.oidcEnabled ?? false },
    };
    res.json(state);
  });

  router.post('/auth/setup', allow('public'), audits('auth.setup'), async (req, res) => {
    if ((await countUsers(store)) > 0) throw new HttpError(409, 'setup_done', 'the first admin already exists: sign in instead');
    const body = parseBody(SetupBodySchema, req.body ?? {});
    const user = await createFirstAdmin(store, { name: body.name, displayName: body.display_name, password: body.password }, undefined, (tx, made) =>
      recordAuditIn(tx, userActor(req, made), { action: 'auth.setup', target: { type: 'user', id: made.id, name: made.name }, after: { id: made.id, name: made.name, role: made.role }, summary: 'first admin', details: {} }),
    );
    res.status(201).json(await signIn(deps, req, res, user));
  });

  router.post('/auth/login', allow('public'), audits('auth.login', 'auth.login_failed'), async (req, res) => {
    const body = parseBody(LoginBodySchema, req.body ?? {});
    const address = clientAddress(req) ?? 'unknown';
    const account = nameKey(body.name);
    // Counted before the password is checked, so attempts in flight together cannot all pass.
    const verdict = await throttle.attempt(account, address);
    if (!verdict.allowed) return tooManyAttempts(res, verdict);
    let outcome: Awaited<ReturnType<typeof authenticate>>;
    try {
      outcome = await checks.run(() => authenticate(store, body.name, body.password));
    } catch (error) {
      if (!(error instanceof PasswordChecksBusy)) throw error;
      await throttle.refund(account, address);
      return busy(res, error);
    }
    if (!outcome.ok) {
      const known = await getUserByName(store, body.name);
      await recordAuditIn(store, userActor(req, { id: known?.id ?? null, name: body.name }), { action: 'auth.login_failed', target: known ? { type: 'user', id: known.id, name: known.name } : null, summary: outcome.reason === 'user_disabled' ? 'account disabled' : 'wrong name or password', details: { reason: outcome.reason } });
      if (outcome.reason === 'user_disabled') return sendError(res, 403, 'user_disabled', 'this account is disabled: ask an admin');
      return sendError(res, 401, 'invalid_credentials', 'wrong name or password');
    }
    await throttle.succeeded(account, address);
    await recordAuditIn(store, userActor(req, outcome.user), { action: 'auth.login', target: { type: 'user', id: outcome.user.id, name: outcome.user.name }, summary: 'password', details: { method: 'password' } });
    res.json(await signIn(deps, req, res, outcome.user));
  });

  router.post('/auth/logout', allow('signed_in'), audits('auth.logout'), async (req, res) => {
    const auth = requestAuth(res);
    if (auth) await auditedRequestIn(store, res, (tx) => deleteSession(tx, auth.sessionId), () => ({ action: 'auth.logout', target: { type: 'user', id: auth.user.id, name: auth.user.name } }));
    clearSessionCookie(req, res);
    res.status(204).end();
  });

  router.post('/auth/password', allow('signed_in'), audits('auth.password_change'), async (req, res) => {
    const auth = requestAuth(res);
    const body = parseBody(ChangePasswordBodySchema, req.body ?? {});
    const user = auth && (await getUserById(store, auth.user.id));
    if (!auth || !user) throw new HttpError(401, 'unauthenticated', 'sign in first');
    if (user.passwordHash === null) throw new HttpError(409, 'sso_user', 'this account signs in through single sign-on and has no password here');
    const verdict = await passwordThrottle.attempt(user.id);
    if (!verdict.allowed) return tooManyAttempts(res, verdict);
    try {
      if (!(await checks.run(() => checkPassword(user, body.current_password)))) throw new HttpError(400, 'wrong_password', 'the current password is wrong');
      await passwordThrottle.succeeded(user.id);
      await checks.run(() => setPassword(store, user.id, body.new_password));
    } catch (error) {
      if (error instanceof PasswordChecksBusy) return busy(res, error);
      throw error;
    }
    await auditedRequestIn(store, res, (tx) => deleteOtherSessions(tx, user.id, auth.sessionId), () => ({ action: 'auth.password_change', target: { type: 'user', id: user.id, name: user.name }, summary: 'own password; other sessions ended', details: {} }));
    res.status(204).end();
  });

  return router;
}
