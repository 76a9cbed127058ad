import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { JsonSchema } from '@shared/json-schema.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Ajv keeps every schema it compiled; a fresh instance past this many bounds that memory. */
const MAX_CACHED = 2000;

let ajv = createAjv();
let cache = new Map<string, ValidateFunction>();

function createAjv(): Ajv {
  const instance = new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false });
  addFormats(instance);
  return instance;
}

/** A compiled validator for a schema, shared between plans that use the same schema. */
export function compileSchema(schema: JsonSchema): ValidateFunction {
  const key = JSON.stringify(schema);
  const hit = cache.get(key);
  if (hit) return hit;
  if (cache.size >= MAX_CACHED) {
    ajv = createAjv();
    cache = new Map();
  }
  const validate = ajv.compile(schema);
  cache.set(key, validate);
  return validate;
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
