import { LRUCache } from 'lru-cache';
import RandExp from 'randexp';
import type { JsonSchema } from '@shared/json-schema.js';
import { pick, randInt, type Rng } from './random.js';

/** What the generator knows about the prompt, to make values look like they came from it. */
export interface ValueContext {
  rng: Rng;
  /** Phrases of the last user message, used for free-text strings. */
  phrases: string[];
  /** Turn ids found in the prompt as `[t3]`, used for evidence lists. */
  turnIds: string[];
  /** Chinese prompt: fallback strings are Chinese too. */
  cjk: boolean;
}

const MAX_DEPTH = 12;
/** Generators per regex pattern, the most recently used 256 kept (patterns come from user schemas). */
const patternCache = new LRUCache<string, RandExp>({ max: 256 });

/** A value that validates against the schema (for the subset Mofang uses), drawn from the context's generator. */
export function valueForSchema(schema: JsonSchema, ctx: ValueContext, name = '', depth = 0): unknown {
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return pick(ctx.rng, schema.enum);
  if (Array.isArray(schema.anyOf) && schema.anyOf.length > 0) {
    const nonNull = schema.anyOf.filter((s) => s.type !== 'null');
    return valueForSchema(pick(ctx.rng, nonNull.length > 0 ? nonNull : schema.anyOf), ctx, name, depth);
  }
  const type = schemaType(schema);
  if (depth > MAX_DEPTH) return type === 'null' ? null : type === 'object' ? {} : type === 'array' ? [] : type === 'string' ? 'x' : 0;
  switch (type) {
    case 'object':
      return objectValue(schema, ctx, depth);
    case 'array':
      return arrayValue(schema, ctx, name, depth);
    case 'number':
    case 'integer':
      return numberValue(schema, ctx, name, type === 'integer');
    case 'boolean':
      return ctx.rng() < 0.5;
    case 'null':
      return null;
    default:
      return stringValue(schema, ctx);
  }
}

function schemaType(schema: JsonSchema): string {
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null') ?? 'null';
  if (schema.type) return schema.type;
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  return 'string';
}

function objectValue(schema: JsonSchema, ctx: ValueContext, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const required = new Set(schema.required ?? []);
  for (const [key, propSchema] of Object.entries(schema.properties ?? {})) {
    // Optional properties appear most of the time, so both shapes get exercised.
    if (!required.has(key) && ctx.rng() < 0.25) continue;
    out[key] = valueForSchema(propSchema, ctx, key, depth + 1);
  }
  for (const key of required) {
    if (!(key in out)) {
      const extra = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : {};
      out[key] = valueForSchema(extra, ctx, key, depth + 1);
    }
  }
  return out;
}

function arrayValue(schema: JsonSchema, ctx: ValueContext, name: string, depth: number): unknown[] {
  const min = schema.minItems ?? 0;
  const max = Math.max(min, schema.maxItems ?? min + 3);
  const items = schema.items ?? { type: 'string' };
  if (/evidence|turn/i.test(name) && isPlainString(items)) {
    // Evidence lists point at real turns of the prompt, so a reviewer's one-click check lands somewhere.
    const ids = ctx.turnIds.filter((id) => fitsLength(id, items));
    const high = Math.min(max, ids.length, Math.max(3, min));
    const low = Math.max(min, 1);
    if (low <= high) {
      const count = randInt(ctx.rng, low, high);
      const start = randInt(ctx.rng, 0, ids.length - count);
      return ids.slice(start, start + count);
    }
  }
  const count = randInt(ctx.rng, Math.max(min, Math.min(1, max)), Math.min(max, Math.max(min, 3)));
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) out.push(valueForSchema(items, ctx, name, depth + 1));
  return out;
}

function isPlainString(schema: JsonSchema): boolean {
  return schemaType(schema) === 'string' && !schema.enum && schema.const === undefined && !schema.pattern && !schema.anyOf;
}

function fitsLength(value: string, schema: JsonSchema): boolean {
  const length = Array.from(value).length;
  return length >= (schema.minLength ?? 0) && length <= (schema.maxLength ?? Infinity);
}

function numberValue(schema: JsonSchema, ctx: ValueContext, name: string, integer: boolean): number {
  let lo = schema.minimum ?? (typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : undefined);
  let hi = schema.maximum ?? (typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum : undefined);
  if (/confidence/i.test(name) && !integer) {
    lo = Math.max(lo ?? 0.55, 0.55);
    hi = Math.min(hi ?? 0.99, 0.99);
    if (hi < lo) [lo, hi] = [schema.minimum ?? lo, schema.maximum ?? hi];
  }
  const low = lo ?? (hi !== undefined ? hi - 100 : 0);
  const high = hi ?? low + 100;
  const exclusiveLow = typeof schema.exclusiveMinimum === 'number' && low <= schema.exclusiveMinimum;
  const exclusiveHigh = typeof schema.exclusiveMaximum === 'number' && high >= schema.exclusiveMaximum;
  if (integer) {
    const a = Math.ceil(low) + (exclusiveLow && Number.isInteger(low) ? 1 : 0);
    const b = Math.floor(high) - (exclusiveHigh && Number.isInteger(high) ? 1 : 0);
    return randInt(ctx.rng, a, Math.max(a, b));
  }
  let value = Math.round((low + ctx.rng() * (high - low)) * 100) / 100;
  if (value < low || (exclusiveLow && value === low)) value = exclusiveLow ? (low + high) / 2 : low;
  if (value > high || (exclusiveHigh && value === high)) value = exclusiveHigh ? (low + high) / 2 : high;
  return value;
}

function stringValue(schema: JsonSchema, ctx: ValueContext): string {
  if (typeof schema.pattern === 'string') {
    const generated = patternValue(schema.pattern, schema, ctx);
    if (generated !== undefined) return generated;
  }
  const format = typeof schema.format === 'string' ? formatValue(schema.format, ctx) : undefined;
  if (format !== undefined) return format;
  const fallback = ctx.cjk ? '模拟值' : 'simulated value';
  const base = ctx.phrases.length > 0 ? pick(ctx.rng, ctx.phrases) : fallback;
  return fitLength(base, schema.minLength ?? 0, schema.maxLength);
}

function patternValue(pattern: string, schema: JsonSchema, ctx: ValueContext): string | undefined {
  let gen = patternCache.get(pattern);
  if (!gen) {
    try {
      gen = new RandExp(pattern);
    } catch {
      return undefined;
    }
    gen.max = 8;
    patternCache.set(pattern, gen);
  }
  const rng = ctx.rng;
  gen.randInt = (a: number, b: number) => randInt(rng, a, b);
  for (let attempt = 0; attempt < 5; attempt++) {
    const value = gen.gen();
    if (fitsLength(value, schema)) return value;
  }
  return gen.gen();
}

function formatValue(format: string, ctx: ValueContext): string | undefined {
  const day = randInt(ctx.rng, 1, 28).toString().padStart(2, '0');
  const month = randInt(ctx.rng, 1, 12).toString().padStart(2, '0');
  switch (format) {
    case 'date':
      return `2025-${month}-${day}`;
    case 'date-time':
      return `2025-${month}-${day}T10:${randInt(ctx.rng, 10, 59)}:00Z`;
    case 'time':
      return `10:${randInt(ctx.rng, 10, 59)}:00Z`;
    case 'email':
      return `user${randInt(ctx.rng, 1, 999)}@example.com`;
    case 'uri':
    case 'url':
      return `https://example.com/${randInt(ctx.rng, 1, 999)}`;
    case 'uuid':
      return '00000000-0000-4000-8000-' + randInt(ctx.rng, 0, 0xffffff).toString(16).padStart(12, '0');
    default:
      return undefined;
  }
}

/** Cuts or repeats a string (by code points) to fit between min and max length. */
function fitLength(text: string, min: number, max: number | undefined): string {
  let chars = Array.from(text);
  if (chars.length === 0) chars = ['x'];
  while (chars.length < min) chars = chars.concat(chars);
  if (max !== undefined && chars.length > max) chars = chars.slice(0, max);
  return chars.slice(0, Math.max(min, Math.min(chars.length, max ?? chars.length))).join('');
}
