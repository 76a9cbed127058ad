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

/** JSON Schema of a normalised transcript. */
export const TRANSCRIPT_SCHEMA: JsonSchema = {
  type: 'object',
  'x-mofang-type': 'transcript',
  properties: {
    turns: { type: 'array', items: TURN_SCHEMA },
    meta: { type: 'object' },
    text: { type: 'string', description: 'the transcript as `role: text` lines' },
  },
  required: ['turns'],
};

/** The JSON Schema for a value type, with an optional description. */
export function schemaForType(type: ValueType, description?: string): JsonSchema {
  const base: JsonSchema =
    type === 'transcript' ? { ...TRANSCRIPT_SCHEMA } : type === 'object' ? { type: 'object' } : type === 'array' ? { type: 'array', items: {} } : { type };
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
  let current: JsonSchema | undefined = schema;
  for (const segment of path) {
    if (!current) return undefined;
    if (isAnySchema(current)) return {};
    if (current.anyOf) {
      const options: JsonSchema[] = current.anyOf
        .map((option) => schemaAtPath(option, [segment]))
        .filter((s): s is JsonSchema => s !== undefined);
      if (options.length === 0) return undefined;
      current = options.length === 1 ? options[0] : { anyOf: options };
      continue;
    }
    if (current.type === 'array' || (typeof segment === 'number' && current.items)) {
      if (segment === 'size' || segment === 'first' || segment === 'last') {
        current = segment === 'size' ? { type: 'integer' } : current.items ?? {};
        continue;
      }
      if (typeof segment === 'number' || /^\d+$/.test(String(segment))) {
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
        current = current.properties[key];
        continue;
      }
      if (typeof current.additionalProperties === 'object') {
        current = current.additionalProperties;
        continue;
      }
      if (current.additionalProperties === true) return {};
      if (current.properties && Object.keys(current.properties).length > 0) return undefined;
      if (current.additionalProperties === false) return undefined;
      return {};
    }
    return undefined;
  }
  return current;
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
