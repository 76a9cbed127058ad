/**
 * TypeScript declarations from the JSON Schemas of a scenario's inputs and outputs, for the API tab's
 * TypeScript snippet. Covers the subset Mofang writes (objects, arrays, enums, anyOf, primitives).
 */
import type { JsonSchema } from '@shared/json-schema';
import { isJsonSchema } from './api';

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function propName(name: string): string {
  return IDENT.test(name) ? name : JSON.stringify(name);
}

function indent(depth: number): string {
  return '  '.repeat(depth);
}

/** The TypeScript type of a schema, written at `depth` (for nested object literals). */
export function tsType(schema: JsonSchema, depth = 0): string {
  if (depth > 8) return 'unknown';
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (Array.isArray(schema.anyOf) && schema.anyOf.length > 0) return schema.anyOf.map((s) => tsType(s, depth)).join(' | ');
  const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length > 1) return types.map((t) => typeNamed(t, schema, depth)).join(' | ');
  return typeNamed(types[0], schema, depth);
}

/** The TypeScript type of a schema read as one JSON type name (`undefined`: no `type`). */
function typeNamed(name: string | undefined, schema: JsonSchema, depth: number): string {
  switch (name) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array': {
      const item = schema.items ? tsType(schema.items, depth) : 'unknown';
      return /[|&]/.test(item) ? `Array<${item}>` : `${item}[]`;
    }
    case 'object':
    case undefined:
      if (!schema.properties) return name === 'object' ? 'Record<string, unknown>' : 'unknown';
      return objectBody(schema, depth);
    default:
      return 'unknown';
  }
}

function objectBody(schema: JsonSchema, depth: number): string {
  const required = new Set(schema.required ?? []);
  const lines = Object.entries(schema.properties ?? {}).map(([name, prop]) => {
    const doc = typeof prop.description === 'string' && prop.description ? `${indent(depth + 1)}/** ${prop.description.replace(/\*\//g, '*\\/').replace(/\n/g, ' ')} */\n` : '';
    return `${doc}${indent(depth + 1)}${propName(name)}${required.has(name) ? '' : '?'}: ${tsType(prop, depth + 1)};`;
  });
  const extra = isJsonSchema(schema.additionalProperties) ? [`${indent(depth + 1)}[key: string]: unknown;`] : [];
  const all = [...lines, ...extra];
  return all.length === 0 ? 'Record<string, never>' : `{\n${all.join('\n')}\n${indent(depth)}}`;
}

/** `export interface Name { … }` (or a type alias when the schema is not an object with properties). */
export function tsInterface(name: string, schema: JsonSchema): string {
  const body = tsType(schema);
  return body.startsWith('{') ? `export interface ${name} ${body}` : `export type ${name} = ${body};`;
}

/** A PascalCase type-name prefix from a slug: `intent-triage` → `IntentTriage`. */
export function typePrefix(slug: string): string {
  const words = slug.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const name = words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  return /^[A-Za-z]/.test(name) ? name : `S${name}`;
}
