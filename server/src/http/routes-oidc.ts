/**
 * `/api/auth/oidc/*`: single sign-on through OpenID Connect (both routes public, as they come before a
 * session exists).
 * - `GET /api/auth/oidc/start?return_to=/path` → 302 to the identity platform (code flow, PKCE, state,
 *   nonce), with the flow in the signed httpOnly cookie `mofang_oidc` (10 minutes, Path=/api/auth/oidc);
 * - `GET /api/auth/oidc/callback` → the code exchange, the user found, linked or created
 *   (`users/oidc-users.ts`), a session exactly as password sign-in makes it, then 302 to `return_to`.
 * Every failure is a 302 to the sign-in page with `?sso_error=<code>`: `oidc_disabled`,
 * `oidc_unavailable` (the platform cannot be reached), `oidc_expired` (no valid flow cookie), `oidc_denied`,
 * `oidc_failed` (state, code or token refused), `user_disabled`, `oidc_not_allowed`; the cause is logged.
 */
import { Router, type Request, type Response } from 'express';
import { parse } from 'cookie';
import type { SignedIn } from '@shared/users.js';
import type { DataStore } from '../storage/store.js';
import { recordAuditIn } from '../audit/index.js';
import { OIDC_CALLBACK_PATH } from '../users/oidc-config.js';
import { FLOW_TTL_MS, OidcError, openFlow, sealFlow, type OidcClient } from '../users/oidc-client.js';
import { signInOidcUser } from '../users/oidc-users.js';
import { createSession, type SessionLifetime } from '../users/sessions.js';
import { toAuthUser, type UserRow } from '../users/users.js';
import { allow } from './access.js';
import { setSessionCookie } from './session.js';
import { userActor } from './audit-context.js';

/** The cookie holding a sign-in in progress. */
export const OIDC_FLOW_COOKIE = 'mofang_oidc';
const FLOW_COOKIE_PATH = '/api/auth/oidc';

/** What the SSO routes need. */
export interface OidcRouteDeps {
  store: DataStore;
  /** Undefined when SSO is off (the routes then send the browser back with `oidc_disabled`). */
  client?: OidcClient;
  /** Key of the flow cookie's HMAC (random per process: a sign-in spanning a restart starts again). */
  flowKey: Buffer;
  /** Session lifetimes (since last use, since sign-in), ms. */
  sessionLifetime: SessionLifetime;
  /** `MOFANG_PUBLIC_URL`, the origin of the callback when `MOFANG_OIDC_REDIRECT_URL` is unset. */
  publicUrl?: string;
  /** Where failures are told (the server's log); `console.warn` when absent. */
  log?: (line: string) => void;
}

/**
 * `return_to` when it is a path of this site (`/…`, not `//host` nor `/\host`, no control characters),
 * with its query and fragment; else `/`.
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\') || /[\u0000-\u001f\u007f]/.test(value)) return '/';
  try {
    const url = new URL(value, 'http://mofang.invalid');
    return url.origin === 'http://mofang.invalid' ? `${url.pathname}${url.search}${url.hash}` : '/';
  } catch {
    return '/';
  }
}

/** The sign-in page with an error code the page translates. */
export function signInErrorLocation(code: string): string {
  return `/?sso_error=${encodeURIComponent(code)}#/sign-in`;
}

/**
 * Finishes a sign-in through SSO exactly as password sign-in does: a new session, its cookie, and the
 * reply body shape. The point where a sign-in is complete (an audit entry belongs here).
 */
export async function finishOidcSignIn(deps: Pick<OidcRouteDeps, 'store' | 'sessionLifetime'>, req: Request, res: Response, user: UserRow): Promise<SignedIn> {
  const session = await createSession(deps.store, user.id, deps.sessionLifetime);
  setSessionCookie(req, res, session);
  return { user: toAuthUser(user), csrf_token: session.csrfToken };
}

function redirectUrl(deps: OidcRouteDeps, client: OidcClient, req: Request): string {
  if (client.config.redirectUrl) return client.config.redirectUrl.href;
  const origin = deps.publicUrl ? new URL(deps.publicUrl).origin : `${req.protocol}://${req.host}`;
  return `${origin}${OIDC_CALLBACK_PATH}`;
}

function flowCookieOptions(req: Request) {
  return { httpOnly: true, sameSite: 'lax' as const, path: FLOW_COOKIE_PATH, secure: req.secure };
}

/** The `/auth/oidc/*` routes (mounted under `/api`). */
export function oidcRoutes(deps: OidcRouteDeps): Router {
  const router = Router();
  const log = deps.log ?? ((line: string) => console.warn(line));
  const fail = async (req: Request, res: Response, code: string, why: string) => {
    log(`Mofang: single sign-on failed (${code}): ${why}`);
    // A refused sign-in is audited; the platform being unreachable or SSO being off is not an attempt.
    if (code !== 'oidc_unavailable' && code !== 'oidc_disabled') {
      await recordAuditIn(deps.store, userActor(req, { id: null, name: '' }), { action: 'auth.login_failed', target: null, summary: `single sign-on refused (${code})`, details: { method: 'oidc', reason: code } });
    }
    res.clearCookie(OIDC_FLOW_COOKIE, flowCookieOptions(req));
    res.redirect(302, signInErrorLocation(code));
  };

  router.get('/auth/oidc/start', allow('public'), async (req, res) => {
    const client = deps.client;
    if (!client) return await fail(req, res, 'oidc_disabled', 'single sign-on is off (MOFANG_OIDC_ISSUER is not set)');
    try {
      const { url, flow } = await client.begin(redirectUrl(deps, client, req), safeReturnTo(req.query.return_to));
      res.cookie(OIDC_FLOW_COOKIE, sealFlow(flow, deps.flowKey), { ...flowCookieOptions(req), maxAge: FLOW_TTL_MS });
      res.set('Cache-Control', 'no-store');
      res.redirect(302, url.href);
    } catch (error) {
      await fail(req, res, error instanceof OidcError ? error.code : 'oidc_failed', error instanceof Error ? error.message : String(error));
    }
  });

  router.get('/auth/oidc/callback', allow('public'), async (req, res) => {
    const client = deps.client;
    if (!client) return await fail(req, res, 'oidc_disabled', 'single sign-on is off (MOFANG_OIDC_ISSUER is not set)');
    const flow = openFlow(parse(req.headers.cookie ?? '')[OIDC_FLOW_COOKIE], deps.flowKey);
    if (!flow) return await fail(req, res, 'oidc_expired', 'no valid sign-in in progress (the flow cookie is missing, forged or over 10 minutes old)');
    const query = new URLSearchParams(req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '');
    try {
      const claims = await client.finish(flow, query);
      const outcome = await signInOidcUser(deps.store, client.config, claims);
      if (!outcome.ok) return await fail(req, res, outcome.reason, `subject ${claims.sub} of ${client.config.issuer.href}: ${outcome.reason}`);
      res.clearCookie(OIDC_FLOW_COOKIE, flowCookieOptions(req));
      await finishOidcSignIn(deps, req, res, outcome.user);
      const user = outcome.user;
      await recordAuditIn(deps.store, userActor(req, user), { action: 'auth.login', target: { type: 'user', id: user.id, name: user.name }, summary: outcome.created ? 'single sign-on; user created' : 'single sign-on', details: { method: 'oidc', created: outcome.created } });
      res.set('Cache-Control', 'no-store');
      res.redirect(302, flow.returnTo);
    } catch (error) {
      await fail(req, res, error instanceof OidcError ? error.code : 'oidc_failed', error instanceof Error ? error.message : String(error));
    }
  });

  return router;
}
