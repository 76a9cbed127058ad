/**
 * Reading http node configs written before bodies were built rather than typed: `body` was one template
 * string and `url` carried its query string. Pure functions, used by the config schema's preprocess so
 * the server and the editor read an old config the same way.
 */

/** A JSON body field as the http config stores it. */
export interface LegacyJsonField {
  name: string;
  value: string;
  type: 'string' | 'json';
}

// Private-use characters mark where outputs were while the body is parsed as JSON.
const IN_STRING = (k: number) => `\uE000${k}\uE001`;
const BARE = (k: number) => `\uE002${k}\uE003`;
const BARE_ONLY = /^\uE002(\d+)\uE003$/;
const IN_STRING_ANY = /\uE000(\d+)\uE001/g;

/**
 * Reads an old template body that is a flat JSON object, such as `{"phone": "{{ start.phone }}", "n": {{ n }}}`,
 * as JSON body fields: text inside quotes becomes a `string` field (its outputs now escaped when sent), an
 * output standing alone becomes a `json` field (what it renders is read as JSON, as it was sent), and a
 * constant keeps its value. Null for anything else (tags, nesting around outputs, outputs in keys, text
 * that is not JSON), which stays a raw body.
 */
export function legacyJsonFields(body: string): LegacyJsonField[] | null {
  if (body.includes('{%')) return null;
  const spans: string[] = [];
  let json = '';
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    if (body.startsWith('{{', i)) {
      const close = body.indexOf('}}', i + 2);
      if (close < 0) return null;
      const text = body.slice(i, close + 2);
      json += inString ? IN_STRING(spans.length) : `"${BARE(spans.length)}"`;
      spans.push(text);
      i = close + 1;
      continue;
    }
    const ch = body[i];
    json += ch;
    if (inString && ch === '\\') {
      json += body[i + 1] ?? '';
      i++;
    } else if (ch === '"') {
      inString = !inString;
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const fields: LegacyJsonField[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (/[\uE000-\uE003]/.test(name) || name.length === 0) return null;
    if (typeof value === 'string') {
      const bare = BARE_ONLY.exec(value);
      if (bare) {
        fields.push({ name, value: spans[Number(bare[1])], type: 'json' });
        continue;
      }
      if (/[\uE002\uE003]/.test(value)) return null;
      fields.push({ name, value: value.replace(IN_STRING_ANY, (_m, k: string) => spans[Number(k)]), type: 'string' });
      continue;
    }
    const text = JSON.stringify(value);
    if (/[\uE000-\uE003]/.test(text)) return null;
    fields.push({ name, value: text, type: 'json' });
  }
  // A key given twice in the old text: JSON.parse kept one, so it cannot be read field by field.
  if (new Set(fields.map((f) => f.name)).size !== fields.length || countKeys(json) !== fields.length) return null;
  return fields;
}

/** How many keys the top level of a JSON object text has (to notice duplicates JSON.parse merged). */
function countKeys(json: string): number {
  let depth = 0;
  let keys = 0;
  let inString = false;
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const ch = json[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      if (depth === 1 && expectKey) keys++;
      expectKey = false;
      inString = true;
    } else if (ch === '{' || ch === '[') {
      depth++;
      if (depth === 1) expectKey = true;
    } else if (ch === '}' || ch === ']') {
      depth--;
    } else if (ch === ',' && depth === 1) {
      expectKey = true;
    }
  }
  return keys;
}

/**
 * Splits an old URL's query string off into name/value pairs when every name is plain text, so the
 * values are encoded when sent: `https://x/o?phone={{ start.phone }}&src=ivr`. Null when there is no
 * query, or it is not that simple (a template in a name, a `#`, a bad escape).
 */
export function legacyQuery(url: string): { url: string; query: Array<{ name: string; value: string }> } | null {
  const at = url.indexOf('?');
  if (at < 0 || url.includes('#') || url.includes('{%')) return null;
  // A `?` inside an output, or an output split by `&`, is more than this reading understands.
  if ([...url.matchAll(/\{\{[\s\S]*?\}\}/g)].some((m) => m[0].includes('?') || m[0].includes('&'))) return null;
  const head = url.slice(0, at);
  const query: Array<{ name: string; value: string }> = [];
  for (const part of url.slice(at + 1).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    if (/[{}]{2}/.test(rawName) || rawValue.split('{{').length !== rawValue.split('}}').length) return null;
    const name = decode(rawName);
    const value = decodeAround(rawValue);
    if (name === null || name === '' || value === null) return null;
    query.push({ name, value });
  }
  return { url: head, query };
}

function decode(text: string): string | null {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/** Decodes the text around `{{ … }}` outputs, leaving the outputs as they are. */
function decodeAround(text: string): string | null {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(/\{\{[\s\S]*?\}\}/g)) {
    const before = decode(text.slice(last, m.index));
    if (before === null) return null;
    out += before + m[0];
    last = (m.index ?? 0) + m[0].length;
  }
  const rest = decode(text.slice(last));
  return rest === null ? null : out + rest;
}
