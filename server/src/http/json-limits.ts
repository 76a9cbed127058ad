/**
 * The JSON limit policy at the HTTP boundary: a body past the limits is refused before any handler
 * reads it (400 for nesting, 413 for size), naming the path, the limit and its setting; so is a body
 * holding U+0000 in any string or key (400 `nul_character`, naming the path: the NUL rule, shared/src/nul.ts).
 */
import type { NextFunction, Request, Response } from 'express';
import { breachDetails, breachKind, checkJson, describeBreach } from '../limits.js';
import { nulRefusal } from '../common/nul.js';
import { domainStatus, sendError } from './errors.js';

type Send<R> = (res: R, status: number, code: string, message: string, details?: Record<string, unknown>) => void;

/**
 * Refuses a parsed body past the JSON limits through `send` (400 for nesting, 413 for size, naming the
 * path, the limit and its setting), or holding U+0000 (400 `nul_character`, details `{ path, in_key? }`,
 * e.g. `body.turns.3.text`); returns whether it did. Numbers, booleans and null pass.
 */
export function refuseBodyPastLimits<R>(body: unknown, res: R, send: Send<R>): boolean {
  if (typeof body === 'object' && body !== null) {
    const breach = checkJson(body);
    if (breach) {
      send(res, domainStatus(breachKind(breach)), breach.code, describeBreach(breach, 'body'), breachDetails(breach, 'body'));
      return true;
    }
  } else if (typeof body !== 'string') return false;
  const nul = nulRefusal(body, 'body', 'the request body');
  if (!nul) return false;
  send(res, domainStatus(nul.kind), nul.code, nul.message, { ...nul.details });
  return true;
}

/**
 * Express middleware, after a JSON body parser: refuses a body past the limits before any handler
 * reads it, through `send` (the router's own error shape).
 */
export function jsonBodyLimits(send: Send<Response> = sendError) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!refuseBodyPastLimits(req.body, res, send)) next();
  };
}
