/**
 * Settings of sign-in and sessions, from the environment:
 * - `MOFANG_SESSION_TTL_HOURS` (default 12): how long a session lasts since it was last used;
 * - `MOFANG_LOGIN_MAX_FAILURES` (default 5): failed sign-ins allowed per login name per window;
 * - `MOFANG_LOGIN_MAX_FAILURES_PER_ADDRESS` (default 30): failed sign-ins allowed per client address per window;
 * - `MOFANG_LOGIN_WINDOW_MINUTES` (default 15): the window, after which the counts start again;
 * - `MOFANG_TRUST_PROXY` (default off): the reverse proxies whose `X-Forwarded-For` / `X-Forwarded-Proto`
 *   are believed, as Express's `trust proxy` takes them (`loopback`, addresses or CIDR ranges separated by
 *   commas, a hop count, `true`). It decides the client address that sign-in throttling counts and whether
 *   a request came over https (the session cookie is then `Secure`).
 */
import { z } from 'zod';
import { blankAsUnset, wholeNumber } from '../env-settings.js';

/** Sign-in and session settings. */
export interface AuthConfig {
  /** Session lifetime since last use, ms. */
  sessionTtlMs: number;
  /** Failed sign-ins per login name per window before 429. */
  maxFailuresPerName: number;
  /** Failed sign-ins per client address per window before 429. */
  maxFailuresPerAddress: number;
  /** The throttling window, seconds. */
  windowSeconds: number;
  /** Express's `trust proxy` setting: false (the default) believes no forwarded header. */
  trustProxy: boolean | number | string;
}

export const DEFAULT_AUTH_CONFIG: AuthConfig = { sessionTtlMs: 12 * 3_600_000, maxFailuresPerName: 5, maxFailuresPerAddress: 30, windowSeconds: 15 * 60, trustProxy: false };

const Schema = z.object({
  MOFANG_SESSION_TTL_HOURS: wholeNumber('MOFANG_SESSION_TTL_HOURS', { min: 1, max: 24 * 365 }),
  MOFANG_LOGIN_MAX_FAILURES: wholeNumber('MOFANG_LOGIN_MAX_FAILURES', { min: 1, max: 1_000_000 }),
  MOFANG_LOGIN_MAX_FAILURES_PER_ADDRESS: wholeNumber('MOFANG_LOGIN_MAX_FAILURES_PER_ADDRESS', { min: 1, max: 1_000_000 }),
  MOFANG_LOGIN_WINDOW_MINUTES: wholeNumber('MOFANG_LOGIN_WINDOW_MINUTES', { min: 1, max: 24 * 60 }),
  MOFANG_TRUST_PROXY: z.preprocess(blankAsUnset, z.string().trim().optional()),
});

/** `true`/`false`, a hop count, or the list of addresses as Express reads it. */
function trustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** Reads the settings; throws an Error naming the first bad variable. */
export function authConfigFromEnv(env: NodeJS.ProcessEnv): AuthConfig {
  const parsed = Schema.safeParse(env);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
  const e = parsed.data;
  const d = DEFAULT_AUTH_CONFIG;
  return {
    sessionTtlMs: e.MOFANG_SESSION_TTL_HOURS === undefined ? d.sessionTtlMs : e.MOFANG_SESSION_TTL_HOURS * 3_600_000,
    maxFailuresPerName: e.MOFANG_LOGIN_MAX_FAILURES ?? d.maxFailuresPerName,
    maxFailuresPerAddress: e.MOFANG_LOGIN_MAX_FAILURES_PER_ADDRESS ?? d.maxFailuresPerAddress,
    windowSeconds: e.MOFANG_LOGIN_WINDOW_MINUTES === undefined ? d.windowSeconds : e.MOFANG_LOGIN_WINDOW_MINUTES * 60,
    trustProxy: trustProxy(e.MOFANG_TRUST_PROXY),
  };
}
