import { jsonrepair } from 'jsonrepair';

/** A JSON value found in a reply, and where its text ends (later values are preferred). */
export interface FoundJson {
  value: unknown;
  /** Whether it needed repair (single quotes, trailing commas, Python's True/None, comments). */
  repaired: boolean;
}

/** Longest answer scanned for JSON, in characters; a reply longer than this is read from its end. */
const MAX_SCAN = 200_000;

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

/**
 * The outermost `{…}` / `[…]` spans whose brackets balance (outside double-quoted strings), in text
 * order, found in one pass: a bracket that never closes does not hide the complete values after or
 * inside it, and a closer that matches nothing starts the count afresh.
 */
function balancedSpans(text: string): Array<{ start: number; end: number }> {
  const complete: Array<{ start: number; end: number }> = [];
  const stack: Array<{ close: string; at: number }> = [];
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      // A quote outside any bracket is prose, not JSON.
      if (stack.length > 0) inString = true;
    } else if (ch === '{') stack.push({ close: '}', at: i });
    else if (ch === '[') stack.push({ close: ']', at: i });
    else if (ch === '}' || ch === ']') {
      const top = stack.pop();
      if (top && top.close === ch) complete.push({ start: top.at, end: i + 1 });
      else stack.length = 0;
    }
  }
  // Keep the outermost: a span inside a complete one is part of it.
  complete.sort((a, b) => a.start - b.start || b.end - a.end);
  const outer: Array<{ start: number; end: number }> = [];
  for (const span of complete) {
    const last = outer[outer.length - 1];
    if (last && span.start >= last.start && span.end <= last.end) continue;
    outer.push(span);
  }
  return outer;
}
