/**
 * The NUL rule: Mofang refuses the character U+0000 in every value a user or client sends (API bodies,
 * object keys included, query strings and path parameters, uploaded files, files the CLI reads). SQLite
 * stores it, but PostgreSQL refuses it in a `text` column and as `\u0000` in `jsonb`, so a value holding
 * one would be stored on one store and fail on the other; no call-center text needs it. The refusal is
 * the same everywhere: the stable code {@link NUL_CODE} and where the character was (a path such as
 * `body.turns.3.text`, or a file's line, sheet row and column).
 *
 * Lone surrogates are a separate question and are not refused here.
 */

/** The stable error code of the refusal (API replies, CLI messages, job and evaluation-set uploads). */
export const NUL_CODE = 'nul_character';

const NUL = '\u0000';

/** Whether a text holds U+0000. */
export function hasNul(text: string): boolean {
  return text.indexOf(NUL) !== -1;
}

/** A text made printable for a message or a path: each U+0000 written as `\u0000`. */
export function showNul(text: string): string {
  return text.replaceAll(NUL, '\\u0000');
}

/** Where a value holds U+0000: a dotted path (`turns.3.text`, `''` for the value itself), and whether it is in an object's key. */
export interface NulPlace {
  path: string;
  /** The character is in the key the path ends with (shown with `\u0000`), not in its value. */
  inKey: boolean;
}

/**
 * Whether a JSON value (parsed, so without cycles) holds U+0000 in any string or object key: the walk of
 * {@link findNul} without its bookkeeping, for the hot path (every request body passes it).
 */
function holdsNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.indexOf(NUL) !== -1) return true;
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push(v[i]);
    } else if (typeof v === 'object' && v !== null) {
      for (const key of Object.keys(v)) {
        if (key.indexOf(NUL) !== -1) return true;
        stack.push((v as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}

interface Frame {
  value: unknown;
  parent: Frame | null;
  key: string | number | null;
}

/** The path of a frame, dotted as the API's `invalid_body` issues are (`turns.3.text`); `extra` is a last key. */
function dotted(frame: Frame, extra?: string): string {
  const parts: string[] = extra === undefined ? [] : [showNul(extra)];
  for (let f: Frame | null = frame; f && f.key !== null; f = f.parent) parts.push(typeof f.key === 'number' ? String(f.key) : showNul(f.key));
  return parts.reverse().join('.');
}

/**
 * The first place a JSON value (parsed, so without cycles) holds U+0000, in document order, or null.
 * Looks in every string and every object key; walks without recursing (a value 100 000 deep is fine).
 */
export function findNul(value: unknown): NulPlace | null {
  if (!holdsNul(value)) return null;
  const stack: Frame[] = [{ value, parent: null, key: null }];
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    const v = frame.value;
    if (typeof v === 'string') {
      if (hasNul(v)) return { path: dotted(frame), inKey: false };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], parent: frame, key: i });
    } else if (typeof v === 'object' && v !== null) {
      const keys = Object.keys(v);
      const bad = keys.find(hasNul);
      if (bad !== undefined) return { path: dotted(frame, bad), inKey: true };
      for (let i = keys.length - 1; i >= 0; i--) stack.push({ value: (v as Record<string, unknown>)[keys[i]], parent: frame, key: keys[i] });
    }
  }
  return null;
}

/** A path under a prefix: `prefix.path`, or the prefix alone for the value itself. */
export function nulPath(prefix: string, place: NulPlace): string {
  if (prefix === '') return place.path;
  return place.path === '' ? prefix : `${prefix}.${place.path}`;
}

/** "holds the NUL character (U+0000) at body.turns.3.text (in a key)…": the English of a refusal, after what holds it. */
export function describeNul(at: string, inKey = false): string {
  return `holds the NUL character (U+0000)${at === '' ? '' : ` at ${at}`}${inKey ? ' (in a key)' : ''}: Mofang does not take it (PostgreSQL cannot store it): remove it`;
}

/**
 * The 1-based line of the first U+0000 in a JSON text, written as a `\u0000` escape (one not itself
 * escaped, as `\\u0000` is) or as the raw character; null when it holds none. For a file's error message.
 */
export function nulLineInJsonText(text: string): number | null {
  const escape = /\\+u0000/gi;
  let at = -1;
  for (let m = escape.exec(text); m; m = escape.exec(text)) {
    // An odd number of backslashes: the last one starts the escape; an even number are escaped backslashes.
    const slashes = m[0].length - 5;
    if (slashes % 2 === 1) {
      at = m.index;
      break;
    }
  }
  const raw = text.indexOf(NUL);
  if (raw !== -1 && (at === -1 || raw < at)) at = raw;
  if (at === -1) return null;
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) line += 1;
  return line;
}
