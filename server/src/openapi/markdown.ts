/**
 * User text inside an OpenAPI document. OpenAPI reads every `description` as CommonMark, and its
 * renderers (Swagger UI on `/docs`, Redoc, API portals) draw Markdown with inline HTML and links: a
 * scenario named `<img src=x onerror=…>`, or described with `[click](javascript:…)`, would become an
 * element or a link there. Names and descriptions typed in the editor are plain text, so before they go
 * into a `description` they are backslash-escaped, which CommonMark shows as the characters typed.
 * (`title`, `summary` and tag names are plain text in the spec and need nothing.)
 */
import type { JsonSchema } from '@shared/json-schema.js';

/**
 * What can open Markdown or HTML inside a line: tags and autolinks (`<`), links and images (`[`), code,
 * emphasis and strikethrough, table cells, backslashes themselves, an `_` that is not inside a word
 * (`call_id` stays as it is), and `&` where it would start an entity.
 */
const INLINE_MARKUP = /[\\`*[\]<~|]|_(?![\p{L}\p{N}])|(?<![\p{L}\p{N}])_|&(?=#?[\p{L}\p{N}]+;)/gu;

/** What opens a block at the start of a line: a heading or a quote. */
const BLOCK_MARKUP = /^( {0,3})([#>])/gm;

/**
 * Plain text as CommonMark that renders as that text: no HTML, links, images, code, emphasis or
 * entities. Only the characters that would open markup where they stand are escaped, so ordinary text
 * (`pass 合格 / fail 不合格`, `broadband_fault`) reads the same in the JSON.
 */
export function markdownText(text: string): string {
  return text.replace(INLINE_MARKUP, (c) => `\\${c}`).replace(BLOCK_MARKUP, '$1\\$2');
}

/** Keywords whose values are data, not schemas: a `description` key inside them is not a description. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'examples', 'example']);

/** Deeper than any schema a graph produces; a part below it is documented as any value rather than unescaped. */
const MAX_DEPTH = 200;

function escapeNode(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) return {};
  if (Array.isArray(value)) return value.map((v) => escapeNode(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'description' && typeof v === 'string') out[key] = markdownText(v);
    else if (DATA_KEYWORDS.has(key)) out[key] = v;
    else out[key] = escapeNode(v, depth + 1);
  }
  return out;
}

/**
 * A copy of a JSON Schema whose every `description` (at any depth: properties, items, anyOf, …) is
 * escaped with `markdownText`; values under `enum`, `const`, `default` and `examples` are kept as they are.
 * The input is not changed (plans share their schemas).
 */
export function escapeSchemaDescriptions(schema: JsonSchema): Record<string, unknown> {
  const escaped = escapeNode(schema, 0);
  return typeof escaped === 'object' && escaped !== null && !Array.isArray(escaped) ? { ...escaped } : {};
}
