/**
 * `/v1` authentication and rate limiting: `Authorization: Bearer mf_…`. A missing, malformed, unknown
 * or revoked key all get the same 401, so the reply says nothing about which keys exist.
 */
import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { KeyRecord } from '../../storage/keys.js';
import { runIdOf, sendV1Error, setRunId } from './respond.js';
import { newId } from '../../common/ids.js';
import type { V1Runtime } from './runtime.js';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

const keys = new WeakMap<ServerResponse, KeyRecord>();

/** The key that authenticated this request (set by {@link authenticate}). */
export function keyOf(res: ServerResponse): KeyRecord | undefined {
  return keys.get(res);
}

/** Whether a key may use the scenario with this slug. */
export function inScope(key: KeyRecord, slug: string): boolean {
  return key.scenarios === null || key.scenarios.includes(slug);
}

/**
 * Whether a key may read a run or job of scenario `slug` that key `owner` made: its own, or any in its
 * scope when it holds the `runs:read` scope (shared/src/keys.ts). Callers answer 404 otherwise, as for an
 * unknown id, so a key learns nothing of other keys' work.
 */
export function mayRead(key: KeyRecord, slug: string, owner: string | null): boolean {
  return inScope(key, slug) && (owner === key.id || key.scopes.includes('runs:read'));
}

/**
 * Gives the request its run id (the `X-Run-Id` header and `run_id` of any error) unless it has one,
 * checks the bearer key in `authorization` (the header's value) and takes a rate-limit token. Returns
 * the key, or undefined after answering 401 or 429 itself: at once for a key seen before, as a promise
 * when it must be looked up in the store. Plain Node, for the fast lane too.
 */
export function authorize(runtime: V1Runtime, authorization: string | undefined, res: ServerResponse): KeyRecord | undefined | Promise<KeyRecord | undefined> {
  if (runIdOf(res) === '') setRunId(res, newId());
  const match = authorization === undefined ? null : BEARER.exec(authorization);
  const found = match ? runtime.keys.verify(match[1]) : undefined;
  return found instanceof Promise ? found.then((key) => admit(runtime, key, res)) : admit(runtime, found, res);
}

/** Refuses a missing key (401) or one past its rate limit (429); else remembers and returns it. */
function admit(runtime: V1Runtime, key: KeyRecord | undefined, res: ServerResponse): KeyRecord | undefined {
  if (!key) {
    res.setHeader('WWW-Authenticate', 'Bearer');
    sendV1Error(res, 401, 'unauthorized', 'a valid API key is required: Authorization: Bearer <key>');
    return undefined;
  }
  const taken = runtime.limiter.take(key.id, key.rateLimit ?? runtime.config.rateLimitPerMinute);
  if (!taken.ok) {
    res.setHeader('Retry-After', String(taken.retryAfterSeconds));
    sendV1Error(res, 429, 'rate_limited', `this key's rate limit is used up; retry in ${taken.retryAfterSeconds} s`, { retry_after: taken.retryAfterSeconds });
    return undefined;
  }
  keys.set(res, key);
  return key;
}

/** {@link authorize} as Express middleware. */
export function authenticate(runtime: V1Runtime): RequestHandler {
  return (req, res, next) => {
    const key = authorize(runtime, req.headers.authorization, res);
    if (!(key instanceof Promise)) {
      if (key) next();
      return;
    }
    key.then((k) => (k ? next() : undefined), next);
  };
}
