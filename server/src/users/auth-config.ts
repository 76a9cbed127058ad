/**
 * Settings of sign-in and sessions, from the environment:
 * - `MOFANG_SESSION_TTL_HOURS` (default 12): how long a session lasts since it was last used;
 * - `MOFANG_SESSION_MAX_HOURS` (default 168, 7 days): how long a session lasts at most since sign-in, used
 *   or not (then the user signs in again);
 * - `MOFANG_LOGIN_MAX_FAILURES` (default 10): consecutive failed sign-ins allowed for one account from one
 *   client address per window (the pair is blocked after; the same account from elsewhere is not);
 * - `MOFANG_LOGIN_MAX_FAILURES_PER_ADDRESS` (default 100): failed sign-ins allowed per client address per
 *   window, whatever the names;
 * - `MOFANG_LOGIN_MAX_FAILURES_PER_NAME` (default 100): failed sign-ins allowed per account per window from
 *   all addresses together (high, so that one attacker cannot lock an account out cheaply);
 * - `MOFANG_LOGIN_WINDOW_MINUTES` (default 15): the window, after which the counts start again;
 * - `MOFANG_PASSWORD_CHECKS_MAX` (default 2): password checks (argon2) that run at once; up to 8 times as
 *   many wait, more are refused (503 `too_many_attempts`), so a burst of sign-ins cannot fill Node's
 *   thread pool that file reads share;
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
  /** Session lifetime since sign-in however it is used, ms. */
  sessionMaxMs: number;
  /** Consecutive failed sign-ins per (account, client address) per window before 429. */
  maxFailuresPerName: number;
  /** Failed sign-ins per client address per window before 429. */
  maxFailuresPerAddress: number;
  /** Failed sign-ins per account from every address together per window before 429. */
  maxFailuresPerAccount: number;
  /** The throttling window, seconds. */
  windowSeconds: number;
  /** Password checks (argon2 verify or hash) running at once; 8 times as many may wait. */
  maxPasswordChecks: number;
  /** Express's `trust proxy` setting: false (the default) believes no forwarded header. */
  trustProxy: boolean | number | string;
}

export const DEFAULT_AUTH_CONFIG: AuthConfig = {
  sessionTtlMs: 12 * 3_600_000,
  sessionMaxMs: 7 * 24 * 3_600_000,
  maxFailuresPerName: 10,
  maxFailuresPerAddress: 100,
  maxFailuresPerAccount: 100,
  windowSeconds: 15 * 60,
  maxPasswordChecks: 2,
  trustProxy: false,
};

const Schema = z.object({
  MOFANG_SESSION_TTL_HOURS: wholeNumber('MOFANG_SESSION_TTL_HOURS', { min: 1, max: 24 * 365 }),
  MOFANG_SESSION_MAX_HOURS: wholeNumber('MOFANG_SESSION_MAX_HOURS', { min: 1, max: 24 * 365 }),
  MOFANG_LOGIN_MAX_FAILURES: wholeNumber('MOFANG_LOGIN_MAX_FAILURES', { min: 1, max: 1_000_000 }),
  MOFANG_LOGIN_MAX_FAILURES_PER_ADDRESS: wholeNumber('MOFANG_LOGIN_MAX_FAILURES_PER_ADDRESS', { min: 1, max: 1_000_000 }),
  MOFANG_LOGIN_MAX_FAILURES_PER_NAME: wholeNumber('MOFANG_LOGIN_MAX_FAILURES_PER_NAME', { min: 1, max: 1_000_000 }),
  MOFANG_LOGIN_WINDOW_MINUTES: wholeNumber('MOFANG_LOGIN_WINDOW_MINUTES', { min: 1, max: 24 * 60 }),
  MOFANG_PASSWORD_CHECKS_MAX: wholeNumber('MOFANG_PASSWORD_CHECKS_MAX', { min: 1, max: 64 }),
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
    sessionMaxMs: e.MOFANG_SESSION_MAX_HOURS === undefined ? d.sessionMaxMs : e.MOFANG_SESSION_MAX_HOURS * 3_600_000,
    maxFailuresPerName: e.MOFANG_LOGIN_MAX_FAILURES ?? d.maxFailuresPerName,
    maxFailuresPerAddress: e.MOFANG_LOGIN_MAX_FAILURES_PER_ADDRESS ?? d.maxFailuresPerAddress,
    maxFailuresPerAccount: e.MOFANG_LOGIN_MAX_FAILURES_PER_NAME ?? d.maxFailuresPerAccount,
    windowSeconds: e.MOFANG_LOGIN_WINDOW_MINUTES === undefined ? d.windowSeconds : e.MOFANG_LOGIN_WINDOW_MINUTES * 60,
    maxPasswordChecks: e.MOFANG_PASSWORD_CHECKS_MAX ?? d.maxPasswordChecks,
    trustProxy: trustProxy(e.MOFANG_TRUST_PROXY),
  };
}
