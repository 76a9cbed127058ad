/**
 * Settings of the published API, from the environment (all optional): the default per-key rate limit,
 * the run deadline, the body size limit and how long API runs are kept.
 */
import { z } from 'zod';
import { blankAsUnset } from '../env-settings.js';
const positiveInt = (name: string, fallback: number) =>
  z.preprocess(blankAsUnset, z.coerce.number({ error: `${name} must be a number` }).int(`${name} must be a whole number`).min(1, `${name} must be at least 1`).default(fallback));

const ApiEnvSchema = z.object({
  MOFANG_API_RATE_LIMIT: positiveInt('MOFANG_API_RATE_LIMIT', 6000),
  MOFANG_RUN_DEADLINE_MS: positiveInt('MOFANG_RUN_DEADLINE_MS', 60_000),
  MOFANG_RUN_RETENTION_DAYS: positiveInt('MOFANG_RUN_RETENTION_DAYS', 30),
  MOFANG_RUN_RETENTION_ROWS: positiveInt('MOFANG_RUN_RETENTION_ROWS', 1_000_000),
  MOFANG_SESSION_IDLE_TIMEOUT_MS: positiveInt('MOFANG_SESSION_IDLE_TIMEOUT_MS', 600_000),
  MOFANG_SESSION_MAX_DURATION_MS: positiveInt('MOFANG_SESSION_MAX_DURATION_MS', 4 * 3_600_000),
  MOFANG_SESSION_LEASE_MS: z.preprocess(
    blankAsUnset,
    z.coerce
      .number({ error: 'MOFANG_SESSION_LEASE_MS must be a number' })
      .int('MOFANG_SESSION_LEASE_MS must be a whole number')
      .min(5_000, 'MOFANG_SESSION_LEASE_MS must be at least 5000 (ms)')
      .max(600_000, 'MOFANG_SESSION_LEASE_MS must be at most 600000 (ms)')
      .default(30_000),
  ),
  MOFANG_API_BODY_LIMIT: z.preprocess(blankAsUnset, z.string().regex(/^\d+(b|kb|mb)$/i, 'MOFANG_API_BODY_LIMIT must look like 512kb or 2mb').default('1mb')),
  MOFANG_PUBLIC_URL: z.preprocess(
    blankAsUnset,
    z
      .url({ protocol: /^https?$/, error: 'MOFANG_PUBLIC_URL must be an http(s) URL, e.g. https://mofang.example.com' })
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
  ),
});

/** The published API's settings. */
export interface ApiConfig {
  /** Requests per minute for keys without their own limit. */
  rateLimitPerMinute: number;
  /** Deadline of one API run, in ms. */
  runDeadlineMs: number;
  retentionDays: number;
  retentionRows: number;
  /** A live call session with no turn for this long ends by itself, ms (default 10 minutes). */
  sessionIdleTimeoutMs: number;
  /** A live call session this old ends by itself, ms (default 4 hours). */
  sessionMaxDurationMs: number;
  /**
   * PostgreSQL: how long a server's hold on a live session lasts without renewal, ms (default 30 s,
   * 5 s–10 min): a killed server's sessions are taken up by another after it, and their final runs made.
   */
  sessionLeaseMs: number;
  /** Largest accepted request body, in body-parser notation (`1mb`). */
  bodyLimit: string;
  /**
   * The URL callers reach the server at (`https://mofang.example.com`, no trailing slash), named in the
   * OpenAPI documents' `servers`; when absent, the request's own (or its proxy's `X-Forwarded-*`) origin.
   */
  publicUrl?: string;
}

/** The defaults, as with an empty environment. */
export const DEFAULT_API_CONFIG: ApiConfig = apiConfigFromEnv({});

/** Reads the API settings; throws an Error naming every bad variable. */
export function apiConfigFromEnv(env: NodeJS.ProcessEnv): ApiConfig {
  const parsed = ApiEnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const e = parsed.data;
  return {
    rateLimitPerMinute: e.MOFANG_API_RATE_LIMIT,
    runDeadlineMs: e.MOFANG_RUN_DEADLINE_MS,
    retentionDays: e.MOFANG_RUN_RETENTION_DAYS,
    retentionRows: e.MOFANG_RUN_RETENTION_ROWS,
    sessionIdleTimeoutMs: e.MOFANG_SESSION_IDLE_TIMEOUT_MS,
    sessionMaxDurationMs: e.MOFANG_SESSION_MAX_DURATION_MS,
    sessionLeaseMs: e.MOFANG_SESSION_LEASE_MS,
    bodyLimit: e.MOFANG_API_BODY_LIMIT,
    publicUrl: e.MOFANG_PUBLIC_URL,
  };
}
