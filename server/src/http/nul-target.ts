/**
 * The NUL rule (shared/src/nul.ts) for a request target: `%00` in the path or the query decodes to
 * U+0000, which path parameters and query values would carry into the store (or into a lookup, which
 * PostgreSQL refuses as it refuses a stored one). Checked on the raw target, before any router decodes it.
 */
import { parse as parseQuery } from 'node:querystring';
import { NulError, showNul } from '../common/nul.js';

/** `%00`, the only way a request target reaches the server with U+0000 (Node refuses the raw byte). */
const ENCODED_NUL = /%00/i;

/**
 * The refusal of a target holding `%00` (400 `nul_character`, details `{ path }`: `query.<name>` for a
 * query parameter's name or value, `url` for the path), or null.
 */
export function nulInTarget(url: string): { code: string; message: string; details: object } | null {
  if (!ENCODED_NUL.test(url)) return null;
  const hash = url.indexOf('#');
  const target = hash === -1 ? url : url.slice(0, hash);
  const q = target.indexOf('?');
  const pathPart = q === -1 ? target : target.slice(0, q);
  let path = 'url';
  if (!ENCODED_NUL.test(pathPart) && q !== -1) {
    const query = parseQuery(target.slice(q + 1));
    const name = Object.keys(query).find((key) => key.includes('\u0000') || [query[key] ?? ''].flat().some((v) => v.includes('\u0000')));
    path = name === undefined ? 'url' : `query.${showNul(name)}`;
  }
  const error = new NulError(path === 'url' ? 'the request path' : 'the query string', { path });
  return { code: error.code, message: error.message, details: error.details };
}
