import { allowsNull, isAnySchema, type JsonSchema } from '@shared/json-schema.js';

/**
 * Names a model may use for an enum value or a property, keyed by the alias (matched without regard to
 * case or surrounding space), valued by the canonical value or key: class names for class ids, audit
 * item names for item ids, 通过 for `pass`. Only for reading replies; {@link forModel} strips it.
 */
export const ALIASES = 'x-mofang-aliases';

/** What reading a reply changed, by JSON path (`form.phone`, `greeting.result`), for the trace. */
export interface CoerceNotes {
  /** Keys the schema does not have, dropped. */
  dropped: string[];
  /** Values read differently from how they were written (a percentage, a class name, "是"). */
  coerced: string[];
  /** Values that cannot stand: null where the schema has no null and the key is required. */
  problems: string[];
}

export function emptyNotes(): CoerceNotes {
  return { dropped: [], coerced: [], problems: [] };
}

const TRUE_WORDS = new Set(['true', 'yes', 'y', '是', '对', '有', '真']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '否', '不是', '无', '没有', '假']);

/**
 * Brings a parsed reply toward the schema the way a reader would, before validation with ajv's own type
 * coercion (numeric strings to numbers, "true" to true, numbers to strings): unknown keys are dropped
 * where the schema allows no others; enum values match without regard to case, and by alias; keys match
 * by alias and case; a percentage (e.g. 90 or "90%") becomes a fraction where the schema's range is 0–1;
 * 是/否 and yes/no become booleans; full-width digits become ASCII; a scalar where a list belongs becomes
 * a list of one; an optional key holding null is removed, and a missing key whose value may be null is
 * null. Returns the new value; `notes` says what changed.
 */
export function coerceToSchema(value: unknown, schema: JsonSchema, notes: CoerceNotes, path = ''): unknown {
  if (isAnySchema(schema)) return value;
  if (schema.anyOf) {
    if (value === null && allowsNull(schema)) return null;
    const options = schema.anyOf.filter((o) => o.type !== 'null');
    return options.length === 1 ? coerceToSchema(value, options[0], notes, path) : value;
  }
  if (Array.isArray(schema.enum)) return enumValue(value, schema, notes, path);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (value === null) return value;
  switch (type) {
    case 'object':
      return objectValue(value, schema, notes, path);
    case 'array':
      return arrayValue(value, schema, notes, path);
    case 'number':
    case 'integer':
      return numberValue(value, schema, notes, path);
    case 'boolean':
      return booleanValue(value, notes, path);
    default:
      return value;
  }
}

function note(list: string[], path: string): void {
  list.push(path || '(root)');
}

function join(path: string, key: string | number): string {
  return path ? `${path}.${key}` : String(key);
}

/** Per schema object, computed once: its aliases and its property names, folded for matching. */
const lookups = new WeakMap<JsonSchema, { aliases: Map<string, string>; keys: Map<string, string> }>();

function lookupsOf(schema: JsonSchema): { aliases: Map<string, string>; keys: Map<string, string> } {
  let found = lookups.get(schema);
  if (!found) {
    const raw = schema[ALIASES];
    const aliases = new Map<string, string>();
    if (raw && typeof raw === 'object') for (const [alias, canonical] of Object.entries(raw)) if (typeof canonical === 'string') aliases.set(fold(alias), canonical);
    const keys = new Map(Object.keys(schema.properties ?? {}).map((k) => [fold(k), k]));
    lookups.set(schema, (found = { aliases, keys }));
  }
  return found;
}

function fold(text: string): string {
  return text.normalize('NFKC').trim().toLowerCase();
}

function enumValue(value: unknown, schema: JsonSchema, notes: CoerceNotes, path: string): unknown {
  const allowed = schema.enum ?? [];
  if (allowed.includes(value) || (typeof value !== 'string' && typeof value !== 'number')) return value;
  const key = fold(String(value));
  const match = allowed.find((v) => typeof v === 'string' && fold(v) === key) ?? lookupsOf(schema).aliases.get(key);
  if (match === undefined) return value;
  note(notes.coerced, path);
  return match;
}

function objectValue(value: unknown, schema: JsonSchema, notes: CoerceNotes, path: string): unknown {
  let object = value;
  if (typeof object === 'string' && /^\s*\{/.test(object)) {
    // A model that wrote the object as a JSON string inside the JSON.
    try {
      object = JSON.parse(object);
      note(notes.coerced, path);
    } catch {
      return value;
    }
  }
  if (typeof object !== 'object' || object === null || Array.isArray(object)) return object;
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const { keys: byFolded, aliases } = lookupsOf(schema);
  const out: Record<string, unknown> = {};
  for (const [rawKey, rawValue] of Object.entries(object)) {
    const key = Object.hasOwn(properties, rawKey) ? rawKey : (byFolded.get(fold(rawKey)) ?? aliases.get(fold(rawKey)));
    if (key === undefined || Object.hasOwn(out, key)) {
      if (schema.additionalProperties === false || key !== undefined) {
        note(notes.dropped, join(path, rawKey));
        continue;
      }
      const extra = typeof schema.additionalProperties === 'object' ? coerceToSchema(rawValue, schema.additionalProperties, notes, join(path, rawKey)) : rawValue;
      out[rawKey] = extra;
      continue;
    }
    if (key !== rawKey) note(notes.coerced, join(path, rawKey));
    const propSchema = properties[key];
    if (rawValue === null && !allowsNull(propSchema)) {
      // An optional key the model set to null means "not given"; a required one cannot be null.
      if (required.has(key)) note(notes.problems, join(path, key));
      else continue;
    }
    out[key] = coerceToSchema(rawValue, propSchema, notes, join(path, key));
  }
  // A nullable key the model left out means the same as null.
  for (const key of required) if (!Object.hasOwn(out, key) && properties[key] && allowsNull(properties[key]) && !isAnySchema(properties[key])) out[key] = null;
  return out;
}

function arrayValue(value: unknown, schema: JsonSchema, notes: CoerceNotes, path: string): unknown {
  let list = value;
  if (typeof list === 'string' && /^\s*\[/.test(list)) {
    try {
      list = JSON.parse(list);
    } catch {
      // not a list written as a string: a list of one below
    }
  }
  if (!Array.isArray(list)) {
    note(notes.coerced, path);
    list = [list];
  }
  const items = schema.items;
  if (!Array.isArray(list) || !items) return list;
  return list.map((item, i) => coerceToSchema(item, items, notes, join(path, i)));
}

function numberValue(value: unknown, schema: JsonSchema, notes: CoerceNotes, path: string): unknown {
  let number = value;
  if (typeof number === 'string') {
    const text = number.normalize('NFKC').trim();
    const percent = /^(-?\d+(?:\.\d+)?)\s*%$/.exec(text);
    if (percent && schema.maximum === 1) {
      note(notes.coerced, path);
      return Number(percent[1]) / 100;
    }
    // Left as a string for ajv's coercion, which accepts only what Number() reads in full ("3个月" stays wrong).
    if (text !== number) note(notes.coerced, path);
    number = text;
  }
  if (typeof number === 'number' && schema.maximum === 1 && (schema.minimum ?? 0) >= 0 && number > 1 && number <= 100) {
    // A confidence of 90 on a 0–1 scale is 90%.
    note(notes.coerced, path);
    return number / 100;
  }
  return number;
}

function booleanValue(value: unknown, notes: CoerceNotes, path: string): unknown {
  if (typeof value !== 'string') return value;
  const word = fold(value);
  if (word === 'true' || word === 'false') return word === 'true';
  if (TRUE_WORDS.has(word) || FALSE_WORDS.has(word)) {
    note(notes.coerced, path);
    return TRUE_WORDS.has(word);
  }
  return value;
}

/** The schema as sent to a model endpoint: without Mofang's own `x-mofang-*` keywords. */
export function forModel(schema: JsonSchema): JsonSchema {
  return strip(schema) as JsonSchema;
}

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) if (!key.startsWith('x-mofang-')) out[key] = strip(inner);
  return out;
}
