import { jsonrepair } from 'jsonrepair';

/** A JSON value found in a reply, and where its text ends (later values are preferred). */
export interface FoundJson {
  value: unknown;
  /** Whether it needed repair (single quotes, trailing commas, Python's True/None, comments). */
  repaired: boolean;
}

/** Longest answer scanned for JSON, in characters; a reply longer than this is read from its end. */
const MAX_SCAN = 200_000;
/** Restarts after an opening bracket that never closed, so a stray `{` cannot make the scan quadratic. */
const MAX_RESTARTS = 64;

/**
 * Every complete JSON object or array in a model's answer, the last one first: plain JSON, ```json
 * fenced blocks, or values inside chatty text ("好的，结果如下：{…}"). An example the model quotes
 * before its real answer comes after the answer in this list. A value cut off at the end (a reply
 * stopped by max_tokens) is never completed by guesswork: only balanced values are candidates, and
 * repair (jsonrepair) only fixes their syntax.
 */
export function jsonValues(answer: string): FoundJson[] {
  // The common case, an endpoint with json_schema: the answer is one JSON value and nothing else.
  const trimmed = answer.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return [{ value: JSON.parse(trimmed), repaired: false }];
    } catch {
      // chatty after all: scan it
    }
  }
  const text = answer.length > MAX_SCAN ? answer.slice(answer.length - MAX_SCAN) : answer;
  const found: FoundJson[] = [];
  const seen = new Set<string>();
  for (const span of balancedSpans(text).reverse()) {
    const candidate = text.slice(span.start, span.end).trim();
    if (seen.has(candidate)) continue;
    seen.add(candidate);
    const parsed = parse(candidate);
    if (parsed) found.push(parsed);
  }
  return found;
}

function parse(candidate: string): FoundJson | null {
  try {
    return { value: JSON.parse(candidate), repaired: false };
  } catch {
    try {
      return { value: JSON.parse(jsonrepair(candidate)), repaired: true };
    } catch {
      return null;
    }
  }
}

/** Top-level `{…}` / `[…]` spans whose brackets balance, outside double-quoted strings, in text order. */
function balancedSpans(text: string): Array<{ start: number; end: number }> {
  const spans: Array<{ start: number; end: number }> = [];
  let from = 0;
  let restarts = 0;
  while (from < text.length) {
    const start = nextOpen(text, from);
    if (start < 0) break;
    const end = closeOf(text, start);
    if (end > 0) {
      spans.push({ start, end });
      from = end;
    } else {
      // Unbalanced: look for a complete value inside it instead.
      if (++restarts > MAX_RESTARTS) break;
      from = start + 1;
    }
  }
  return spans;
}

function nextOpen(text: string, from: number): number {
  for (let i = from; i < text.length; i++) if (text[i] === '{' || text[i] === '[') return i;
  return -1;
}

/** The index just past the bracket that closes the one at `start`, or -1. */
function closeOf(text: string, start: number): number {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') stack.push('}');
    else if (ch === '[') stack.push(']');
    else if (ch === '}' || ch === ']') {
      if (stack.pop() !== ch) return -1;
      if (stack.length === 0) return i + 1;
    }
  }
  return -1;
}
