/**
 * The code sandbox's settings, from the environment (all optional): how many worker threads run code
 * nodes, how many one scenario may hold, and how long a script may wait for one.
 */
import { z } from 'zod';
import { wholeNumber } from '../env-settings.js';
import { DEFAULT_CODE_QUEUE_MS, DEFAULT_CODE_WORKERS } from './sandbox.js';

/** More threads than this is a typo, not a machine: each may hold a script's memory (up to 512 MB). */
const MAX_WORKERS = 64;

const SandboxEnvSchema = z.object({
  MOFANG_CODE_WORKERS: wholeNumber('MOFANG_CODE_WORKERS', { min: 1, max: MAX_WORKERS }),
  MOFANG_CODE_WORKERS_PER_SCENARIO: wholeNumber('MOFANG_CODE_WORKERS_PER_SCENARIO', { min: 1, max: MAX_WORKERS }),
  MOFANG_CODE_QUEUE_MS: wholeNumber('MOFANG_CODE_QUEUE_MS', { min: 1, max: 600_000 }),
});

/** The sandbox's settings, as `createSandbox` takes them. */
export interface SandboxConfig {
  /** Worker threads for code nodes. */
  poolSize: number;
  /** The most workers one scenario's scripts may hold at once. */
  perScenario: number;
  /** How long a script may wait for a worker, in ms. */
  queueTimeoutMs: number;
}

/**
 * Reads the sandbox settings; throws an Error naming every bad variable. A scenario's share defaults to
 * all workers but one (at least one), so another scenario always finds a worker free.
 */
export function sandboxConfigFromEnv(env: NodeJS.ProcessEnv): SandboxConfig {
  const parsed = SandboxEnvSchema.safeParse(env);
  // Each message names its variable already.
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
  const e = parsed.data;
  const poolSize = e.MOFANG_CODE_WORKERS ?? DEFAULT_CODE_WORKERS;
  const perScenario = e.MOFANG_CODE_WORKERS_PER_SCENARIO ?? Math.max(1, poolSize - 1);
  if (perScenario > poolSize) {
    throw new Error(`MOFANG_CODE_WORKERS_PER_SCENARIO: ${perScenario} is more than MOFANG_CODE_WORKERS (${poolSize}); a scenario cannot hold more workers than there are`);
  }
  return { poolSize, perScenario, queueTimeoutMs: e.MOFANG_CODE_QUEUE_MS ?? DEFAULT_CODE_QUEUE_MS };
}
