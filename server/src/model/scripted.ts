import type { ChatRequest, ChatResponse, ModelClient, ModelResolver } from './types.js';

/** A reply: text, a value to send as JSON, or an error to throw. */
export type ScriptedReply = string | { json: unknown } | { error: Error };

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
    const reply = await this.answer(request, index);
    if (typeof reply === 'object' && 'error' in reply) throw reply.error;
    const text = typeof reply === 'string' ? reply : JSON.stringify(reply.json);
    const promptTokens = request.messages.reduce((n, m) => n + Math.ceil(m.content.length / 2), 0);
    return { text, model: request.model, promptTokens, completionTokens: Math.ceil(text.length / 2) };
  }

  /** This model for every alias. */
  resolver(): ModelResolver {
    return { resolve: (alias) => ({ client: this, model: alias }) };
  }
}
