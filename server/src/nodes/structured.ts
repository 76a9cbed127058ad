import type { ValidateFunction } from 'ajv';
import type { JsonSchema } from '@shared/json-schema.js';
import type { ChatMessage, ChatResponse } from '../model/types.js';
import { schemaProblems } from '../engine/validation.js';
import { NodeError, type ExecContext } from './kit.js';

export interface StructuredRequest {
  model: string;
  messages: ChatMessage[];
  schema: JsonSchema;
  validate: ValidateFunction;
  /** A short name for the schema, sent as `json_schema.name`. */
  name: string;
  temperature?: number;
  maxTokens?: number;
}

/**
 * Asks for a JSON object that matches the schema: through `response_format: json_schema` where the
 * endpoint has it, else with the schema in the prompt. Fenced or chatty replies are parsed; an invalid
 * reply gets one repair round with the validation errors before the node fails.
 */
export async function chatStructured(ctx: ExecContext, request: StructuredRequest): Promise<{ value: unknown; raw: string }> {
  const native = ctx.supportsJsonSchema(request.model);
  const messages = native ? request.messages : withSchemaInPrompt(request.messages, request.schema);
  const base = {
    model: request.model,
    temperature: request.temperature,
    maxTokens: request.maxTokens,
    responseFormat: native ? { type: 'json_schema' as const, json_schema: { name: request.name, schema: request.schema, strict: false } } : undefined,
  };
  const first = await ctx.chat({ ...base, messages });
  const checked = check(first, request.validate);
  if (checked.ok) return { value: checked.value, raw: first.text };

  const repair: ChatMessage[] = [
    ...messages,
    { role: 'assistant', content: first.text },
    {
      role: 'user',
      content: `上面的回复不符合要求：${checked.problem}。请只输出修正后的 JSON 对象，不要任何解释。\nThe reply above is not valid: ${checked.problem}. Reply with only the corrected JSON object.`,
    },
  ];
  const second = await ctx.chat({ ...base, messages: repair });
  const rechecked = check(second, request.validate);
  if (rechecked.ok) return { value: rechecked.value, raw: second.text };
  throw new NodeError('model_output_invalid', `the model's reply did not match the expected JSON after one repair round: ${rechecked.problem}`, {
    retryable: true,
    details: { raw: second.text.slice(0, 2000) },
  });
}

function check(response: ChatResponse, validate: ValidateFunction): { ok: true; value: unknown } | { ok: false; problem: string } {
  const parsed = parseJsonReply(response.text);
  if (!parsed.ok) return { ok: false, problem: 'not JSON' };
  if (validate(parsed.value)) return { ok: true, value: parsed.value };
  const problems = schemaProblems(validate.errors);
  return { ok: false, problem: problems.slice(0, 5).map((p) => `${p.path} ${p.message}`).join('; ') };
}

function withSchemaInPrompt(messages: ChatMessage[], schema: JsonSchema): ChatMessage[] {
  const instruction = `只输出一个符合以下 JSON Schema 的 JSON 对象，不要输出其他内容。\nReply with only a JSON object that conforms to this JSON Schema:\n\`\`\`json\n${JSON.stringify(schema)}\n\`\`\``;
  const [first, ...rest] = messages;
  if (first?.role === 'system') return [{ role: 'system', content: `${first.content}\n\n${instruction}` }, ...rest];
  return [{ role: 'system', content: instruction }, ...messages];
}

/**
 * Reads a JSON value from a model reply: plain JSON, a ```json fenced block, or the first balanced
 * `{…}` / `[…]` inside chatty text.
 */
export function parseJsonReply(text: string): { ok: true; value: unknown } | { ok: false } {
  const attempts: string[] = [text.trim()];
  const fence = /```(?:json|JSON)?\s*\n?([\s\S]*?)```/.exec(text);
  if (fence) attempts.push(fence[1].trim());
  const balanced = firstBalanced(text);
  if (balanced) attempts.push(balanced);
  for (const candidate of attempts) {
    if (!candidate) continue;
    try {
      return { ok: true, value: JSON.parse(candidate) };
    } catch {
      // try the next reading
    }
  }
  return { ok: false };
}

function firstBalanced(text: string): string | null {
  const start = text.search(/[{[]/);
  if (start < 0) return null;
  const open = text[start];
  const close = open === '{' ? '}' : ']';
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === open) depth++;
    else if (ch === close && --depth === 0) return text.slice(start, i + 1);
  }
  return null;
}
