/**
 * Every error the API sends has the shape `{ error: { code, message, details? } }`; bad input is a 4xx,
 * never a 500.
 */
import { loggableError } from '../storage/db-errors.js';
import type { ErrorRequestHandler, Response } from 'express';
import type { z } from 'zod';
import { issueDetails, type IssueDetail } from '@shared/issues.js';
import { DomainError, type DomainErrorKind } from '../common/domain-error.js';

/** An error with an HTTP status and a stable code, thrown by handlers and rendered by {@link errorHandler}. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** The one place a domain error's kind becomes an HTTP status. */
const STATUS_OF_KIND: Record<DomainErrorKind, number> = { invalid: 400, not_found: 404, conflict: 409, unprocessable: 422, too_large: 413, unsupported: 415 };

/** The HTTP status of a {@link DomainError}'s kind (400, 404, 409, 422, 413 or 415). */
export function domainStatus(kind: DomainErrorKind): number {
  return STATUS_OF_KIND[kind];
}

/** Sends a {@link DomainError} as `{ error: { code, message, details? } }` with its kind's status. */
export function sendDomainError(res: Response, error: DomainError): void {
  sendError(res, domainStatus(error.kind), error.code, error.message, error.details);
}

/** Sends an error reply. */
export function sendError(res: Response, status: number, code: string, message: string, details?: unknown): void {
  res.status(status).json({ error: details === undefined ? { code, message } : { code, message, details } });
}


/** The message of a body-parser "too large" error: the limit in bytes and, when there is one, its setting. */
export function tooLargeMessage(err: unknown, setting?: string): string {
  const limit = typeof err === 'object' && err !== null && 'limit' in err && typeof err.limit === 'number' ? err.limit : undefined;
  const what = limit === undefined ? 'the request body is too large' : `the request body is larger than ${limit} bytes`;
  return setting ? `${what} (the limit, set by ${setting})` : `${what} (the limit for this route)`;
}

/**
 * Zod issues as `[{ path, code, message, params }]` with dotted paths: the client renders `code` and `params`
 * in the reader's language (see `@shared/issues`), `message` is zod's English for tools.
 */
export function issuePaths(error: z.ZodError): IssueDetail[] {
  return issueDetails(error.issues);
}

/** Parses a body with a schema or throws a 400 `invalid_body` naming the failing paths. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const details = issuePaths(parsed.error);
    const first = details[0];
    throw new HttpError(400, 'invalid_body', first ? `invalid request body at "${first.path || '(root)'}": ${first.message}` : 'invalid request body', details);
  }
  return parsed.data;
}

function hasField(value: unknown, key: string): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && key in value;
}

/** The last middleware: maps body-parser failures, HttpErrors and DomainErrors to JSON, anything else to a logged 500. */
export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, next) => {
  if (res.headersSent) {
    next(err);
    return;
  }
  // The client went away mid-request (an upload cut off): nobody is left to answer, and no server fault.
  if (req.destroyed && (hasField(err, 'code') && (err.code === 'ECONNRESET' || err.code === 'ECONNABORTED'))) return;
  if (err instanceof HttpError) {
    sendError(res, err.status, err.code, err.message, err.details);
    return;
  }
  if (err instanceof DomainError) {
    sendDomainError(res, err);
    return;
  }
  const type = hasField(err, 'type') ? err.type : undefined;
  if (type === 'entity.parse.failed') {
    sendError(res, 400, 'invalid_json', 'the request body is not valid JSON');
    return;
  }
  if (type === 'entity.too.large') {
    sendError(res, 413, 'payload_too_large', tooLargeMessage(err));
    return;
  }
  const status = hasField(err, 'status') && typeof err.status === 'number' ? err.status : 500;
  if (status >= 400 && status < 500) {
    const message = err instanceof Error ? err.message : 'bad request';
    sendError(res, status, typeof type === 'string' ? type.replace(/\W+/g, '_') : 'bad_request', message);
    return;
  }
  console.error('[mofang] unhandled error:', loggableError(err));
  sendError(res, 500, 'internal', 'internal server error');
};
