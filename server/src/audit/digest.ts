/**
 * Digests and summaries of the objects an audit entry describes. A digest is the SHA-256 (hex) of the
 * object's canonical JSON (RFC 8785, JSON Canonicalization Scheme: keys sorted, numbers and strings in one
 * spelling), so the same object always gives the same digest whatever the order its keys were built in,
 * and anyone holding a copy of the object can check it against the log.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * The SHA-256 hex digest of `value`'s canonical JSON, or null for `null` / `undefined` (no object).
 * Values JSON cannot hold (functions, symbols) are dropped as `JSON.stringify` drops them.
 */
export function digestOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = canonicalize(wellFormed(value)) ?? 'null';
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `value` with every lone UTF-16 surrogate in its strings and keys replaced by U+FFFD, as UTF-8 encoding
 * does: JSON text may carry them (`"\ud800"`), RFC 8785 cannot, and `canonicalize` throws on them.
 * Values without one are returned as they are.
 */
function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(LONE_SURROGATE, '\uFFFD');
  if (Array.isArray(value)) return value.map(wellFormed);
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [wellFormed(k) as string, wellFormed(v)]));
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The top-level fields whose values differ between two objects (compared by digest), sorted; `ignore`
 * leaves out fields every change touches (`updatedAt`, `revision`). Empty when either is not an object.
 */
export function changedFields(before: unknown, after: unknown, ignore: readonly string[] = []): string[] {
  if (!isPlainObject(before) || !isPlainObject(after)) return [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => !ignore.includes(k) && digestOf(before[k] ?? null) !== digestOf(after[k] ?? null)).sort();
}
