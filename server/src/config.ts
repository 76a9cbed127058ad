/**
 * The server's configuration, read from the environment once and validated, so a typo in PORT fails
 * at start with a clear message rather than somewhere later.
 */
import path from 'node:path';
import { z } from 'zod';
import { modelConfigFromEnv } from './model/registry.js';
import { httpAllowFromEnv, parseAllowList } from './services/safe-http.js';
import { apiConfigFromEnv, type ApiConfig } from './http/v1/config.js';
import { jobUploadConfigFromEnv, type JobUploadConfig } from './jobs/upload-config.js';

/** Blank variables count as unset (`PORT= npm start` means the default, not port 0). */
const blankAsUnset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const EnvSchema = z.object({
  PORT: z.preprocess(blankAsUnset, z.coerce.number({ error: 'PORT must be a number' }).int('PORT must be a whole number').min(0).max(65535).default(3000)),
  HOST: z.preprocess(blankAsUnset, z.string().default('127.0.0.1')),
  MOFANG_DATA_DIR: z.preprocess(blankAsUnset, z.string().default('./data')),
  MOFANG_HTTP_ALLOW: z.preprocess(blankAsUnset, z.string().optional()),
});

export type ModelConfig = ReturnType<typeof modelConfigFromEnv>;

export interface AppConfig {
  port: number;
  host: string;
  /** Absolute path of the data directory (the SQLite file lives there). */
  dataDir: string;
  /** Hosts or CIDR ranges outbound HTTP nodes may reach despite the private-address guard. */
  httpAllow: string[];
  model: ModelConfig;
  /** The published API's settings (rate limit, run deadline, retention); defaults when absent. */
  api?: ApiConfig;
  /** Limits on job uploads; defaults when absent. */
  jobs?: JobUploadConfig;
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
  let jobs: JobUploadConfig;
  try {
    jobs = jobUploadConfigFromEnv(env);
  } catch (error) {
    throw new ConfigError(`invalid configuration:\n  ${error instanceof Error ? error.message : String(error)}`);
  }
  const e = parsed.data;
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
    httpAllow,
    model,
    api,
    jobs,
  };
}

let cached: AppConfig | undefined;

/** The process-wide configuration, read from `process.env` on first use. */
export function getConfig(): AppConfig {
  cached ??= loadConfig(process.env);
  return cached;
}
