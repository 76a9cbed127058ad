import type { ValidateFunction } from 'ajv';
import type { JsonSchema } from '@shared/json-schema.js';
import { ModelSettingsLimits } from '@shared/nodes/kit.js';
import { coerceToSchema, emptyNotes, forModel, type CoerceNotes } from '../model/reply/coerce.js';
import { jsonValues } from '../model/reply/json-value.js';
import { ModelError, type ChatMessage, type ChatResponse } from '../model/types.js';
import { compileCoercingSchema, schemaProblems } from '../common/validation.js';
import { schemaInPrompt, repairPrompt } from './structured-prompts.js';
import { NodeError, type ExecContext } from './kit.js';

/** A structured output prepared once, at compile time: the schema to read replies by and the one sent. */
export interface StructuredOutput {
  /** What a reply must match; may carry `x-mofang-aliases` for names the model may use. */
  schema: JsonSchema;
  /** The schema as sent to the endpoint (Mofang's own keywords removed). */
  modelSchema: JsonSchema;
  /** Validates with Ajv's scalar coercion, in place. */
  validate: ValidateFunction;
  /** Sent as `json_schema.name`. */
  name: string;
}

/**
 * Prepares a structured output for a node kind's compile step. `sent`, when given, is what the model is
 * asked for where it differs from what a reply must match (a form whose values are checked one by one).
 */
export function structuredOutput(schema: JsonSchema, name: string, sent: JsonSchema = schema): StructuredOutput {
  return { schema, modelSchema: forModel(sent), validate: compileCoercingSchema(schema), name };
}

export interface StructuredRequest {
  model: string;
  /** Tried when `model`'s endpoint fails (see {@link ExecContext.chat}). */
  fallbackModel?: string;
  messages: ChatMessage[];
  output: StructuredOutput;
  temperature?: number;
  maxTokens?: number;
}

type Reading = { ok: true; value: unknown; notes: CoerceNotes; repaired: boolean } | { ok: false; problem: string };

/**
 * Asks for a JSON value that matches the schema (through `response_format: json_schema` where the
 * endpoint has it, else with the schema in the prompt) and reads the reply by one policy for every kind:
 * the reasoning is never read (the model call has set it apart); the answer's last complete JSON value
 * that matches wins over earlier ones; values are brought to the schema ({@link coerceToSchema}, then
 * Ajv's coercion). A reply stopped by max_tokens is asked again once with twice the limit, then fails as
 * `truncated`; a reply that does not match gets one repair round with the problems before the node fails
 * (`model_output_invalid`, retryable). What was dropped, coerced or repaired becomes a warning in the trace.
 */
export async function chatStructured(ctx: ExecContext, request: StructuredRequest): Promise<{ value: unknown; raw: string }> {
  const { output } = request;
  const native = ctx.supportsJsonSchema(request.model);
  const messages = native ? request.messages : schemaInPrompt(request.messages, output.modelSchema);
  const base = {
    model: request.model,
    fallbackModel: request.fallbackModel,
    temperature: request.temperature,
    maxTokens: request.maxTokens,
    responseFormat: native ? { type: 'json_schema' as const, json_schema: { name: output.name, schema: output.modelSchema, strict: false } } : undefined,
  };
  let reply = await ctx.chat({ ...base, messages });
  if (reply.finishReason === 'length') {
    const limit = request.maxTokens ?? ModelSettingsLimits.defaultMaxTokens;
    const larger = Math.min(ModelSettingsLimits.maxTokens, limit * 2);
    reply = await ctx.chat({ ...base, maxTokens: larger, messages });
    if (reply.finishReason === 'length') return keepOrTruncated(ctx, reply, output, larger);
  }
  const first = read(reply.text, output);
  if (first.ok) return accept(ctx, first, reply.text);

  const repair: ChatMessage[] = [...messages, { role: 'assistant', content: reply.text }, { role: 'user', content: repairPrompt(first.problem) }];
  const second = await ctx.chat({ ...base, messages: repair });
  const reread = read(second.text, output);
  if (reread.ok) return accept(ctx, reread, second.text);
  if (second.finishReason === 'length') throw truncated(request.maxTokens ?? ModelSettingsLimits.defaultMaxTokens);
  throw new NodeError('model_output_invalid', `the model's reply did not match the expected JSON after one repair round: ${reread.problem}`, {
    retryable: true,
    details: { raw: second.text.slice(0, 2000) },
  });
}

/** A reply stopped at max_tokens twice: its JSON is used only if a complete, matching value is there. */
function keepOrTruncated(ctx: ExecContext, reply: ChatResponse, output: StructuredOutput, maxTokens: number): { value: unknown; raw: string } {
  const reading = read(reply.text, output);
  if (!reading.ok) throw truncated(maxTokens);
  ctx.warn({ code: 'truncated', message: `the reply stopped at max_tokens (${maxTokens}) after its JSON was complete`, details: { max_tokens: maxTokens } });
  return accept(ctx, reading, reply.text);
}

function truncated(maxTokens: number): ModelError {
  return new ModelError(
    'truncated',
    `the reply was cut off at max_tokens (${maxTokens}, after a retry with twice the node's limit) before its JSON was complete; raise the node's maxTokens, or shorten the input`,
  );
}

function accept(ctx: ExecContext, reading: Extract<Reading, { ok: true }>, raw: string): { value: unknown; raw: string } {
  const { dropped, coerced } = reading.notes;
  if (dropped.length > 0) ctx.warn({ code: 'keys_dropped', message: `keys the schema does not have were dropped: ${dropped.join(', ')}`, details: { keys: dropped } });
  if (coerced.length > 0) ctx.warn({ code: 'values_coerced', message: `values were read to fit the schema: ${coerced.join(', ')}`, details: { paths: coerced } });
  if (reading.repaired) ctx.warn({ code: 'reply_repaired', message: 'the JSON needed its syntax repaired (quotes, commas or literals) before it could be read' });
  return { value: reading.value, raw };
}

/**
 * Reads an answer: its JSON values, last first (and, for each, the value inside a one-key wrapper such
 * as `{"result": {…}}`), the first that matches after coercion. Otherwise the problem with the last one.
 */
export function read(answer: string, output: StructuredOutput): Reading {
  let problem: string | undefined;
  for (const found of jsonValues(answer)) {
    for (const candidate of [found.value, ...unwrapped(found.value)]) {
      const notes = emptyNotes();
      const value = coerceToSchema(candidate, output.schema, notes);
      if (notes.problems.length > 0) {
        problem ??= notes.problems.map((p) => `${p} is null`).join('; ');
        continue;
      }
      if (output.validate(value)) return { ok: true, value, notes, repaired: found.repaired };
      problem ??= schemaProblems(output.validate.errors)
        .slice(0, 5)
        .map((p) => `${p.path} ${p.message}`)
        .join('; ');
    }
  }
  return { ok: false, problem: problem ?? 'the reply has no JSON object' };
}

function unwrapped(value: unknown): unknown[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const entries = Object.values(value);
  return entries.length === 1 && typeof entries[0] === 'object' && entries[0] !== null ? [entries[0]] : [];
}
