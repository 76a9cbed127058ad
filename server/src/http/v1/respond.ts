/**
 * How `/v1` answers errors: the common `{ error: { code, message, details } }` plus a top-level
 * `run_id` (also in `details.run_id`); and how a failed run's error code maps to an HTTP status.
 */
import type { Response } from 'express';
import type { RunError } from '@shared/events.js';

const runIds = new WeakMap<Response, string>();

/** Gives the response its run id: the `X-Run-Id` header, and `run_id` in any error body. */
export function setRunId(res: Response, id: string): void {
  runIds.set(res, id);
  res.setHeader('X-Run-Id', id);
}

/** The request's run id, assigned by the first /v1 middleware. */
export function runIdOf(res: Response): string {
  return runIds.get(res) ?? '';
}

/** Sends a /v1 error; `extra` adds top-level fields (a failed run's usage, latency, model…). */
export function sendV1Error(res: Response, status: number, code: string, message: string, details: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): void {
  const runId = runIdOf(res);
  res.status(status).json({ error: { code, message, details: { ...details, run_id: runId } }, run_id: runId, ...extra });
}

/** Status and public code for a run that failed with `error`. */
export function failureStatus(error: RunError | undefined): { status: number; code: string } {
  switch (error?.code) {
    case 'model_error':
    case 'http_error':
      return { status: 502, code: error.code };
    case 'deadline_exceeded':
      return { status: 504, code: 'deadline_exceeded' };
    case 'code_queue_timeout':
      return { status: 503, code: 'code_queue_timeout' };
    case 'invalid_inputs':
      return { status: 400, code: 'invalid_inputs' };
    default:
      return { status: 422, code: 'run_failed' };
  }
}

export { wantsEventStream } from '../sse.js';
