/**
 * One limit policy for the shape of every JSON value Mofang takes in, produces or stores: API bodies,
 * graphs, transcripts, job items, node outputs and run events. A value deeper, longer or bigger than
 * these is refused where it arrives (a 400/413 or a node error naming the limit and its setting), so
 * nothing past them reaches code that recurses (serialisers, validators, `postMessage`) and overflows
 * the stack.
 *
 * The check walks the value iteratively (no recursion, so a value 100 000 deep is measured, not a
 * crash) and stops at the first breach.
 */

/** The limits; each has a setting (an environment variable) named in {@link LIMIT_SETTINGS}. */
export interface JsonLimits {
  /** Deepest nesting of objects and arrays (the top level is depth 1). */
  depth: number;
  /** Longest string, in characters (UTF-16 code units). */
  stringChars: number;
  /** Most items in one array (or keys in one object). */
  arrayItems: number;
  /** Largest value as JSON text, bytes (UTF-8, estimated while walking). */
  totalBytes: number;
}

export const DEFAULT_JSON_LIMITS: JsonLimits = {
  depth: 64,
  stringChars: 2_000_000,
  arrayItems: 100_000,
  totalBytes: 16 * 1024 * 1024,
};

export type JsonLimitKind = keyof JsonLimits;

/** The environment variable that sets each limit. */
export const LIMIT_SETTINGS: Record<JsonLimitKind, string> = {
  depth: 'MOFANG_MAX_JSON_DEPTH',
  stringChars: 'MOFANG_MAX_STRING_CHARS',
  arrayItems: 'MOFANG_MAX_ARRAY_ITEMS',
  totalBytes: 'MOFANG_MAX_VALUE_BYTES',
};

/** The stable error code of each breach (API replies and node errors). */
export const LIMIT_CODES: Record<JsonLimitKind, 'too_deep' | 'string_too_long' | 'array_too_long' | 'value_too_large'> = {
  depth: 'too_deep',
  stringChars: 'string_too_long',
  arrayItems: 'array_too_long',
  totalBytes: 'value_too_large',
};

/** Where a value broke a limit. */
export interface JsonLimitBreach {
  kind: JsonLimitKind;
  code: (typeof LIMIT_CODES)[JsonLimitKind];
  /** JSON-path-like location under the checked value, `''` for the value itself (`meta.a.a[3]`). */
  path: string;
  limit: number;
  setting: string;
}

const UNITS: Record<JsonLimitKind, string> = { depth: 'levels of nesting', stringChars: 'characters in a string', arrayItems: 'items in a list', totalBytes: 'bytes' };

/** "`where` is nested deeper than 64 levels (the limit, MOFANG_MAX_JSON_DEPTH)" and the like. */
export function describeBreach(breach: JsonLimitBreach, where: string): string {
  const at = breach.path ? `${where}.${breach.path}` : where;
  const what = breach.kind === 'depth' ? `is nested deeper than ${breach.limit} levels` : breach.kind === 'totalBytes' ? `is larger than ${breach.limit} bytes` : `has more than ${breach.limit} ${UNITS[breach.kind]}`;
  return `${at} ${what} (the limit, set by ${breach.setting})`;
}

/** UTF-8 length of a string, bytes. */
function utf8Bytes(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) n += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : 1;
  }
  return n;
}

interface Frame {
  value: unknown;
  depth: number;
  parent: Frame | null;
  key: string | number | null;
}

function pathOf(frame: Frame | null): string {
  const parts: string[] = [];
  for (let f = frame; f && f.key !== null; f = f.parent) parts.push(typeof f.key === 'number' ? `[${f.key}]` : /^[A-Za-z_$][\w$]*$/.test(f.key) ? `.${f.key}` : `[${JSON.stringify(f.key)}]`);
  parts.reverse();
  // A path 10 000 levels deep says no more than its ends do.
  if (parts.length > 12) parts.splice(6, parts.length - 10, `…(${parts.length - 10} more)…`);
  return parts.join('').replace(/^\./, '');
}

/**
 * Whether `value` certainly breaks no limit: the same walk as {@link findJsonLimitBreach} without its
 * bookkeeping (no frame per value, no path, no UTF-8 count: each UTF-16 unit is taken as 3 bytes, the
 * most it can be). Every value checked on the hot path (a request body, a node's outputs, a run for the
 * log) passes this; only one it cannot clear takes the exact walk.
 */
function clearlyWithinLimits(value: unknown, limits: JsonLimits): boolean {
  let bytes = 0;
  const values: unknown[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const v = values.pop();
    const depth = depths.pop() as number;
    if (typeof v === 'string') {
      if (v.length > limits.stringChars) return false;
      bytes += 3 * v.length + 2;
    } else if (typeof v === 'number' || typeof v === 'boolean' || v === null) {
      bytes += 8;
    } else if (typeof v === 'object') {
      if (depth > limits.depth) return false;
      if (Array.isArray(v)) {
        if (v.length > limits.arrayItems) return false;
        bytes += 2 + v.length;
        for (let i = 0; i < v.length; i++) {
          values.push(v[i]);
          depths.push(depth + 1);
        }
      } else {
        const keys = Object.keys(v);
        if (keys.length > limits.arrayItems) return false;
        bytes += 2;
        for (const key of keys) {
          if (key.length > limits.stringChars) return false;
          bytes += 3 * key.length + 4;
          values.push((v as Record<string, unknown>)[key]);
          depths.push(depth + 1);
        }
      }
    }
    if (bytes > limits.totalBytes) return false;
  }
  return true;
}

/**
 * The first limit `value` breaks, or null. Values that are not JSON (functions, undefined) count as
 * nothing; a cycle shows as a breach of the depth limit.
 */
export function findJsonLimitBreach(value: unknown, limits: JsonLimits = DEFAULT_JSON_LIMITS): JsonLimitBreach | null {
  if (clearlyWithinLimits(value, limits)) return null;
  const breach = (kind: JsonLimitKind, frame: Frame | null): JsonLimitBreach => ({ kind, code: LIMIT_CODES[kind], path: pathOf(frame), limit: limits[kind], setting: LIMIT_SETTINGS[kind] });
  let bytes = 0;
  const stack: Frame[] = [{ value, depth: 1, parent: null, key: null }];
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    const v = frame.value;
    if (typeof v === 'string') {
      if (v.length > limits.stringChars) return breach('stringChars', frame);
      bytes += utf8Bytes(v) + 2;
    } else if (typeof v === 'number' || typeof v === 'boolean' || v === null) {
      bytes += 8;
    } else if (typeof v === 'object') {
      if (frame.depth > limits.depth) return breach('depth', frame);
      if (Array.isArray(v)) {
        if (v.length > limits.arrayItems) return breach('arrayItems', frame);
        bytes += 2 + v.length;
        for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], depth: frame.depth + 1, parent: frame, key: i });
      } else {
        const keys = Object.keys(v);
        if (keys.length > limits.arrayItems) return breach('arrayItems', frame);
        bytes += 2;
        for (let i = keys.length - 1; i >= 0; i--) {
          const key = keys[i];
          if (key.length > limits.stringChars) return breach('stringChars', frame);
          bytes += utf8Bytes(key) + 4;
          stack.push({ value: (v as Record<string, unknown>)[key], depth: frame.depth + 1, parent: frame, key });
        }
      }
    }
    if (bytes > limits.totalBytes) return breach('totalBytes', null);
  }
  return null;
}
