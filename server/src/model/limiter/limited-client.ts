/**
 * A ModelClient that takes a slot from an {@link AdaptiveLimiter} around every call to the endpoint's
 * client and reports how the call went, so the limit follows the endpoint's real capacity.
 */
import { ModelError, type ChatRequest, type ChatResponse, type ModelClient } from '../types.js';
import { AdaptiveLimiter, type AdaptiveLimiterOptions, type Outcome } from './adaptive-limiter.js';
import { CallHealth } from './call-health.js';

/**
 * What a failed call tells the limiter: only signs of overload are drops (a timeout, a 429, a 503
 * "overloaded"); a broken model answering 500 or a refused connection says nothing about how much load
 * the endpoint takes, and shrinking for it would only starve the calls that do work.
 */
export function outcomeOfError(error: unknown): Outcome {
  if (!(error instanceof ModelError)) return { kind: 'ignore' };
  if (error.code === 'timeout') return { kind: 'drop', reason: 'timeout' };
  if (error.code === 'rate_limited') return { kind: 'drop', reason: 'rate_limited', retryAfterMs: error.retryAfterMs };
  if (error.code === 'server_error' && error.status === 503) return { kind: 'drop', reason: 'server_error' };
  return { kind: 'ignore' };
}

/** The wrapper; `inner` stays reachable for code that needs to know what kind of endpoint is behind it. */
export class LimitedModelClient implements ModelClient {
  readonly limiter: AdaptiveLimiter;
  /** Recent outcomes (error rate, last error, last success), for the endpoints' admin list. */
  readonly health: CallHealth;

  /** Whether calls are streamed so the time to first token can be measured (the limiter's best signal). */
  private readonly measureFirstToken: boolean;

  constructor(
    readonly inner: ModelClient,
    limiter: AdaptiveLimiter | (AdaptiveLimiterOptions & { measureFirstToken?: boolean }) = {},
    health: CallHealth = new CallHealth(),
  ) {
    this.health = health;
    this.limiter = limiter instanceof AdaptiveLimiter ? limiter : new AdaptiveLimiter(limiter);
    this.measureFirstToken = limiter instanceof AdaptiveLimiter ? true : (limiter.measureFirstToken ?? true);
  }

  get name(): string {
    return this.inner.name;
  }

  get supportsJsonSchema(): boolean {
    return this.inner.supportsJsonSchema;
  }

  async chat(request: ChatRequest): Promise<ChatResponse> {
    let permit;
    try {
      const promptChars = request.messages.reduce((n, m) => n + m.content.length, 0);
      permit = await this.limiter.acquire(request.priority ?? 0, request.signal, promptChars);
    } catch (reason) {
      throw new ModelError('aborted', `${this.name}: the call was aborted while waiting for a slot`, { cause: reason });
    }
    const started = performance.now();
    let firstToken: number | undefined;
    // Streaming changes nothing in the reply; it lets the first token's arrival be timed.
    const sent: ChatRequest = this.measureFirstToken
      ? {
          ...request,
          stream: true,
          // Any first token counts, a reasoning model's thinking included: that is when the queue let it go.
          onFirstToken: () => {
            if (firstToken === undefined) {
              firstToken = performance.now();
              permit.firstToken(firstToken - started);
            }
            request.onFirstToken?.();
          },
        }
      : request;
    try {
      const response = await this.inner.chat(sent);
      const finished = performance.now();
      permit.release({ kind: 'ok', latencyMs: finished - started, tokens: response.completionTokens, firstTokenMs: (firstToken ?? finished) - started });
      this.health.success();
      return response;
    } catch (error) {
      permit.release(outcomeOfError(error));
      this.health.failure(error);
      throw error;
    }
  }

  /** Stops the limiter's timers and closes the inner client's pool when it has one. */
  async close(): Promise<void> {
    this.limiter.close();
    if ('close' in this.inner && typeof this.inner.close === 'function') await this.inner.close();
  }
}

/** The client behind any number of wrappers. */
export function innerClient(client: ModelClient): ModelClient {
  return client instanceof LimitedModelClient ? innerClient(client.inner) : client;
}

/** The limiters of the given clients (for stats). */
export function limitersOf(clients: ModelClient[]): Array<{ name: string; limiter: AdaptiveLimiter }> {
  return clients.flatMap((c) => (c instanceof LimitedModelClient ? [{ name: c.name, limiter: c.limiter }] : []));
}
