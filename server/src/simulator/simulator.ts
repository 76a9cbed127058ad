import { SimulatorConfigSchema, isZeroLatency, type SimulatorConfig, type SimulatorConfigInput } from './config.js';
import { estimateTokens, generateReply, reasoningFor, type GenerateInput, type Generated } from './generate.js';
import { CapacityGate, QueueFullError, chunkText, perTokenDelayMs, sleep } from './latency.js';
import { fnv1a, mulberry32 } from './random.js';

/** A fault the simulator injects (or a 429 because its queue is full). */
export type SimFault = 'server_error' | 'rate_limited' | 'timeout' | 'malformed';

/** What a simulated request produces, in order: either one fault, or deltas then `done`. */
export type SimEvent =
  | { type: 'fault'; fault: 'rate_limited'; retryAfterSeconds: number; queueFull: boolean }
  | { type: 'fault'; fault: 'server_error' | 'timeout' | 'malformed' }
  | { type: 'delta'; text: string }
  | { type: 'done'; reply: Generated };

/** Counters for GET /sim/stats. */
export interface SimStats {
  requests: number;
  completed: number;
  active: number;
  queued: number;
  maxConcurrentSeen: number;
  queueFull: number;
  faults: Record<SimFault, number>;
}

/** Options for one simulated request. */
export interface SimRunOptions {
  /** Aborting stops waiting and frees the capacity slot. */
  signal?: AbortSignal;
  /** How many deltas to split the reply into (1 for a non-streamed reply). */
  chunks?: number;
}

/**
 * The simulated inference server shared by the in-process client and the HTTP server: latency, a FIFO
 * capacity queue, reproducible faults and deterministic replies.
 */
export class Simulator {
  private current: SimulatorConfig;
  private counter = 0;
  readonly gate: CapacityGate;
  private readonly counts = { requests: 0, completed: 0, queueFull: 0 };
  private readonly faults: Record<SimFault, number> = { server_error: 0, rate_limited: 0, timeout: 0, malformed: 0 };

  constructor(config: SimulatorConfigInput | SimulatorConfig = {}) {
    this.current = SimulatorConfigSchema.parse(config);
    this.gate = new CapacityGate(() => this.current);
  }

  get config(): SimulatorConfig {
    return this.current;
  }

  /** Changes settings live; the patch is merged and validated (throws a ZodError when invalid). */
  updateConfig(patch: SimulatorConfigInput): SimulatorConfig {
    this.current = SimulatorConfigSchema.parse({ ...this.current, ...patch });
    this.gate.drain();
    return this.current;
  }

  stats(): SimStats {
    return {
      ...this.counts,
      active: this.gate.active,
      queued: this.gate.queued,
      maxConcurrentSeen: this.gate.maxActiveSeen,
      faults: { ...this.faults },
    };
  }

  /** Decides the fault for the n-th request from the seed alone, so a run with the same seed repeats. */
  faultFor(n: number): SimFault | undefined {
    const c = this.current;
    if (c.rateLimitRate + c.errorRate + c.timeoutRate + c.malformedRate === 0) return undefined;
    const r = mulberry32(fnv1a(String(c.seed), String(n)))();
    let edge = c.rateLimitRate;
    if (r < edge) return 'rate_limited';
    if (r < (edge += c.errorRate)) return 'server_error';
    if (r < (edge += c.timeoutRate)) return 'timeout';
    if (r < (edge += c.malformedRate)) return 'malformed';
    return undefined;
  }

  /**
   * Runs one request. Waits (queue, time to first token, per-token time) only when the settings ask
   * for it: with zero latency no timer is created. Rejects with the signal's reason when aborted.
   */
  async *run(input: GenerateInput, options: SimRunOptions = {}): AsyncGenerator<SimEvent> {
    const { signal } = options;
    const config = this.current;
    this.counts.requests += 1;
    const fault = this.faultFor(this.counter++);
    if (fault === 'rate_limited' || fault === 'server_error') {
      this.faults[fault] += 1;
      yield fault === 'rate_limited'
        ? { type: 'fault', fault, retryAfterSeconds: config.retryAfterSeconds, queueFull: false }
        : { type: 'fault', fault };
      return;
    }
    if (!this.gate.tryAcquire()) {
      try {
        await this.gate.acquire(signal);
      } catch (error) {
        if (!(error instanceof QueueFullError)) throw error;
        this.counts.queueFull += 1;
        yield { type: 'fault', fault: 'rate_limited', retryAfterSeconds: config.retryAfterSeconds, queueFull: true };
        return;
      }
    }
    try {
      if (fault === 'timeout') {
        this.faults.timeout += 1;
        if (config.hangMs > 0) await sleep(config.hangMs, signal);
        yield { type: 'fault', fault: 'timeout' };
        return;
      }
      const reply = generateReply(input);
      if (config.reasoning) {
        reply.reasoning = reasoningFor(input);
        reply.completionTokens += estimateTokens(reply.reasoning);
      }
      if (fault === 'malformed') {
        this.faults.malformed += 1;
        if (config.malformedMode === 'body') {
          if (config.ttftMs > 0) await sleep(config.ttftMs, signal);
          yield { type: 'fault', fault: 'malformed' };
          return;
        }
        reply.text = brokenJson(reply.text);
        reply.completionTokens = estimateTokens(reply.text);
      }
      yield* this.deliver(reply, options.chunks ?? 1, signal);
      this.counts.completed += 1;
      yield { type: 'done', reply };
    } finally {
      this.gate.release();
    }
  }

  private async *deliver(reply: Generated, chunks: number, signal?: AbortSignal): AsyncGenerator<SimEvent> {
    const config = this.current;
    const zero = isZeroLatency(config);
    const pieces = chunkText(reply.text, chunks);
    const totalChars = Math.max(1, reply.text.length);
    for (let i = 0; i < pieces.length; i++) {
      if (!zero) {
        // Per-token time is recomputed per piece, so a burst of arrivals slows the replies already running.
        const tokens = (reply.completionTokens * pieces[i].length) / totalChars;
        const delay = (i === 0 ? config.ttftMs : 0) + tokens * perTokenDelayMs(config, this.gate.active);
        if (delay > 0) await sleep(delay, signal);
      }
      yield { type: 'delta', text: pieces[i] };
    }
  }
}

/** The reply cut in half (and never valid JSON), as a model cut off mid-answer would leave it. */
export function brokenJson(text: string): string {
  const half = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  try {
    JSON.parse(half);
    return `${half},`;
  } catch {
    return half;
  }
}
