/**
 * The two JSON helpers every layer needs, in one leaf module (no imports): narrowing a parsed value to
 * an object, and parsing text that may not be JSON.
 */

/** Whether `value` is a JSON object: not null, not an array (a class instance also passes). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses JSON text without throwing: `undefined` when `text` is not a string or not valid JSON (JSON
 * itself cannot produce `undefined`, so the two cannot be confused).
 */
export function parseJson(text: unknown): unknown;
/**
 * Parses JSON text; when `text` is not valid JSON (or not a string, with a `TypeError`), returns what
 * `onError` returns for `JSON.parse`'s error, or throws what it throws (an error with a stable code).
 */
export function parseJson<T>(text: unknown, onError: (error: Error) => T): unknown;
export function parseJson<T>(text: unknown, onError?: (error: Error) => T): unknown {
  if (typeof text !== 'string') return onError ? onError(new TypeError(`expected JSON text, got ${text === null ? 'null' : typeof text}`)) : undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    return onError ? onError(error instanceof Error ? error : new Error(String(error))) : undefined;
  }
}
