/**
 * Builds the parts of an http node's request from rendered values: the URL with its query parameters
 * encoded, header values without line breaks, and the body as a JSON object serialised whole or as
 * text with its content type. Nothing here concatenates a caller's text into JSON or a query string.
 */
import { isJsonContentType, type HttpFieldType } from '@shared/nodes/http.js';
import { NodeError } from './kit.js';

/** The URL with each parameter appended to its query string, encoded (`&`, `=`, `#` and all). */
export function buildUrl(target: string, query: Array<{ name: string; value: string }>): string {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new NodeError('http_bad_url', `not a valid URL: ${target.slice(0, 200)}`, { details: { field: 'url' } });
  }
  for (const param of query) url.searchParams.append(param.name, param.value);
  return url.toString();
}

/** A rendered header value, refused when it holds a line break (which would start another header). */
export function headerValue(name: string, value: string, index: number): string {
  if (/[\r\n\0]/.test(value)) {
    throw new NodeError('http_bad_header', `the value of header ${name} holds a line break or NUL, which a header cannot carry; remove it from what headers.${index}.value renders`, {
      details: { field: `headers.${index}.value`, header: name },
    });
  }
  return value;
}

/**
 * One JSON body field's value read as its type says (see HTTP_FIELD_TYPES): absent values are null.
 * Throws `http_bad_body` naming the field when the text is not a number, a boolean or JSON as asked.
 */
export function fieldValue(name: string, index: number, type: HttpFieldType, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  const bad = (what: string) =>
    new NodeError('http_bad_body', `JSON body field "${name}" should be ${what} but its value is ${excerpt(value)}; change the field's type or its value`, {
      details: { field: `body.fields.${index}.value`, name, type },
    });
  if (type === 'auto') return value;
  if (type === 'string') return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (typeof value === 'string' && value.trim() === '') return null;
  if (type === 'number') {
    const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
    if (!Number.isFinite(n)) throw bad('a number');
    return n;
  }
  if (type === 'boolean') {
    if (typeof value === 'boolean') return value;
    const text = String(value).trim().toLowerCase();
    if (text === 'true' || text === 'false') return text === 'true';
    throw bad('true or false');
  }
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw bad('JSON');
  }
}

/** A raw body checked against its content type: JSON text must parse, so a broken body is never sent. */
export function rawBody(text: string, contentType: string): string {
  if (text !== '' && isJsonContentType(contentType)) {
    try {
      JSON.parse(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new NodeError(
        'http_bad_body',
        `the raw body is sent as ${contentType} but is not valid JSON (${reason}); build it in the JSON body mode, where each value is escaped, or use the | json filter on each value`,
        { details: { field: 'body.text', excerpt: excerpt(text) } },
      );
    }
  }
  return text;
}

function excerpt(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
