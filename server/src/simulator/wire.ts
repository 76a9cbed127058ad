import { z } from 'zod';
import type { ChatMessage, ResponseFormat } from '../model/types.js';
import { SIMULATOR_MODEL } from './config.js';
import type { Generated } from './generate.js';

const ContentPart = z.looseObject({ type: z.string(), text: z.string().optional() });

const WireMessage = z.looseObject({
  role: z.string(),
  content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
});

const JsonSchemaObject = z.record(z.string(), z.unknown());

const WireResponseFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({ name: z.string().default('output'), schema: JsonSchemaObject.default({}), strict: z.boolean().nullish() }),
  }),
]);

/** The parts of an OpenAI chat completion request body the simulator reads; other fields are accepted and ignored. */
export const ChatBodySchema = z.looseObject({
  model: z.string().optional(),
  messages: z.array(WireMessage).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  response_format: WireResponseFormat.nullish(),
});

export type ChatBody = z.infer<typeof ChatBodySchema>;

/** Wire messages as the generator sees them: three roles, text content. */
export function toChatMessages(body: ChatBody): ChatMessage[] {
  return body.messages.map((m) => {
    const role = m.role === 'system' || m.role === 'developer' ? 'system' : m.role === 'assistant' ? 'assistant' : 'user';
    const content = typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => p.text ?? '').join('');
    return { role, content };
  });
}

/** The request's response_format in the model contract's shape. */
export function toResponseFormat(body: ChatBody): ResponseFormat | undefined {
  const format = body.response_format;
  if (!format) return undefined;
  if (format.type === 'json_schema') return { type: 'json_schema', json_schema: { name: format.json_schema.name, schema: format.json_schema.schema } };
  return { type: format.type };
}

/** A non-streamed chat.completion body. */
export function completionBody(id: string, created: number, reply: Generated) {
  return {
    id,
    object: 'chat.completion',
    created,
    model: SIMULATOR_MODEL,
    system_fingerprint: SIMULATOR_MODEL,
    choices: [{ index: 0, message: { role: 'assistant', content: reply.text, ...(reply.reasoning ? { reasoning_content: reply.reasoning } : {}) }, logprobs: null, finish_reason: 'stop' }],
    usage: usageOf(reply),
  };
}

/** One chat.completion.chunk as an SSE `data:` line. */
export function chunkLine(id: string, created: number, delta: Record<string, string>, finishReason: string | null, includeUsage: boolean): string {
  const chunk = {
    id,
    object: 'chat.completion.chunk',
    created,
    model: SIMULATOR_MODEL,
    system_fingerprint: SIMULATOR_MODEL,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

/** The final usage chunk sent when stream_options.include_usage is true. */
export function usageLine(id: string, created: number, reply: Generated): string {
  const chunk = { id, object: 'chat.completion.chunk', created, model: SIMULATOR_MODEL, system_fingerprint: SIMULATOR_MODEL, choices: [], usage: usageOf(reply) };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

function usageOf(reply: Generated) {
  return { prompt_tokens: reply.promptTokens, completion_tokens: reply.completionTokens, total_tokens: reply.promptTokens + reply.completionTokens };
}

/** An OpenAI-style error body. */
export function errorBody(message: string, type: string, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}
