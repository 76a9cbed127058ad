import PQueue from 'p-queue';
import { Agent, type Dispatcher } from 'undici';
import { httpFailure, toModelError } from './openai-errors.js';
import { chunkError, CompletionShape, readChunk, readEvents, readText, type WireUsage } from './openai-wire.js';
import { estimateCompletionTokens, estimatePromptTokens } from './tokens.js';
import { ModelError, type ChatRequest, type ChatResponse, type ModelClient } from './types.js';

/** How to reach one OpenAI-compatible endpoint (vLLM, MindIE, Ollama, TGI, OpenAI, the simulator server…). */
export interface OpenAICompatibleOptions {
  /** Shown in run results; default `openai@<baseUrl>`. */
  name?: string;
  /** e.g. `http://10.0.0.5:8000/v1` */
  baseUrl: string;
  apiKey?: string;
  /** Calls in flight at once; the rest wait by priority. Default 32. */
  maxConcurrency?: number;
  /** Default per-call deadline, including the wait for a slot. Default 60000. */
  timeoutMs?: number;
  /** Whether the endpoint honours response_format json_schema. Default true. */
  supportsJsonSchema?: boolean;
  /** Largest reply read, in bytes; more is `reply_too_large`. Default 16 MiB. */
  maxReplyBytes?: number;
}

/** Bytes of an error reply read for its message. */
const ERROR_BODY_BYTES = 64 * 1024;
/** Refusals of `stream_options` as servers word them, not any 400 that happens to mention it. */
const STREAM_OPTIONS_REFUSED = /(unknown|unrecognized|unsupported|extra|unexpected|not (permitted|allowed|supported)|invalid)[^.]{0,60}stream_options|stream_options[^.]{0,60}(unknown|unrecognized|unsupported|extra|unexpected|not (permitted|allowed|supported)|invalid)/i;

/**
 * A base URL as it may be shown (health, logs, run results): without a user name or password written
 * into it (`http://svc:secret@10.0.0.5:8000/v1` → `http://10.0.0.5:8000/v1`). Text that is not a URL
 * is returned as it is.
 */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/+$/, '');
  } catch {
    return url;
  }
}

/**
 * A ModelClient for any OpenAI-compatible chat completions endpoint: undici's request on a keep-alive
 * pool with a per-endpoint concurrency limit, streamed replies read as server-sent events. (The openai
 * SDK did the same at about five times the CPU per call: WHATWG streams, request building and logging
 * an orchestrator pays for on every call.) Retries are left to the caller; every failure is a ModelError.
 */
export class OpenAICompatibleClient implements ModelClient {
  readonly name: string;
  readonly supportsJsonSchema: boolean;
  readonly baseUrl: string;
  private readonly origin: string;
  private readonly path: string;
  private readonly headers: Record<string, string>;
  private readonly agent: Agent;
  private readonly queue: PQueue;
  private readonly timeoutMs: number;
  /** Whether to send `stream_options.include_usage`; off after the endpoint refused it. */
  private streamOptions = true;
  private readonly maxReplyBytes: number;

  constructor(options: OpenAICompatibleOptions) {
    const maxConcurrency = options.maxConcurrency ?? 32;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.name = options.name ?? `openai@${displayUrl(this.baseUrl)}`;
    this.supportsJsonSchema = options.supportsJsonSchema ?? true;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxReplyBytes = options.maxReplyBytes ?? 16 * 1024 * 1024;
    this.agent = new Agent({ connections: maxConcurrency, keepAliveTimeout: 30_000, pipelining: 1 });
    this.queue = new PQueue({ concurrency: maxConcurrency });
    const url = new URL(`${this.baseUrl}/chat/completions`);
    this.origin = url.origin;
    this.path = `${url.pathname}${url.search}`;
    // Local inference servers ignore the key; a hosted one needs it.
    this.headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) };
  }

  /** Calls waiting for a slot. */
  get pending(): number {
    return this.queue.size;
  }

  /** Sends one chat completion, queued behind more urgent calls when the endpoint is saturated. */
  async chat(request: ChatRequest): Promise<ChatResponse> {
    const timeoutMs = request.timeoutMs ?? this.timeoutMs;
    const controller = new AbortController();
    let timedOut = false;
    const onAbort = () => controller.abort(request.signal?.reason);
    if (request.signal?.aborted) onAbort();
    else request.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('timeout'));
    }, timeoutMs);
    try {
      // p-queue runs higher priorities first; the contract says lower is more urgent.
      return await this.queue.add(() => this.send(request, controller.signal), {
        priority: -(request.priority ?? 0),
        signal: controller.signal,
      });
    } catch (error) {
      throw toModelError(error, { endpoint: this.name, timedOut, timeoutMs, aborted: request.signal?.aborted === true });
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Closes pooled connections; calls after this fail. */
  async close(): Promise<void> {
    this.queue.clear();
    await this.agent.close();
  }

  private async send(request: ChatRequest, signal: AbortSignal): Promise<ChatResponse> {
    const params = {
      model: request.model,
      messages: request.messages,
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
      ...(request.responseFormat ? { response_format: request.responseFormat } : {}),
    };
    if (!request.stream) return this.completion(request, await this.post(JSON.stringify(params), signal));
    let res = await this.post(JSON.stringify({ ...params, stream: true, ...(this.streamOptions ? { stream_options: { include_usage: true } } : {}) }), signal, true);
    if (res.statusCode === 400 && this.streamOptions) {
      // A server that refuses stream_options is asked again without it, once and for all.
      const text = await readText(res.body, ERROR_BODY_BYTES, () => this.tooLarge(ERROR_BODY_BYTES));
      if (!STREAM_OPTIONS_REFUSED.test(text)) throw httpFailure(this.name, res.statusCode, res.headers, text);
      this.streamOptions = false;
      res = await this.post(JSON.stringify({ ...params, stream: true }), signal);
    }
    // A server that ignores `stream` answers with one completion.
    if (!String(res.headers['content-type'] ?? '').toLowerCase().includes('text/event-stream')) return this.completion(request, res);
    let text = '';
    let reasoning = '';
    let refusal = '';
    let chunks = 0;
    let first = true;
    let model: string | undefined;
    let finishReason: string | undefined;
    let usage: WireUsage;
    const onData = (data: string) => {
      const chunk = readChunk(JSON.parse(data));
      if (!chunk) throw this.malformed('a stream chunk is not a chat.completion.chunk', data);
      const failure = chunkError(chunk.error);
      if (failure !== undefined) throw new ModelError('server_error', `${this.name}: the stream reported an error: ${failure.slice(0, 300)}`);
      chunks += 1;
      model ??= chunk.model;
      if (chunk.usage) usage = chunk.usage;
      if (chunk.finishReason) finishReason = chunk.finishReason;
      const thought = chunk.reasoning;
      if (thought) reasoning += thought;
      if (chunk.refusal) refusal += chunk.refusal;
      if (chunk.content) {
        text += chunk.content;
        request.onDelta?.(chunk.content);
      }
      if (first && (thought || chunk.content)) {
        first = false;
        request.onFirstToken?.();
      }
    };
    await readEvents(res.body, onData, this.maxReplyBytes, () => this.tooLarge(this.maxReplyBytes));
    if (signal.aborted) throw signal.reason;
    if (chunks === 0) throw this.malformed('the stream ended without any chunk', undefined);
    return this.reply(request, { text, reasoning, refusal: refusal || undefined, model, finishReason, usage });
  }

  /** POSTs a body; a non-2xx status becomes a ModelError (unless `keep400`, for the stream_options check). */
  private async post(body: string, signal: AbortSignal, keep400 = false): Promise<Dispatcher.ResponseData> {
    const res = await this.agent.request({ origin: this.origin, path: this.path, method: 'POST', headers: this.headers, body, signal });
    if (res.statusCode >= 200 && res.statusCode < 300) return res;
    if (keep400 && res.statusCode === 400) return res;
    // Enough of an error reply for its message; a huge one is not read to its end.
    const text = await readText(res.body, ERROR_BODY_BYTES, () => httpFailure(this.name, res.statusCode, res.headers, '(a body larger than 64 KiB)'));
    throw httpFailure(this.name, res.statusCode, res.headers, text);
  }

  private tooLarge(limit: number): ModelError {
    return new ModelError('reply_too_large', `${this.name}: the reply is larger than ${Math.round(limit / 1024)} KiB and was not read further`);
  }

  /** Reads a non-streamed reply. */
  private async completion(request: ChatRequest, res: Dispatcher.ResponseData): Promise<ChatResponse> {
    const raw: unknown = JSON.parse(await readText(res.body, this.maxReplyBytes, () => this.tooLarge(this.maxReplyBytes)));
    const parsed = CompletionShape.safeParse(raw);
    if (!parsed.success) throw this.malformed('the reply is not a chat completion', raw);
    const { message, finish_reason } = parsed.data.choices[0];
    return this.reply(request, {
      text: message.content ?? '',
      reasoning: message.reasoning_content ?? message.reasoning ?? '',
      refusal: message.refusal ?? undefined,
      model: parsed.data.model,
      finishReason: finish_reason ?? undefined,
      usage: parsed.data.usage,
    });
  }

  /** The response, with tokens counted here when the endpoint reported none; a refusal reads as a filtered reply. */
  private async reply(
    request: ChatRequest,
    got: { text: string; reasoning: string; refusal?: string; model?: string; finishReason?: string; usage: WireUsage },
  ): Promise<ChatResponse> {
    const usage = got.usage;
    return {
      text: got.refusal && !got.text ? got.refusal : got.text,
      ...(got.reasoning ? { reasoning: got.reasoning } : {}),
      model: got.model ?? request.model,
      promptTokens: usage ? usage.prompt_tokens : await estimatePromptTokens(request.messages),
      completionTokens: usage ? usage.completion_tokens : await estimateCompletionTokens(got.text, got.reasoning, got.refusal ?? ''),
      ...(usage ? {} : { usageEstimated: true }),
      finishReason: got.refusal ? 'content_filter' : got.finishReason,
    };
  }

  private malformed(what: string, raw: unknown): ModelError {
    const sample = typeof raw === 'string' ? raw.slice(0, 120) : JSON.stringify(raw ?? null).slice(0, 120);
    return new ModelError('malformed_response', `${this.name}: ${what} (HTTP 200, got ${sample})`);
  }
}
