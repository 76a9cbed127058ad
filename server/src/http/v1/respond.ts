/**
 * How `/v1` answers errors: the common `{ error: { code, message, details } }` plus a top-level
 * `run_id` (also in `details.run_id`); and how a failed run's error code maps to an HTTP status.
 */
import { loggableMessage } from '../../storage/db-errors.js';
import type { ServerResponse } from 'node:http';
import type { RunError } from '@shared/events.js';
import { maskSecrets } from '../../keys/secret.js';
import { tooLargeMessage } from '../errors.js';

// Plain Node responses (an Express one is one too): the run operation's fast lane answers without Express.
const runIds = new WeakMap<ServerResponse, string>();

/** Gives the response its run id: the `X-Run-Id` header, and `run_id` in any error body. */
export function setRunId(res: ServerResponse, id: string): void {
  runIds.set(res, id);
  res.setHeader('X-Run-Id', id);
}

/** The request's run id, assigned by the first /v1 middleware. */
export function runIdOf(res: ServerResponse): string {
  return runIds.get(res) ?? '';
}

/** Sends a /v1 error; `extra` adds top-level fields (a failed run's usage, latency, model…). */
export function sendV1Error(res: ServerResponse, status: number, code: string, message: string, details: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): void {
  const runId = runIdOf(res);
  sendJson(res, status, { error: { code, message, details: { ...details, run_id: runId } }, run_id: runId, ...extra });
}

/** Sends a JSON body with its status, type and length (what Express's res.json does, without Express). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

/** The message of 400 `invalid_json`. */
export const INVALID_JSON = 'the request body is not valid JSON';

/** A body that is not JSON (or not an object or array at the top): 400 `invalid_json`. */
export function sendInvalidJson(res: ServerResponse): void {
  sendV1Error(res, 400, 'invalid_json', INVALID_JSON);
}

/** A body past its byte limit (`limit`, bytes, when known; `setting` names it): 413 `payload_too_large`. */
export function sendBodyTooLarge(res: ServerResponse, limit: number | undefined, setting?: string): void {
  sendV1Error(res, 413, 'payload_too_large', tooLargeMessage({ limit }, setting));
}

/** Anything unexpected: logged with the run id (masked: a message could quote a header or a key), 500 `internal`. */
export function sendInternalError(res: ServerResponse, error: unknown): void {
  console.error(`[mofang] /v1 error (run ${runIdOf(res)}): ${maskSecrets(loggableMessage(error))}`);
  if (!res.headersSent) sendV1Error(res, 500, 'internal', 'internal server error');
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
