/**
 * Settings of sign-in and sessions, from the environment:
 * - `MOFANG_SESSION_TTL_HOURS` (default 12): how long a session lasts since it was last used;
 * - `MOFANG_LOGIN_MAX_FAILURES` (default 5): failed sign-ins allowed per login name per window;
 * - `MOFANG_LOGIN_MAX_FAILURES_PER_ADDRESS` (default 30): failed sign-ins allowed per client address per window;
 * - `MOFANG_LOGIN_WINDOW_MINUTES` (default 15): the window, after which the counts start again.
 */
import { z } from 'zod';
import { wholeNumber } from '../env-settings.js';

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
}

export const DEFAULT_AUTH_CONFIG: AuthConfig = { sessionTtlMs: 12 * 3_600_000, maxFailuresPerName: 5, maxFailuresPerAddress: 30, windowSeconds: 15 * 60 };

const Schema = z.object({
  MOFANG_SESSION_TTL_HOURS: wholeNumber('MOFANG_SESSION_TTL_HOURS', { min: 1, max: 24 * 365 }),
  MOFANG_LOGIN_MAX_FAILURES: wholeNumber('MOFANG_LOGIN_MAX_FAILURES', { min: 1, max: 1_000_000 }),
  MOFANG_LOGIN_MAX_FAILURES_PER_ADDRESS: wholeNumber('MOFANG_LOGIN_MAX_FAILURES_PER_ADDRESS', { min: 1, max: 1_000_000 }),
  MOFANG_LOGIN_WINDOW_MINUTES: wholeNumber('MOFANG_LOGIN_WINDOW_MINUTES', { min: 1, max: 24 * 60 }),
});

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
  };
}
