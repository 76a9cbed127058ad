/**
 * The JSON limit policy at the HTTP boundary: a body past the limits is refused before any handler
 * reads it (400 for nesting, 413 for size), naming the path, the limit and its setting.
 */
import type { NextFunction, Request, Response } from 'express';
import { breachDetails, breachKind, checkJson, describeBreach } from '../limits.js';
import { domainStatus, sendError } from './errors.js';

type Send = (res: Response, status: number, code: string, message: string, details?: Record<string, unknown>) => void;

/**
 * Express middleware, after a JSON body parser: refuses a body past the limits before any handler
 * reads it, through `send` (the router's own error shape).
 */
export function jsonBodyLimits(send: Send = sendError) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.body === undefined || req.body === null || typeof req.body !== 'object') return next();
    const breach = checkJson(req.body);
    if (!breach) return next();
    send(res, domainStatus(breachKind(breach)), breach.code, describeBreach(breach, 'body'), breachDetails(breach, 'body'));
  };
}
