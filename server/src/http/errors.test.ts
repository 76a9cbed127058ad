import type { Response } from 'express';
import { describe, expect, it } from 'vitest';
import { DomainError, type DomainErrorKind } from '../common/domain-error.js';
import { assertGraphLimits, LimitError } from '../limits.js';
import { domainStatus, errorHandler, HttpError } from './errors.js';

/** A response that records what the error handler sends. */
function recorder() {
  const sent: { status?: number; body?: unknown } = {};
  const res = {
    headersSent: false,
    status(code: number) {
      sent.status = code;
      return this;
    },
    json(body: unknown) {
      sent.body = body;
      return this;
    },
  };
  return { res: res as unknown as Response, sent };
}

function handle(error: unknown) {
  const { res, sent } = recorder();
  errorHandler(error, {} as never, res, () => {
    throw new Error('the handler passed the error on');
  });
  return sent;
}

describe('domain errors over HTTP', () => {
  it('maps each kind to its status, in one table', () => {
    const expected: Record<DomainErrorKind, number> = { invalid: 400, not_found: 404, conflict: 409, unprocessable: 422, too_large: 413, unsupported: 415 };
    for (const [kind, status] of Object.entries(expected)) expect(domainStatus(kind as DomainErrorKind)).toBe(status);
  });

  it('sends a DomainError with its code, message and details, as an HttpError is sent', () => {
    const domain = handle(new DomainError('conflict', 'template_exists', 'a template with id "x" already exists', { id: 'x' }));
    expect(domain).toEqual({ status: 409, body: { error: { code: 'template_exists', message: 'a template with id "x" already exists', details: { id: 'x' } } } });
    const http = handle(new HttpError(409, 'template_exists', 'a template with id "x" already exists', { id: 'x' }));
    expect(http).toEqual(domain);
    expect(handle(new DomainError('not_found', 'not_found', 'no template with id "y"'))).toEqual({ status: 404, body: { error: { code: 'not_found', message: 'no template with id "y"' } } });
  });

  it('sends a graph past the limits as 413, its code naming the limit', () => {
    const nodes = Array.from({ length: 100_000 }, (_, i) => ({ id: `n${i}`, kind: 'template', config: {} }));
    let thrown: unknown;
    try {
      assertGraphLimits({ nodes, edges: [] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LimitError);
    const sent = handle(thrown);
    expect(sent.status).toBe(413);
    expect(sent.body).toMatchObject({ error: { code: 'graph_too_large' } });
  });
});
