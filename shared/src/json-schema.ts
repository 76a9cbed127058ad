/**
 * The JSON Schema subset Mofang uses to describe values: node outputs, start inputs, end outputs and
 * structured model output. Kept as plain objects so they can be sent to a model endpoint as they are.
 */
export interface JsonSchema {
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null' | Array<string>;
  description?: string;
  title?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  anyOf?: JsonSchema[];
  default?: unknown;
  examples?: unknown[];
  /** Mofang's own marker for semantic types such as `transcript`. */
  'x-mofang-type'?: string;
  [key: string]: unknown;
}

/** The value types a designer can pick for an input, an output or an extracted field. */
export const VALUE_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'transcript'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

/** A transcript turn as the engine sees it after normalisation: every turn has an id. */
export const TURN_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    role: { type: 'string' },
    text: { type: 'string' },
    start: { type: 'number' },
    end: { type: 'number' },
  },
  required: ['id', 'role', 'text'],
};

/**
 * A transcript's `meta`: an open object (a call id, a line, a queue…) that typed clients may fill with
 * any keys, so it says `additionalProperties: true` rather than leaving the object's keys unsaid.
 */
export const TRANSCRIPT_META_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: true,
  description: 'Free-form data about the call, e.g. `call_id`, kept with the transcript.',
};

/** JSON Schema of a normalised transcript. */
export const TRANSCRIPT_SCHEMA: JsonSchema = {
  type: 'object',
  'x-mofang-type': 'transcript',
  properties: {
    turns: { type: 'array', items: TURN_SCHEMA },
    meta: TRANSCRIPT_META_SCHEMA,
    text: { type: 'string', description: 'the transcript as `role: text` lines' },
  },
  required: ['turns'],
};

/** The JSON Schema for a value type, with an optional description. */
export function schemaForType(type: ValueType, description?: string): JsonSchema {
  const base: JsonSchema =
    type === 'transcript' ? { ...TRANSCRIPT_SCHEMA } : type === 'object' ? { type: 'object', additionalProperties: true } : type === 'array' ? { type: 'array', items: {} } : { type };
  if (description) base.description = description;
  return base;
}

/** A short human name for a schema's type, for messages such as "expected number, got string". */
export function describeSchemaType(schema: JsonSchema | undefined): string {
  if (!schema) return 'unknown';
  if (schema['x-mofang-type']) return String(schema['x-mofang-type']);
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  if (schema.enum) return `enum(${schema.enum.map((v) => JSON.stringify(v)).join(', ')})`;
  return schema.type ?? 'any';
}

/**
 * Follows a property path through a schema. Returns the schema at the path, `{}` when the path goes
 * through an untyped value (anything is allowed there), or `undefined` when the path does not exist.
 */
export function schemaAtPath(schema: JsonSchema, path: Array<string | number>): JsonSchema | undefined {
  return resolvePath(schema, path)?.schema;
}

/** A path's schema, and whether a value may be absent there (an optional property, a list element). */
export interface ResolvedPath {
  schema: JsonSchema;
  /** True when some step of the path may find nothing: the value then reads as null. */
  optional: boolean;
}

/** Like {@link schemaAtPath}, also saying whether the value may be absent at run time. */
export function resolvePath(schema: JsonSchema, path: Array<string | number>): ResolvedPath | undefined {
  let current: JsonSchema | undefined = schema;
  let optional = false;
  for (const segment of path) {
    if (!current) return undefined;
    if (isAnySchema(current)) return { schema: {}, optional };
    if (current.anyOf) {
      const options: JsonSchema[] = [];
      for (const option of current.anyOf) {
        if (option.type === 'null') {
          optional = true;
          continue;
        }
        const at = resolvePath(option, [segment]);
        if (!at) continue;
        options.push(at.schema);
        optional ||= at.optional;
      }
      if (options.length === 0) return undefined;
      current = options.length === 1 ? options[0] : { anyOf: options };
      continue;
    }
    if (current.type === 'array' || (typeof segment === 'number' && current.items)) {
      if (segment === 'size') {
        current = { type: 'integer' };
        continue;
      }
      if (segment === 'first' || segment === 'last' || typeof segment === 'number' || /^\d+$/.test(String(segment))) {
        // An element of a list may be missing (an empty list, an index past its end).
        optional = true;
        current = current.items ?? {};
        continue;
      }
      return undefined;
    }
    if (current.type === 'string' && segment === 'size') {
      current = { type: 'integer' };
      continue;
    }
    if (current.type === 'object' || current.properties) {
      const key = String(segment);
      if (current.properties && key in current.properties) {
        if (!(current.required ?? []).includes(key)) optional = true;
        current = current.properties[key];
        continue;
      }
      if (typeof current.additionalProperties === 'object') {
        optional = true;
        current = current.additionalProperties;
        continue;
      }
      if (current.additionalProperties === true) return { schema: {}, optional: true };
      if (current.properties && Object.keys(current.properties).length > 0) return undefined;
      if (current.additionalProperties === false) return undefined;
      return { schema: {}, optional: true };
    }
    return undefined;
  }
  return current ? { schema: current, optional } : undefined;
}

/** Whether a schema lets a value be null (any schema does). */
export function allowsNull(schema: JsonSchema): boolean {
  if (isAnySchema(schema)) return true;
  if (schema.type === 'null' || (Array.isArray(schema.type) && schema.type.includes('null'))) return true;
  return schema.anyOf?.some(allowsNull) ?? false;
}

/** The schema, also allowing null (`anyOf [schema, null]`, the description kept on the outside). */
export function nullable(schema: JsonSchema): JsonSchema {
  if (allowsNull(schema)) return schema;
  const { description, ...rest } = schema;
  if (rest.anyOf && Object.keys(rest).length === 1) return { ...(description ? { description } : {}), anyOf: [...rest.anyOf, { type: 'null' }] };
  return { ...(description ? { description } : {}), anyOf: [rest, { type: 'null' }] };
}

/** The schema without its null option: what a value is when it is there. */
export function withoutNull(schema: JsonSchema): JsonSchema {
  if (!schema.anyOf) return schema;
  const options = schema.anyOf.filter((o) => o.type !== 'null');
  if (options.length === schema.anyOf.length) return schema;
  const { anyOf: _anyOf, ...rest } = schema;
  if (options.length === 1) return { ...options[0], ...(rest.description ? { description: rest.description } : {}) };
  return { ...rest, anyOf: options };
}

/** True for a schema that accepts any value (`{}` or one with only a description). */
export function isAnySchema(schema: JsonSchema): boolean {
  return schema.type === undefined && !schema.properties && !schema.anyOf && !schema.enum && schema.const === undefined && !schema.items;
}

/** An object schema from named property schemas, every property required unless listed as optional. */
export function objectSchema(properties: Record<string, JsonSchema>, optional: string[] = []): JsonSchema {
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    additionalProperties: false,
  };
}

/** Whether values of `actual` fit a declared value type; an untyped (any) schema always fits. */
export function fitsType(actual: JsonSchema, expected: ValueType): boolean {
  if (isAnySchema(actual)) return true;
  if (actual.anyOf) return actual.anyOf.every((option) => option.type === 'null' || fitsType(option, expected));
  if (expected === 'transcript') return actual['x-mofang-type'] === 'transcript';
  const type = Array.isArray(actual.type) ? undefined : actual.type;
  if (expected === 'number') return type === 'number' || type === 'integer';
  if (type === undefined && actual.enum) return actual.enum.every((v) => typeof v === (expected === 'integer' ? 'number' : expected));
  return type === expected;
}
