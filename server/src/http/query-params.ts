/**
 * A route's query parameters held to what it reads: each at most once, as plain text, and none it does
 * not read. Express 5's query parser keeps `?revision[]=1` as a parameter named `revision[]` and a
 * repeated `?revision=1&revision=2` as an array; a route that read only `revision` would silently
 * ignore the first and misread the second. Refusals are `invalid` `invalid_query_param` with details
 * `{ param, reason, accepted }` (`reason`: `repeated`, `unknown` or `not_whole_number`), which the client says
 * in the UI language.
 */
import type { RequestHandler } from 'express';
import { DomainError } from '../common/domain-error.js';

/**
 * The refusal for one parameter: what is wrong (`reason`: `repeated`, `unknown`, or `not_whole_number`
 * with `range` `[min, max]`) and which parameters the route reads.
 */
export function queryParamError(param: string, reason: 'repeated' | 'unknown' | 'not_whole_number', accepted: readonly string[], range?: [number, number]): DomainError {
  const said =
    reason === 'repeated'
      ? `the query parameter "${param}" is given more than once (or as a list); give it once`
      : reason === 'unknown'
        ? `this request reads no query parameter "${param}"; it reads ${accepted.length === 0 ? 'none' : accepted.join(', ')}`
        : `the query parameter "${param}" must be a whole number from ${range?.[0]} to ${range?.[1]}`;
  return new DomainError('invalid', 'invalid_query_param', said, { param, reason, accepted: [...accepted], ...(range ? { min: range[0], max: range[1] } : {}) });
}

/**
 * Checks a parsed query: every key among `accepted`, every value one string. Throws
 * {@link queryParamError} (`unknown` or `repeated`) for the first that is not.
 */
export function checkQuery(query: unknown, accepted: readonly string[]): void {
  if (typeof query !== 'object' || query === null) return;
  for (const [key, value] of Object.entries(query)) {
    if (!accepted.includes(key)) throw queryParamError(key, 'unknown', accepted);
    if (typeof value !== 'string') throw queryParamError(key, 'repeated', accepted);
  }
}

/** Middleware: the request's query holds only `accepted` parameters, each once (see {@link checkQuery}). */
export function acceptsQuery<P = Record<string, string>>(...accepted: string[]): RequestHandler<P> {
  return (req, _res, next) => {
    checkQuery(req.query, accepted);
    next();
  };
}
