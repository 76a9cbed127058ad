import OpenAI, { APIError } from 'openai';
import PQueue from 'p-queue';
import { Agent } from 'undici';
import { z } from 'zod';
import { toModelError } from './openai-errors.js';
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
}

const UsageShape = z.looseObject({ prompt_tokens: z.number(), completion_tokens: z.number() }).nullish();

/** Reasoning apart from the content: `reasoning_content` (vLLM, SGLang, DeepSeek) or `reasoning` (newer vLLM, Ollama, OpenRouter). */
const reasoningFields = { reasoning_content: z.string().nullish(), reasoning: z.string().nullish() };

const CompletionShape = z.looseObject({
  model: z.string().optional(),
  choices: z
    .array(
      z.looseObject({
        // OpenAI answers a refused structured output with `refusal` and null content.
        message: z.looseObject({ content: z.string().nullish(), refusal: z.string().nullish(), ...reasoningFields }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: UsageShape,
});

const ChunkShape = z.looseObject({
  model: z.string().optional(),
  choices: z
    .array(z.looseObject({ delta: z.looseObject({ content: z.string().nullish(), refusal: z.string().nullish(), ...reasoningFields }).nullish(), finish_reason: z.string().nullish() }))
    .nullish(),
  usage: UsageShape,
});

/**
 * A ModelClient for any OpenAI-compatible chat completions endpoint, built on the openai SDK with a
 * keep-alive connection pool and a per-endpoint concurrency limit. Retries are left to the caller
 * (the SDK's own are off), and every failure is a ModelError.
 */
export class OpenAICompatibleClient implements ModelClient {
  readonly name: string;
  readonly supportsJsonSchema: boolean;
  readonly baseUrl: string;
  private readonly sdk: OpenAI;
  private readonly agent: Agent;
  private readonly queue: PQueue;
  private readonly timeoutMs: number;
  /** Whether to send `stream_options.include_usage`; off after the endpoint refused it. */
  private streamOptions = true;

  constructor(options: OpenAICompatibleOptions) {
    const maxConcurrency = options.maxConcurrency ?? 32;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.name = options.name ?? `openai@${this.baseUrl}`;
    this.supportsJsonSchema = options.supportsJsonSchema ?? true;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.agent = new Agent({ connections: maxConcurrency, keepAliveTimeout: 30_000, pipelining: 1 });
    this.queue = new PQueue({ concurrency: maxConcurrency });
    this.sdk = new OpenAI({
      baseURL: this.baseUrl,
      // Local inference servers ignore the key, but the SDK insists on one.
      apiKey: options.apiKey || 'mofang-no-key',
      maxRetries: 0,
      timeout: this.timeoutMs,
      logLevel: 'off',
      fetchOptions: { dispatcher: this.agent },
    });
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
      return await this.queue.add(() => this.send(request, controller.signal, timeoutMs), {
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

  private async send(request: ChatRequest, signal: AbortSignal, timeoutMs: number): Promise<ChatResponse> {
    const params = {
      model: request.model,
      messages: request.messages,
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
      ...(request.responseFormat ? { response_format: request.responseFormat } : {}),
    };
    const options = { signal, timeout: timeoutMs + 1000 };
    if (!request.stream) {
      const raw: unknown = await this.sdk.chat.completions.create({ ...params, stream: false }, options);
      const parsed = CompletionShape.safeParse(raw);
      if (!parsed.success) throw this.malformed('the reply is not a chat completion', raw);
      const { message, finish_reason } = parsed.data.choices[0];
      const reasoning = message.reasoning_content ?? message.reasoning ?? '';
      return this.reply(request, {
        text: message.content ?? '',
        reasoning,
        refusal: message.refusal ?? undefined,
        model: parsed.data.model,
        finishReason: finish_reason ?? undefined,
        usage: parsed.data.usage,
      });
    }
    let stream;
    try {
      // Ask for the usage chunk; a server that rejects the option is asked again without it, once and for all.
      stream = await this.sdk.chat.completions.create({ ...params, stream: true, ...(this.streamOptions ? { stream_options: { include_usage: true } } : {}) }, options);
    } catch (error) {
      if (!this.streamOptions || !(error instanceof APIError) || error.status !== 400 || !/stream_options|include_usage/i.test(error.message)) throw error;
      this.streamOptions = false;
      stream = await this.sdk.chat.completions.create({ ...params, stream: true }, options);
    }
    let text = '';
    let reasoning = '';
    let refusal = '';
    let chunks = 0;
    let first = true;
    let model: string | undefined;
    let finishReason: string | undefined;
    let usage: z.infer<typeof UsageShape>;
    for await (const rawChunk of stream) {
      const chunk = ChunkShape.safeParse(rawChunk);
      if (!chunk.success) throw this.malformed('a stream chunk is not a chat.completion.chunk', rawChunk);
      chunks += 1;
      model ??= chunk.data.model;
      if (chunk.data.usage) usage = chunk.data.usage;
      const choice = chunk.data.choices?.[0];
      if (choice?.finish_reason) finishReason = choice.finish_reason;
      const delta = choice?.delta;
      const thought = delta?.reasoning_content ?? delta?.reasoning;
      if (thought) reasoning += thought;
      if (delta?.refusal) refusal += delta.refusal;
      if (delta?.content) {
        text += delta.content;
        request.onDelta?.(delta.content);
      }
      if (first && (thought || delta?.content)) {
        first = false;
        request.onFirstToken?.();
      }
    }
    // The SDK ends the iteration quietly when the request is aborted: that is not a finished reply.
    if (signal.aborted) throw signal.reason;
    if (chunks === 0) throw this.malformed('the stream ended without any chunk', undefined);
    return this.reply(request, { text, reasoning, refusal: refusal || undefined, model, finishReason, usage });
  }

  /** The response, with tokens counted here when the endpoint reported none; a refusal reads as a filtered reply. */
  private reply(
    request: ChatRequest,
    got: { text: string; reasoning: string; refusal?: string; model?: string; finishReason?: string; usage: z.infer<typeof UsageShape> },
  ): ChatResponse {
    const usage = got.usage;
    return {
      text: got.refusal && !got.text ? got.refusal : got.text,
      ...(got.reasoning ? { reasoning: got.reasoning } : {}),
      model: got.model ?? request.model,
      promptTokens: usage ? usage.prompt_tokens : estimatePromptTokens(request.messages),
      completionTokens: usage ? usage.completion_tokens : estimateCompletionTokens(got.text, got.reasoning, got.refusal ?? ''),
      ...(usage ? {} : { usageEstimated: true }),
      finishReason: got.refusal ? 'content_filter' : got.finishReason,
    };
  }

  private malformed(what: string, raw: unknown): ModelError {
    const sample = typeof raw === 'string' ? raw.slice(0, 120) : JSON.stringify(raw ?? null).slice(0, 120);
    return new ModelError('malformed_response', `${this.name}: ${what} (HTTP 200, got ${sample})`);
  }
}
