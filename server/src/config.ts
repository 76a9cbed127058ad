/**
 * The server's configuration, read from the environment once and validated, so a typo in PORT fails
 * at start with a clear message rather than somewhere later.
 */
import path from 'node:path';
import { z } from 'zod';
import { modelConfigFromEnv } from './model/registry.js';
import { httpAllowFromEnv, parseAllowList } from './services/safe-http.js';
import { apiConfigFromEnv, type ApiConfig } from './common/api-config.js';
import { limitsFromEnv, type Limits } from './limits.js';
import { blankAsUnset, wholeNumber } from './env-settings.js';
import { sandboxConfigFromEnv, type SandboxConfig } from './services/sandbox-config.js';
import { DEFAULT_TEMPLATE_LIMITS, type TemplateLimits } from './common/template-limits.js';
import { jobUploadConfigFromEnv, type JobUploadConfig } from './jobs/upload-config.js';
import { jobLeaseMsFromEnv } from './jobs/lease-config.js';
import { webConfigFromEnv, type WebConfig } from './common/web-config.js';
import { authConfigFromEnv, type AuthConfig } from './users/auth-config.js';
import { oidcConfigFromEnv, type OidcConfig } from './users/oidc-config.js';
import { databaseConfigFromEnv, type DatabaseConfig } from './common/database-config.js';

/** Default of `MOFANG_DRAIN_TIMEOUT_MS`: how long a stopping server waits for work in flight, ms. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

const positiveInt = (name: string, fallback: number) =>
  z.preprocess(blankAsUnset, z.coerce.number({ error: `${name} must be a number` }).int(`${name} must be a whole number`).min(1, `${name} must be at least 1`).default(fallback));

const EnvSchema = z.object({
  PORT: z.preprocess(blankAsUnset, z.coerce.number({ error: 'PORT must be a number' }).int('PORT must be a whole number').min(0).max(65535).default(3000)),
  HOST: z.preprocess(blankAsUnset, z.string().default('127.0.0.1')),
  MOFANG_DATA_DIR: z.preprocess(blankAsUnset, z.string().default('./data')),
  MOFANG_HTTP_ALLOW: z.preprocess(blankAsUnset, z.string().optional()),
  MOFANG_SECRET_KEY: z.preprocess(blankAsUnset, z.string().min(16, 'MOFANG_SECRET_KEY must be at least 16 characters (64 hex characters or base64 of 32 bytes is best)').optional()),
  MOFANG_TEMPLATE_RENDER_MS: positiveInt('MOFANG_TEMPLATE_RENDER_MS', DEFAULT_TEMPLATE_LIMITS.renderMs).pipe(
    z.number().max(60_000, 'MOFANG_TEMPLATE_RENDER_MS must be at most 60000 (a render holds the whole server for that long)'),
  ),
  MOFANG_TEMPLATE_OUTPUT_BYTES: positiveInt('MOFANG_TEMPLATE_OUTPUT_BYTES', DEFAULT_TEMPLATE_LIMITS.outputBytes).pipe(
    z.number().max(256 * 1024 * 1024, 'MOFANG_TEMPLATE_OUTPUT_BYTES must be at most 268435456 (256 MB)'),
  ),
  MOFANG_TEMPLATE_MEMORY: positiveInt('MOFANG_TEMPLATE_MEMORY', DEFAULT_TEMPLATE_LIMITS.memory).pipe(
    z.number().max(1_000_000_000, 'MOFANG_TEMPLATE_MEMORY must be at most 1000000000'),
  ),
  MOFANG_DRAIN_TIMEOUT_MS: wholeNumber('MOFANG_DRAIN_TIMEOUT_MS', { min: 0, max: 3_600_000 }),
  MOFANG_TRANSCRIPT_RETENTION_DAYS: z.preprocess(
    blankAsUnset,
    z.coerce
      .number({ error: 'MOFANG_TRANSCRIPT_RETENTION_DAYS must be a number of days' })
      .int('MOFANG_TRANSCRIPT_RETENTION_DAYS must be a whole number of days')
      .min(1, 'MOFANG_TRANSCRIPT_RETENTION_DAYS must be at least 1')
      .max(36_500, 'MOFANG_TRANSCRIPT_RETENTION_DAYS must be at most 36500 (100 years)')
      .optional(),
  ),
});

export type ModelConfig = ReturnType<typeof modelConfigFromEnv>;

export interface AppConfig {
  port: number;
  host: string;
  /** Absolute path of the data directory (the SQLite file lives there). */
  dataDir: string;
  /** PostgreSQL (`MOFANG_DATABASE_URL`) instead of the SQLite file; absent for SQLite. */
  database?: DatabaseConfig;
  /** Hosts or CIDR ranges outbound HTTP nodes may reach despite the private-address guard. */
  httpAllow: string[];
  model: ModelConfig;
  /**
   * The key that encrypts stored secrets (model endpoints' API keys), `MOFANG_SECRET_KEY`; when unset, a
   * random key kept in `<dataDir>/secret.key` (mode 0600).
   */
  secretKey?: string;
  /** The published API's settings (rate limit, run deadline, retention); defaults when absent. */
  api?: ApiConfig;
  /** Limits on JSON values (depth, string length, list length, size) and graphs (nodes, edges, config bytes); defaults when absent. */
  limits?: Limits;
  /** The code sandbox's workers and queue; defaults when absent. */
  sandbox?: SandboxConfig;
  /** How far one template render may go (time, output size, Liquid's memory count); defaults when absent. */
  templates?: TemplateLimits;
  /** Limits on job uploads; defaults when absent. */
  jobs?: JobUploadConfig;
  /** `MOFANG_JOB_LEASE_MS`: how long a server's claim on job items lasts (ms); unset: the runner's default. */
  jobLeaseMs?: number;
  /** The web front door: allowed Host names and CORS origins; defaults (none, CORS off) when absent. */
  web?: WebConfig;
  /** Session lifetime and sign-in throttling; defaults when absent. */
  auth?: AuthConfig;
  /** Single sign-on through OpenID Connect (`MOFANG_OIDC_*`); undefined when off. */
  oidc?: OidcConfig;
  /**
   * Days after which stored transcripts (runs' inputs and traces, job items' inputs) are cleared
   * (`MOFANG_TRANSCRIPT_RETENTION_DAYS`, default the run retention); the API's run retention when absent.
   */
  transcriptRetentionDays?: number;
  /**
   * How long a stopping server (SIGTERM, SIGINT) waits for work in flight — runs, streaming runs, job
   * items, live-session updates — before it aborts what is left, ms (`MOFANG_DRAIN_TIMEOUT_MS`, default 30000).
   */
  drainTimeoutMs?: number;
}

/** A configuration problem, with one line per bad variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the configuration from `env`; throws {@link ConfigError} naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || 'environment'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  let model: ModelConfig;
  try {
    model = modelConfigFromEnv(env);
  } catch (error) {
    throw new ConfigError(`invalid model configuration: ${error instanceof Error ? error.message : String(error)}`);
  }
  let api: ApiConfig;
  try {
    api = apiConfigFromEnv(env);
  } catch (error) {
    throw new ConfigError(`invalid configuration:\n  ${error instanceof Error ? error.message : String(error)}`);
  }
  let limits: Limits;
  try {
    limits = limitsFromEnv(env);
  } catch (error) {
    throw new ConfigError(`invalid configuration:\n  ${error instanceof Error ? error.message : String(error)}`);
  }
  let sandbox: SandboxConfig;
  try {
    sandbox = sandboxConfigFromEnv(env);
  } catch (error) {
    throw new ConfigError(`invalid configuration:\n  ${error instanceof Error ? error.message : String(error)}`);
  }
  let jobs: JobUploadConfig;
  let jobLeaseMs: number | undefined;
  try {
    jobs = jobUploadConfigFromEnv(env);
    jobLeaseMs = jobLeaseMsFromEnv(env);
  } catch (error) {
    throw new ConfigError(`invalid configuration:\n  ${error instanceof Error ? error.message : String(error)}`);
  }
  let web: WebConfig;
  let auth: AuthConfig;
  let oidc: OidcConfig | undefined;
  try {
    web = webConfigFromEnv(env);
    auth = authConfigFromEnv(env);
    oidc = oidcConfigFromEnv(env);
  } catch (error) {
    throw new ConfigError(`invalid configuration:\n  ${error instanceof Error ? error.message : String(error)}`);
  }
  const e = parsed.data;
  let database: DatabaseConfig | undefined;
  try {
    database = databaseConfigFromEnv(env);
  } catch (error) {
    throw new ConfigError(`invalid configuration:\n  ${error instanceof Error ? error.message : String(error)}`);
  }
  // Every server over one database must seal and open endpoint secrets with the same key: a key file
  // generated in each server's own data directory would make the others' secrets unreadable.
  if (database && !e.MOFANG_SECRET_KEY) {
    throw new ConfigError('invalid configuration:\n  MOFANG_SECRET_KEY must be set with MOFANG_DATABASE_URL: every server over one PostgreSQL database seals model endpoints\' API keys with it, so they all need the same key');
  }
  const httpAllow = httpAllowFromEnv({ MOFANG_HTTP_ALLOW: e.MOFANG_HTTP_ALLOW });
  try {
    parseAllowList(httpAllow);
  } catch (error) {
    throw new ConfigError(`invalid configuration:\n  ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.MOFANG_DATA_DIR),
    ...(database ? { database } : {}),
    httpAllow,
    model,
    secretKey: e.MOFANG_SECRET_KEY,
    api,
    limits,
    sandbox,
    templates: { renderMs: e.MOFANG_TEMPLATE_RENDER_MS, outputBytes: e.MOFANG_TEMPLATE_OUTPUT_BYTES, memory: e.MOFANG_TEMPLATE_MEMORY },
    jobs,
    ...(jobLeaseMs !== undefined ? { jobLeaseMs } : {}),
    web,
    auth,
    oidc,
    transcriptRetentionDays: e.MOFANG_TRANSCRIPT_RETENTION_DAYS ?? api.retentionDays,
    drainTimeoutMs: e.MOFANG_DRAIN_TIMEOUT_MS ?? DEFAULT_DRAIN_TIMEOUT_MS,
  };
}

let cached: AppConfig | undefined;

/** The process-wide configuration, read from `process.env` on first use. */
export function getConfig(): AppConfig {
  cached ??= loadConfig(process.env);
  return cached;
}
