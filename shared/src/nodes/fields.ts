import { z } from 'zod';
import type { JsonSchema } from '../json-schema.js';
import { FieldNameSchema, regexIssue, duplicateNames, type ConfigIssue } from './kit.js';

/** A typed field of a structured model output or of a form to fill. */
export const FieldSchema = z.object({
  name: FieldNameSchema,
  label: z.string().max(200).optional(),
  type: z.enum(['string', 'number', 'integer', 'boolean', 'array', 'object']).default('string'),
  description: z.string().max(2000).default(''),
  required: z.boolean().default(false),
  enum: z.array(z.string()).optional(),
  pattern: z.string().max(500).optional(),
  /** A human hint shown when the value does not match the pattern, e.g. "11 位手机号". */
  patternHint: z.string().max(200).optional(),
});
export type Field = z.infer<typeof FieldSchema>;

/** The JSON Schema of one field's value. */
export function fieldValueSchema(field: Field): JsonSchema {
  const schema: JsonSchema = field.type === 'array' ? { type: 'array', items: { type: 'string' } } : { type: field.type };
  if (field.description) schema.description = field.description;
  if (field.enum && field.enum.length > 0 && field.type === 'string') schema.enum = field.enum;
  if (field.pattern && field.type === 'string') schema.pattern = field.pattern;
  return schema;
}

/** An object schema for a list of fields, as sent to a model for structured output. */
export function fieldsObjectSchema(fields: Field[], opts: { nullableOptional?: boolean } = {}): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const field of fields) {
    const value = fieldValueSchema(field);
    properties[field.name] = opts.nullableOptional && !field.required ? { anyOf: [value, { type: 'null' }], description: value.description } : value;
  }
  return {
    type: 'object',
    properties,
    required: opts.nullableOptional ? fields.map((f) => f.name) : fields.filter((f) => f.required).map((f) => f.name),
    additionalProperties: false,
  };
}

/** Checks a field list: unique names, compilable patterns, enums only on strings. */
export function validateFields(fields: Field[], path: string): ConfigIssue[] {
  const issues = duplicateNames(fields, path);
  fields.forEach((field, i) => {
    issues.push(...regexIssue(field.pattern, `${path}.${i}.pattern`));
    if (field.enum && field.type !== 'string') issues.push({ field: `${path}.${i}.enum`, code: 'enum_needs_string', message: 'a list of allowed values needs type string' });
  });
  return issues;
}
