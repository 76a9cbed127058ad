/**
 * `/v1` authentication and rate limiting: `Authorization: Bearer mf_…`. A missing, malformed, unknown
 * or revoked key all get the same 401, so the reply says nothing about which keys exist.
 */
import type { RequestHandler, Response } from 'express';
import type { KeyRecord } from '../../storage/keys.js';
import { runIdOf, sendV1Error, setRunId } from './respond.js';
import { newId } from '../../common/ids.js';
import type { V1Runtime } from './runtime.js';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

const keys = new WeakMap<Response, KeyRecord>();

/** The key that authenticated this request (set by {@link authenticate}). */
export function keyOf(res: Response): KeyRecord | undefined {
  return keys.get(res);
}

/** Whether a key may use the scenario with this slug. */
export function inScope(key: KeyRecord, slug: string): boolean {
  return key.scenarios === null || key.scenarios.includes(slug);
}

/**
 * Gives the request its run id (the `X-Run-Id` header and `run_id` of any error) unless it has one,
 * checks the bearer key and takes a rate-limit token; answers 401 or 429 itself.
 */
export function authenticate(runtime: V1Runtime): RequestHandler {
  return (req, res, next) => {
    if (runIdOf(res) === '') setRunId(res, newId());
    const header = req.headers.authorization;
    const match = header === undefined ? null : BEARER.exec(header);
    const key = match ? runtime.keys.verify(match[1]) : undefined;
    if (!key) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      sendV1Error(res, 401, 'unauthorized', 'a valid API key is required: Authorization: Bearer <key>');
      return;
    }
    const taken = runtime.limiter.take(key.id, key.rateLimit ?? runtime.config.rateLimitPerMinute);
    if (!taken.ok) {
      res.setHeader('Retry-After', String(taken.retryAfterSeconds));
      sendV1Error(res, 429, 'rate_limited', `this key's rate limit is used up; retry in ${taken.retryAfterSeconds} s`, { retry_after: taken.retryAfterSeconds });
      return;
    }
    keys.set(res, key);
    next();
  };
}
