import { z } from 'zod';

const rate = z.number().min(0).max(1).default(0);

/** Every simulator setting, with the defaults `npm start` uses. */
export const SimulatorConfigSchema = z.object({
  /** Time to first token, in milliseconds. */
  ttftMs: z.number().min(0).default(300),
  /** Time per output token, in milliseconds, at no load. */
  perTokenMs: z.number().min(0).default(20),
  /** Requests served at once; the rest wait in a FIFO queue. */
  capacity: z.int().min(1).default(64),
  /** How much per-token time grows with load: perTokenMs * (1 + loadFactor * (active - 1) / capacity). */
  loadFactor: z.number().min(0).default(0.5),
  /** Requests allowed to wait for a slot; beyond this the simulator answers 429. */
  maxQueue: z.int().min(0).default(1024),
  /** Fault rates, each 0..1, decided per request by a seeded generator. */
  errorRate: rate,
  timeoutRate: rate,
  malformedRate: rate,
  rateLimitRate: rate,
  /** How long a "timeout" fault hangs when the client does not give up first. */
  hangMs: z.number().min(0).default(60_000),
  /** Retry-After (seconds) sent with simulated 429s. */
  retryAfterSeconds: z.number().min(0).default(1),
  /** `body`: the HTTP body is broken JSON; `content`: the reply text is broken JSON but the envelope is fine. */
  malformedMode: z.enum(['body', 'content']).default('body'),
  /** When false, the in-process client reports no json_schema support (the engine puts the schema in the prompt). */
  supportsJsonSchema: z.boolean().default(true),
  /** Send reasoning apart from the answer (`reasoning_content`), as a reasoning model behind a reasoning parser does. */
  reasoning: z.boolean().default(false),
  /** Seeds fault decisions (outputs are seeded by the prompt itself). */
  seed: z.int().default(42),
});

export type SimulatorConfig = z.infer<typeof SimulatorConfigSchema>;
export type SimulatorConfigInput = z.input<typeof SimulatorConfigSchema>;

/** The model name the simulator reports in every response. */
export const SIMULATOR_MODEL = 'mofang-simulator';

/** Parses settings, filling in defaults; throws a ZodError on bad values. */
export function simulatorConfig(input: SimulatorConfigInput = {}): SimulatorConfig {
  return SimulatorConfigSchema.parse(input);
}

/** The zero-latency preset (no timers at all), for tests and in-process benchmarks. */
export function fast(overrides: SimulatorConfigInput = {}): SimulatorConfig {
  return SimulatorConfigSchema.parse({ ttftMs: 0, perTokenMs: 0, loadFactor: 0, ...overrides });
}

/** True when requests take no time, so the simulator can answer without any timer. */
export function isZeroLatency(config: SimulatorConfig): boolean {
  return config.ttftMs === 0 && config.perTokenMs === 0;
}
