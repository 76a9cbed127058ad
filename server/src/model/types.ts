import type { JsonSchema } from '@shared/json-schema.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; schema: JsonSchema; strict?: boolean } };

export interface ChatRequest {
  /** The endpoint's model name (an alias is resolved before this point). */
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  responseFormat?: ResponseFormat;
  /** Stream the reply; `onDelta` receives each piece of text as it arrives. */
  stream?: boolean;
  /** Each piece of the answer's text as it arrives (not the reasoning). */
  onDelta?: (text: string) => void;
  /** Called once, when the first token of any kind (reasoning or answer) arrives. */
  onFirstToken?: () => void;
  signal?: AbortSignal;
  /** Per-call deadline in milliseconds. */
  timeoutMs?: number;
  /** Lower runs first when the endpoint is saturated: 0 for live calls, higher for batch jobs. */
  priority?: number;
  /** The node making the call; endpoints ignore it, scripted models and traces use it. */
  nodeId?: string;
}

export interface ChatResponse {
  /** Set by a live session's node cache when the answer is an earlier call's, reused: nothing was sent (and no tokens spent). */
  cached?: boolean;
  /** The message content as the endpoint sent it. */
  text: string;
  /** Reasoning the endpoint sent apart from the content (`reasoning_content` or `reasoning`). */
  reasoning?: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  /** True when the endpoint reported no usage and the counts come from a tokenizer. */
  usageEstimated?: boolean;
  /** `stop`, `length`, `content_filter`, `tool_calls`…, as the endpoint said; absent when it did not. */
  finishReason?: string;
}

/** Anything that answers chat completions: a real endpoint, the simulator, or a scripted test model. */
export interface ModelClient {
  /** Shown in run results and the UI, e.g. `simulator` or `vllm@http://10.0.0.5:8000/v1`. */
  readonly name: string;
  /** Whether `response_format: json_schema` is honoured; when not, the schema goes into the prompt. */
  readonly supportsJsonSchema: boolean;
  chat(request: ChatRequest): Promise<ChatResponse>;
}

/** Resolves a node's model alias (`default`, `fast`, …) to a client and the endpoint's model name. */
export interface ModelResolver {
  resolve(alias: string): { client: ModelClient; model: string };
}

export type ModelErrorCode =
  | 'rate_limited'
  | 'bad_request'
  | 'unauthorized'
  | 'not_found'
  | 'server_error'
  | 'timeout'
  | 'network'
  | 'malformed_response'
  | 'aborted'
  /** The reply had no answer (empty, only whitespace or null content). */
  | 'empty_reply'
  /** The endpoint's content filter stopped the reply (or the model refused). */
  | 'filtered'
  /** The reply was cut off by max_tokens, even after a retry with a larger limit. */
  | 'truncated'
  /** The reply was larger than the client reads (a runaway server); not tried again. */
  | 'reply_too_large';

const RETRYABLE = new Set<ModelErrorCode>(['rate_limited', 'server_error', 'timeout', 'network', 'malformed_response', 'empty_reply', 'filtered']);

/** A failed model call, with whether trying again may help. */
export class ModelError extends Error {
  readonly code: ModelErrorCode;
  readonly status?: number;
  readonly retryable: boolean;
  /** From a Retry-After header, in milliseconds. */
  readonly retryAfterMs?: number;

  constructor(code: ModelErrorCode, message: string, opts: { status?: number; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'ModelError';
    this.code = code;
    this.status = opts.status;
    this.retryAfterMs = opts.retryAfterMs;
    this.retryable = RETRYABLE.has(code);
  }
}
