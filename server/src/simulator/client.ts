import { SIMULATOR_CLIENT } from '@shared/simulated.js';
import type { ChatRequest, ChatResponse, ModelClient } from '../model/types.js';
import { ModelError } from '../model/types.js';
import { SIMULATOR_MODEL, isZeroLatency, type SimulatorConfig, type SimulatorConfigInput } from './config.js';
import { Simulator } from './simulator.js';

/** Deltas a streamed in-process reply is split into. */
const STREAM_CHUNKS = 4;

/**
 * The simulator as an in-process ModelClient: no HTTP, the same latency, capacity, faults and replies
 * as the simulator server. Honours the request's signal, timeoutMs and streaming.
 */
export class SimulatorClient implements ModelClient {
  readonly name = SIMULATOR_CLIENT;
  readonly simulator: Simulator;

  /** Takes settings (defaults apply) or an existing Simulator to share its capacity and counters. */
  constructor(config: SimulatorConfigInput | SimulatorConfig | Simulator = {}) {
    this.simulator = config instanceof Simulator ? config : new Simulator(config);
  }

  get supportsJsonSchema(): boolean {
    return this.simulator.config.supportsJsonSchema;
  }

  /** Answers a chat request as the simulator would, mapping injected faults to ModelError codes. */
  async chat(request: ChatRequest): Promise<ChatResponse> {
    if (request.signal?.aborted) throw abortedError(request.signal.reason);
    const config = this.simulator.config;
    // With zero latency and no hang faults nothing can wait on a clock, so no timer is armed.
    const mayWait = !isZeroLatency(config) || config.timeoutRate > 0;
    let controller: AbortController | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let timedOut = false;
    const onAbort = () => controller?.abort(request.signal?.reason);
    if (mayWait && (request.timeoutMs !== undefined || request.signal)) {
      controller = new AbortController();
      request.signal?.addEventListener('abort', onAbort, { once: true });
      if (request.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          timedOut = true;
          controller?.abort(new Error('timeout'));
        }, request.timeoutMs);
      }
    }
    const streaming = request.stream === true && (request.onDelta !== undefined || request.onFirstToken !== undefined);
    try {
      const events = this.simulator.run(
        { model: request.model, messages: request.messages, responseFormat: request.responseFormat },
        { signal: controller?.signal ?? request.signal, chunks: streaming ? STREAM_CHUNKS : 1 },
      );
      let first = true;
      for await (const event of events) {
        if (event.type === 'delta') {
          if (first) {
            first = false;
            request.onFirstToken?.();
          }
          if (streaming) request.onDelta?.(event.text);
        } else if (event.type === 'done') {
          const { reply } = event;
          return { text: reply.text, ...(reply.reasoning ? { reasoning: reply.reasoning } : {}), model: SIMULATOR_MODEL, promptTokens: reply.promptTokens, completionTokens: reply.completionTokens, finishReason: 'stop' };
        } else if (event.fault === 'rate_limited') {
          const why = event.queueFull ? 'queue full' : 'injected rate limit';
          throw new ModelError('rate_limited', `simulator: HTTP 429 (${why}), retry after ${event.retryAfterSeconds} s`, {
            status: 429,
            retryAfterMs: event.retryAfterSeconds * 1000,
          });
        } else if (event.fault === 'server_error') {
          throw new ModelError('server_error', 'simulator: HTTP 500 (injected server error)', { status: 500 });
        } else if (event.fault === 'timeout') {
          throw new ModelError('timeout', `simulator: no reply after ${config.hangMs} ms (injected hang)`);
        } else {
          throw new ModelError('malformed_response', 'simulator: the reply is not a chat completion (injected malformed body)');
        }
      }
      throw new ModelError('malformed_response', 'simulator: the reply ended without a completion');
    } catch (error) {
      if (error instanceof ModelError) throw error;
      if (timedOut) throw new ModelError('timeout', `simulator: no reply within ${request.timeoutMs} ms`, { cause: error });
      if (request.signal?.aborted) throw abortedError(request.signal.reason);
      throw error;
    } finally {
      if (timer) clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
    }
  }
}

function abortedError(reason: unknown): ModelError {
  return new ModelError('aborted', 'simulator: the call was aborted', { cause: reason });
}
