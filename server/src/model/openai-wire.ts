/**
 * The OpenAI chat-completions wire format as Mofang reads it: the shapes of a completion and of a stream
 * chunk (loose: servers add fields of their own), and the server-sent events a streamed reply arrives in.
 */
import { createParser } from 'eventsource-parser';
import { z } from 'zod';

export const UsageShape = z.looseObject({ prompt_tokens: z.number(), completion_tokens: z.number() }).nullish();
export type WireUsage = z.infer<typeof UsageShape>;

/** Reasoning apart from the content: `reasoning_content` (vLLM, SGLang, DeepSeek) or `reasoning` (newer vLLM, Ollama, OpenRouter). */
const reasoningFields = { reasoning_content: z.string().nullish(), reasoning: z.string().nullish() };

export const CompletionShape = z.looseObject({
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

export const ChunkShape = z.looseObject({
  model: z.string().optional(),
  choices: z
    .array(z.looseObject({ delta: z.looseObject({ content: z.string().nullish(), refusal: z.string().nullish(), ...reasoningFields }).nullish(), finish_reason: z.string().nullish() }))
    .nullish(),
  usage: UsageShape,
  /** vLLM and others report a failure that happens mid-stream as a chunk with an error. */
  error: z.looseObject({ message: z.string().optional() }).nullish(),
});
export type WireChunk = z.infer<typeof ChunkShape>;

/**
 * Reads a `text/event-stream` body and calls `onData` with each event's data until `[DONE]` or the end
 * (SSE framing by eventsource-parser: comments, multi-line data and CRLF handled as the spec says).
 */
export async function readEvents(body: AsyncIterable<Uint8Array>, onData: (data: string) => void): Promise<void> {
  let done = false;
  const parser = createParser({
    onEvent: (event) => {
      if (done) return;
      if (event.data === '[DONE]') done = true;
      else onData(event.data);
    },
  });
  const decoder = new TextDecoder();
  // Read to the end even after [DONE], so the connection goes back to the pool instead of being cut.
  for await (const piece of body) parser.feed(decoder.decode(piece, { stream: true }));
}
