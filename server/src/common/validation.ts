import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { LRUCache } from 'lru-cache';
import type { JsonSchema } from '@shared/json-schema.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Compiled validators kept per set of Ajv options (least recently used dropped first). */
export const MAX_CACHED_VALIDATORS = 2000;

/** Compiled validators for one set of Ajv options, shared between plans that use the same schema. */
class ValidatorCache {
  /** Created on first use: an Ajv instance with its formats costs tens of ms, paid only by who validates. */
  private ajvInstance: Ajv | undefined;
  // Ajv keeps every schema it compiled: a validator dropped from here is removed from Ajv too.
  private readonly cache = new LRUCache<string, ValidateFunction>({
    max: MAX_CACHED_VALIDATORS,
    dispose: (validate) => {
      if (typeof validate.schema === 'object') this.ajv.removeSchema(validate.schema);
    },
  });

  constructor(private readonly coerceTypes: boolean) {}

  private get ajv(): Ajv {
    this.ajvInstance ??= this.create();
    return this.ajvInstance;
  }

  get(schema: JsonSchema): ValidateFunction {
    const key = JSON.stringify(schema);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const validate = this.ajv.compile(schema);
    this.cache.set(key, validate);
    return validate;
  }

  private create(): Ajv {
    const instance = new Ajv({ allErrors: true, strict: false, coerceTypes: this.coerceTypes, useDefaults: false });
    addFormats(instance);
    return instance;
  }
}

const exact = new ValidatorCache(false);
const coercing = new ValidatorCache(true);

/** A compiled validator for a schema: values must match as they are. */
export function compileSchema(schema: JsonSchema): ValidateFunction {
  return exact.get(schema);
}

/**
 * A compiled validator that also converts scalar types in place, with Ajv's own rules (a numeric string
 * to a number, "true" to true, a number to a string; see https://ajv.js.org/coercion.html). For model
 * replies only: Ajv would also turn a null into 0, "" or false where the schema has no null, so the
 * caller deals with nulls first. Nullable values (`anyOf [T, null]`) are rewritten as `type: [T, "null"]`,
 * the form in which Ajv keeps a null as it is instead of coercing it inside the first branch.
 */
export function compileCoercingSchema(schema: JsonSchema): ValidateFunction {
  return coercing.get(typeArrays(schema));
}

function typeArrays(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...schema };
  if (schema.properties) out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, typeArrays(v)]));
  if (schema.items) out.items = typeArrays(schema.items);
  if (typeof schema.additionalProperties === 'object') out.additionalProperties = typeArrays(schema.additionalProperties);
  if (schema.anyOf) {
    const options = schema.anyOf.map(typeArrays);
    const rest = options.filter((o) => o.type !== 'null');
    const only = rest[0];
    if (options.length === 2 && rest.length === 1 && typeof only.type === 'string' && !only.anyOf) {
      const { anyOf: _nullable, ...outer } = out;
      return { ...only, ...outer, type: [only.type, 'null'], ...(only.enum ? { enum: [...only.enum, null] } : {}) };
    }
    out.anyOf = options;
  }
  return out;
}

export interface SchemaProblem {
  path: string;
  message: string;
}

/** Ajv errors as `{path, message}` with paths like `inputs.transcript.turns.0.text`. */
export function schemaProblems(errors: ErrorObject[] | null | undefined, root = ''): SchemaProblem[] {
  if (!errors) return [];
  const seen = new Set<string>();
  const problems: SchemaProblem[] = [];
  for (const error of errors) {
    let path = error.instancePath.split('/').slice(1).map(decodeURIComponent).join('.');
    if (error.keyword === 'required') path = [path, String(error.params.missingProperty)].filter(Boolean).join('.');
    if (error.keyword === 'additionalProperties') path = [path, String(error.params.additionalProperty)].filter(Boolean).join('.');
    const full = [root, path].filter(Boolean).join('.');
    const message =
      error.keyword === 'required'
        ? 'is required'
        : error.keyword === 'additionalProperties'
          ? 'is not an allowed property'
          : error.keyword === 'enum'
            ? `must be one of ${JSON.stringify(error.params.allowedValues)}`
            : (error.message ?? 'is invalid');
    const key = `${full}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ path: full || root || '(root)', message });
  }
  return problems;
}
