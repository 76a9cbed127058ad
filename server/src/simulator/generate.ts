import { parseJson } from '@shared/json.js';
import type { JsonSchema } from '@shared/json-schema.js';
import type { ChatMessage, ResponseFormat } from '../model/types.js';
import { fnv1a, mulberry32 } from './random.js';
import { valueForSchema, type ValueContext } from './schema-value.js';

/** What the simulator needs to answer: the same fields a chat completion request carries. */
export interface GenerateInput {
  model: string;
  messages: ChatMessage[];
  responseFormat?: ResponseFormat;
}

/** A simulated reply and its token counts. */
export interface Generated {
  text: string;
  /** Reasoning sent apart from the answer, when the simulator is set to send it. */
  reasoning?: string;
  /** The reply is JSON (schema-valid when a schema was given or found in the prompt). */
  json: boolean;
  promptTokens: number;
  completionTokens: number;
}

const CJK = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/;
const CJK_GLOBAL = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/g;
const TURN_ID = /\[(t\d+)\]/g;
const JSON_FENCE = /```json[^\n]*\n([\s\S]*?)```/g;

/**
 * Produces the simulator's reply, deterministic per prompt: the seed is a hash of the model, the messages
 * and the schema. With a schema (response_format json_schema, or a schema in a ```json fence of the
 * prompt) the reply is JSON that validates against it; with json_object and no schema it is
 * `{"result": …}`; otherwise a short text in the prompt's language that says it comes from the simulator.
 */
export function generateReply(input: GenerateInput): Generated {
  // Replies are a pure function of the request: a load test that sends one prompt many times computes
  // it once. Keyed by the schema object (compiled once per node) and the prompt text.
  const format = input.responseFormat;
  const schemaKey: object = format?.type === 'json_schema' ? format.json_schema.schema : NO_SCHEMA;
  let byPrompt = recent.get(schemaKey);
  const promptKey = `${input.model}\u0000${format?.type ?? ''}\u0000${input.messages.map((m) => `${m.role}\u0001${m.content}`).join('\u0000')}`;
  const hit = byPrompt?.get(promptKey);
  if (hit) return { ...hit };
  const reply = generateFresh(input);
  if (!byPrompt) recent.set(schemaKey, (byPrompt = new Map()));
  if (byPrompt.size >= RECENT_PER_SCHEMA) byPrompt.delete(byPrompt.keys().next().value ?? '');
  byPrompt.set(promptKey, reply);
  return { ...reply };
}

/** Recent replies by schema object, then by prompt: a bounded cache (oldest out first). */
const recent = new WeakMap<object, Map<string, Generated>>();
const NO_SCHEMA = {};
const RECENT_PER_SCHEMA = 256;

function generateFresh(input: GenerateInput): Generated {
  const format = input.responseFormat;
  const schema = format?.type === 'json_schema' ? format.json_schema.schema : findSchemaInPrompt(input.messages);
  const wantsJson = schema !== undefined || format?.type === 'json_object';
  const hashParts = [input.model];
  for (const m of input.messages) hashParts.push(m.role, m.content);
  if (wantsJson) hashParts.push(schema ? JSON.stringify(schema) : 'json_object');
  const seed = fnv1a(...hashParts);
  const lastUser = lastUserText(input.messages);
  const cjk = CJK.test(lastUser) || input.messages.some((m) => CJK.test(m.content));
  const ctx: ValueContext = { rng: mulberry32(seed), phrases: phrasesOf(lastUser), turnIds: turnIdsOf(input.messages), cjk };
  let text: string;
  if (schema) text = JSON.stringify(valueForSchema(schema, ctx));
  else if (wantsJson) text = JSON.stringify({ result: textReply(ctx, seed) });
  else text = textReply(ctx, seed);
  return { text, json: wantsJson, promptTokens: promptTokens(input.messages), completionTokens: estimateTokens(text) };
}

/** The simulator's stand-in for a reasoning model's thinking: short, and plainly not a model's. */
export function reasoningFor(input: GenerateInput): string {
  const wantsJson = input.responseFormat !== undefined || findSchemaInPrompt(input.messages) !== undefined;
  const cjk = input.messages.some((m) => CJK.test(m.content));
  if (cjk) return `【模拟推理】先通读对话，找出与问题相关的轮次，再${wantsJson ? '按要求的字段逐项给出结果' : '组织答复'}。（mofang-simulator 生成的推理，并非真实模型的思考）`;
  return `[simulated reasoning] Read the conversation, find the turns that matter, then ${wantsJson ? 'fill each requested field' : 'write the answer'}. (From mofang-simulator, not a real model's thinking.)`;
}

/** A deterministic token estimate: one token per CJK character, about four characters per token otherwise. */
export function estimateTokens(text: string): number {
  if (text.length === 0) return 0;
  const cjk = text.match(CJK_GLOBAL)?.length ?? 0;
  return cjk + Math.ceil((text.length - cjk) / 4);
}

/** Prompt tokens as chat templates count them: the text plus a few per message for the role markers. */
export function promptTokens(messages: ChatMessage[]): number {
  let total = 2;
  for (const m of messages) total += 4 + estimateTokens(m.content);
  return total;
}

/** The last JSON Schema found in a ```json fence of the system or user messages, if any. */
export function findSchemaInPrompt(messages: ChatMessage[]): JsonSchema | undefined {
  let found: JsonSchema | undefined;
  for (const m of messages) {
    if (m.role === 'assistant' || !m.content.includes('```json')) continue;
    for (const match of m.content.matchAll(JSON_FENCE)) {
      const parsed = parseJson(match[1]);
      if (isSchemaLike(parsed)) found = parsed;
    }
  }
  return found;
}

function isSchemaLike(value: unknown): value is JsonSchema {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const type = 'type' in value ? value.type : undefined;
  const knownType = typeof type === 'string' && ['object', 'array', 'string', 'number', 'integer', 'boolean', 'null'].includes(type);
  return knownType || 'properties' in value || 'anyOf' in value;
}

function lastUserText(messages: ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'user') return messages[i].content;
  return messages.length > 0 ? messages[messages.length - 1].content : '';
}

/** Short phrases of a message, without turn markers, role prefixes and code fences. */
function phrasesOf(text: string): string[] {
  const cleaned = text.replace(/```[\s\S]*?```/g, ' ').replace(TURN_ID, ' ');
  const out: string[] = [];
  for (const raw of cleaned.split(/[\n。！？!?；;，,、]+/)) {
    const phrase = raw.replace(/^\s*[^\s：:]{1,12}[：:]\s*/, '').replace(/[{}[\]"`#*]/g, '').trim();
    const length = Array.from(phrase).length;
    if (length >= 2 && length <= 40) out.push(phrase);
    if (out.length >= 64) break;
  }
  return out;
}

function turnIdsOf(messages: ChatMessage[]): string[] {
  const ids = new Set<string>();
  for (const m of messages) {
    if (!m.content.includes('[t')) continue;
    for (const match of m.content.matchAll(TURN_ID)) ids.add(match[1]);
  }
  return [...ids];
}

function textReply(ctx: ValueContext, seed: number): string {
  const code = seed.toString(16).padStart(8, '0').slice(0, 6);
  const phrase = ctx.phrases.length > 0 ? Array.from(ctx.phrases[Math.floor(ctx.rng() * ctx.phrases.length)]).slice(0, 30).join('') : '';
  if (ctx.cjk) {
    return phrase
      ? `【模拟器】已收到：「${phrase}」。这是 mofang-simulator 生成的模拟回复（${code}），并非真实模型的输出。`
      : `【模拟器】这是 mofang-simulator 生成的模拟回复（${code}），并非真实模型的输出。`;
  }
  return phrase
    ? `[simulator] Received: "${phrase}". This is a simulated reply from mofang-simulator (${code}), not a real model's output.`
    : `[simulator] This is a simulated reply from mofang-simulator (${code}), not a real model's output.`;
}
