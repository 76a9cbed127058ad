import type { RunError } from '@shared/events.js';
import type { ModelErrorCodeName } from '@shared/run-errors.js';
import { ModelError, type ModelErrorCode } from '../../model/types.js';
import { NodeError } from '../../nodes/kit.js';
import type { RunErrorCode } from './runtime.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** The model client's error codes are the shared list the client translates: a new one fails here until it is listed. */
export const MODEL_ERROR_CODES_LISTED: Same<ModelErrorCode, ModelErrorCodeName> = true;

/** Why an attempt's signal fired. */
export type AbortCause = 'deadline' | 'cancelled' | 'node_timeout' | 'run_failed';

/** A node failure as the runtime sees it: retry or not, and the run error it becomes. */
export interface Classified {
  retryable: boolean;
  retryAfterMs?: number;
  error: RunError;
}

/** Maps anything a node threw to a run error code, keeping the underlying code in details. */
export function classifyError(error: unknown, nodeId: string, cause: AbortCause | undefined, timeoutMs: number | undefined): Classified {
  if (cause === 'deadline') return { retryable: false, error: { code: 'deadline_exceeded' satisfies RunErrorCode, message: 'the run passed its deadline', nodeId } };
  if (cause === 'cancelled') return { retryable: false, error: { code: 'cancelled' satisfies RunErrorCode, message: 'the run was cancelled', nodeId } };
  if (cause === 'node_timeout') {
    const isModel = error instanceof ModelError;
    return {
      retryable: true,
      error: {
        code: isModel ? 'model_error' : 'node_error',
        message: `node "${nodeId}" timed out after ${timeoutMs} ms, its timeoutMs setting; raise it in the node's settings if the work needs longer`,
        nodeId,
        details: { cause: 'timeout', setting: 'timeoutMs', timeout_ms: timeoutMs },
      },
    };
  }
  if (error instanceof ModelError) {
    return {
      retryable: error.retryable,
      retryAfterMs: error.retryAfterMs,
      error: { code: 'model_error', message: error.message, nodeId, details: { model_error: error.code, status: error.status } },
    };
  }
  if (error instanceof NodeError) {
    const code: RunErrorCode = error.code.startsWith('http_') ? 'http_error' : error.code === 'code_queue_timeout' ? 'code_queue_timeout' : error.code.startsWith('code_') ? 'code_error' : error.code === 'invalid_outputs' ? 'invalid_outputs' : error.code === 'invalid_inputs' ? 'invalid_inputs' : error.code.startsWith('model_') ? 'model_error' : 'node_error';
    return { retryable: error.retryable, retryAfterMs: error.retryAfterMs, error: { code, message: error.message, nodeId, details: { node_error: error.code, ...(error.details === undefined ? {} : { info: error.details }) } } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { retryable: false, error: { code: 'node_error', message: `node "${nodeId}" failed: ${message}`, nodeId } };
}

/** Exponential backoff with full jitter, or the server's Retry-After when it gave one. */
export function backoffMs(attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, 30_000);
  const cap = Math.min(200 * 2 ** (attempt - 1), 5_000);
  return cap / 2 + Math.random() * (cap / 2);
}
