/**
 * The OpenAI chat-completions wire format as Mofang reads it: the shapes of a completion and of a stream
 * chunk (loose: servers add fields of their own, and a field Mofang only reads when it is text may be
 * anything else), the server-sent events a streamed reply arrives in, and a cap on what is read.
 */
import type { Readable } from 'node:stream';
import { createParser } from 'eventsource-parser';
import { z } from 'zod';

export const UsageShape = z.looseObject({ prompt_tokens: z.number(), completion_tokens: z.number() }).nullish().catch(null);
export type WireUsage = z.infer<typeof UsageShape>;

/** Text when it is text; anything else (a server's own structure) reads as nothing. */
const text = z.unknown().transform((v) => (typeof v === 'string' ? v : undefined)).optional();

/** Reasoning apart from the content: `reasoning_content` (vLLM, SGLang, DeepSeek) or `reasoning` (newer vLLM, Ollama, OpenRouter). */
const reasoningFields = { reasoning_content: text, reasoning: text };

export const CompletionShape = z.looseObject({
  model: text,
  choices: z
    .array(
      z.looseObject({
        // OpenAI answers a refused structured output with `refusal` and null content.
        message: z.looseObject({ content: z.string().nullish(), refusal: text, ...reasoningFields }),
        finish_reason: text,
      }),
    )
    .min(1),
  usage: UsageShape,
});

export const ChunkShape = z.looseObject({
  model: text,
  choices: z.array(z.looseObject({ delta: z.looseObject({ content: z.string().nullish(), refusal: text, ...reasoningFields }).nullish(), finish_reason: text })).nullish(),
  usage: UsageShape,
  /** vLLM and others report a failure that happens mid-stream as a chunk with an error (an object, or just text). */
  error: z.unknown().optional(),
});
export type WireChunk = z.infer<typeof ChunkShape>;

/** What Mofang reads of a stream chunk: {@link ChunkShape}'s output, without the fields it passes through unread. */
export interface ChunkFields {
  model?: string;
  usage: WireUsage;
  finishReason?: string;
  content?: string | null;
  refusal?: string;
  reasoning?: string;
  error?: unknown;
}

const textOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Reads a parsed stream chunk as {@link ChunkShape} does (the same fields, the same values: the
 * equivalence is tested), by hand, because a reply streams one chunk per token and a schema parse per
 * chunk cost more than the rest of the call. Undefined when ChunkShape would reject it.
 */
export function readChunk(value: unknown): ChunkFields | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const choices = v.choices;
  let first: Record<string, unknown> | undefined;
  let delta: Record<string, unknown> | null | undefined;
  if (choices !== undefined && choices !== null) {
    if (!Array.isArray(choices)) return undefined;
    for (let i = 0; i < choices.length; i++) {
      const choice: unknown = choices[i];
      if (typeof choice !== 'object' || choice === null || Array.isArray(choice)) return undefined;
      const d: unknown = (choice as Record<string, unknown>).delta;
      if (d !== undefined && d !== null) {
        if (typeof d !== 'object' || Array.isArray(d)) return undefined;
        const content: unknown = (d as Record<string, unknown>).content;
        if (content !== undefined && content !== null && typeof content !== 'string') return undefined;
      }
      if (i === 0) {
        first = choice as Record<string, unknown>;
        delta = d as Record<string, unknown> | null | undefined;
      }
    }
  }
  const u = v.usage;
  const usage = u === undefined ? undefined : typeof u === 'object' && u !== null && typeof Reflect.get(u, 'prompt_tokens') === 'number' && typeof Reflect.get(u, 'completion_tokens') === 'number' ? (u as NonNullable<WireUsage>) : null;
  return {
    model: textOf(v.model),
    usage,
    finishReason: textOf(first?.finish_reason),
    content: delta ? (delta.content as string | null | undefined) : undefined,
    refusal: delta ? textOf(delta.refusal) : undefined,
    reasoning: delta ? (textOf(delta.reasoning_content) ?? textOf(delta.reasoning)) : undefined,
    error: v.error,
  };
}

/** The message of a mid-stream error, whatever its shape; undefined when there is none. */
export function chunkError(error: unknown): string | undefined {
  if (error === undefined || error === null) return undefined;
  if (typeof error === 'string') return error;
  const message = typeof error === 'object' ? Reflect.get(error, 'message') : undefined;
  return typeof message === 'string' ? message : JSON.stringify(error).slice(0, 300);
}

/** How long to wait for the end of a response after `[DONE]` before letting the connection go, ms. */
const AFTER_DONE_MS = 100;

/**
 * Reads a `text/event-stream` body and calls `onData` with each event's data until `[DONE]` or the end
 * (SSE framing by eventsource-parser: comments, multi-line data and CRLF as the spec says; an event with
 * no data is not dispatched). A server that keeps the response open after `[DONE]` is let go after a
 * moment, the reply complete. More than `maxBytes` rejects with `tooLarge()`; so does anything `onData` throws.
 */
export function readEvents(body: Readable, onData: (data: string) => void, maxBytes: number, tooLarge: () => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    let size = 0;
    let settled = false;
    let lingering: ReturnType<typeof setTimeout> | undefined;
    const decoder = new TextDecoder();
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      if (lingering) clearTimeout(lingering);
      if (!body.readableEnded) body.destroy();
      if (error === undefined) resolve();
      else reject(error);
    };
    const parser = createParser({
      onEvent: (event) => {
        if (settled || event.data === '') return;
        if (event.data === '[DONE]') {
          lingering ??= setTimeout(() => finish(), AFTER_DONE_MS);
          return;
        }
        try {
          onData(event.data);
        } catch (error) {
          finish(error);
        }
      },
    });
    body.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBytes) return finish(tooLarge());
      parser.feed(decoder.decode(chunk, { stream: true }));
    });
    body.on('end', () => finish());
    body.on('error', (error) => finish(error));
  });
}

/** Reads a whole body as text, refusing more than `maxBytes` with `tooLarge()`. */
export async function readText(body: Readable, maxBytes: number, tooLarge: () => Error): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
