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
  onDelta?: (text: string) => void;
  signal?: AbortSignal;
  /** Per-call deadline in milliseconds. */
  timeoutMs?: number;
  /** Lower runs first when the endpoint is saturated: 0 for live calls, higher for batch jobs. */
  priority?: number;
  /** The node making the call; endpoints ignore it, scripted models and traces use it. */
  nodeId?: string;
}

export interface ChatResponse {
  text: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
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
  | 'aborted';

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
    this.retryable = code === 'rate_limited' || code === 'server_error' || code === 'timeout' || code === 'network' || code === 'malformed_response';
  }
}
