/**
 * The JSON limit policy at the HTTP boundary: a body past the limits is refused before any handler
 * reads it (400 for nesting, 413 for size), naming the path, the limit and its setting.
 */
import type { NextFunction, Request, Response } from 'express';
import { breachDetails, breachKind, checkJson, describeBreach } from '../limits.js';
import { domainStatus, sendError } from './errors.js';

type Send<R> = (res: R, status: number, code: string, message: string, details?: Record<string, unknown>) => void;

/**
 * Refuses a parsed body past the JSON limits through `send` (400 for nesting, 413 for size, naming the
 * path, the limit and its setting); returns whether it did. Anything but an object or array passes.
 */
export function refuseBodyPastLimits<R>(body: unknown, res: R, send: Send<R>): boolean {
  if (body === undefined || body === null || typeof body !== 'object') return false;
  const breach = checkJson(body);
  if (!breach) return false;
  send(res, domainStatus(breachKind(breach)), breach.code, describeBreach(breach, 'body'), breachDetails(breach, 'body'));
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
