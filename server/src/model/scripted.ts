import type { ChatRequest, ChatResponse, ModelClient, ModelResolver } from './types.js';

/**
 * A reply: text, a value to send as JSON, an error to throw, or a whole response (to script reasoning,
 * a finish_reason or missing usage, as real endpoints send them).
 */
export type ScriptedReply = string | { json: unknown } | { error: Error } | { response: Partial<ChatResponse> & { text: string } };

/**
 * A model for tests and template fixtures: each request is answered by a function of the request, so a
 * test says exactly what the model returns and can assert what it was sent.
 */
export class ScriptedModel implements ModelClient {
  readonly name = 'scripted';
  readonly requests: ChatRequest[] = [];

  constructor(
    private readonly answer: (request: ChatRequest, index: number) => ScriptedReply | Promise<ScriptedReply>,
    readonly supportsJsonSchema = true,
  ) {}

  async chat(request: ChatRequest): Promise<ChatResponse> {
    const index = this.requests.push(request) - 1;
    if (request.signal?.aborted) throw request.signal.reason instanceof Error ? request.signal.reason : new Error('aborted');
    const reply = await abortable(Promise.resolve(this.answer(request, index)), request.signal);
    if (typeof reply === 'object' && 'error' in reply) throw reply.error;
    const text = typeof reply === 'string' ? reply : 'response' in reply ? reply.response.text : JSON.stringify(reply.json);
    request.onFirstToken?.();
    const promptTokens = request.messages.reduce((n, m) => n + Math.ceil(m.content.length / 2), 0);
    const base: ChatResponse = { text, model: request.model, promptTokens, completionTokens: Math.ceil(text.length / 2), finishReason: 'stop' };
    return typeof reply === 'object' && 'response' in reply ? { ...base, ...reply.response } : base;
  }

  /** This model for every alias. */
  resolver(): ModelResolver {
    return { resolve: (alias) => ({ client: this, model: alias }) };
  }
}

/** The promise, or a rejection with the signal's reason as soon as it aborts (as a real endpoint call would). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
