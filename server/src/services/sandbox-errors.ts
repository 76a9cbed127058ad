/** The code sandbox's errors as a node reports them: a stable code, the limit and the setting to change. */
import { NodeError } from '../nodes/kit.js';

/** Why the worker could not return a result (see sandbox-worker.mjs). */
export type WorkerFailureKind = 'timeout' | 'memory' | 'error' | 'output' | 'too_large' | 'too_deep';

export interface WorkerFailure {
  kind: WorkerFailureKind;
  message: string;
  /** The script's line, for `error`. */
  line?: number;
  /** The result's size in UTF-8 bytes (a lower bound when it was refused unread), for `too_large`. */
  bytes?: number;
  logs: string[];
}

/**
 * Turns a worker's failure into the node's error: `code_output_too_large` and `code_output_too_deep` name
 * their limit; the rest keep the worker's kind (`code_timeout`, `code_memory`, `code_error`, `code_output`).
 */
export function workerFailure(failure: WorkerFailure, limits: { maxOutputBytes: number; maxDepth: number }): NodeError {
  const { logs } = failure;
  if (failure.kind === 'too_large') {
    return new NodeError(
      'code_output_too_large',
      `${failure.message}, more than the sandbox's limit of ${limits.maxOutputBytes} bytes for a result; return less (large data belongs in an http node's request, not in a code result)`,
      { details: { limit: 'result_bytes', limit_bytes: limits.maxOutputBytes, result_bytes: failure.bytes, logs } },
    );
  }
  if (failure.kind === 'too_deep') {
    return new NodeError('code_output_too_deep', `${failure.message}; results may nest at most ${limits.maxDepth} levels of arrays and objects (the limit, set by MOFANG_MAX_JSON_DEPTH)`, {
      details: { limit: 'result_depth', limit_depth: limits.maxDepth, setting: 'MOFANG_MAX_JSON_DEPTH', logs },
    });
  }
  return new NodeError(`code_${failure.kind}`, failure.message, { details: { line: failure.line, logs } });
}

/** The pool as it stood when a script gave up waiting. */
export interface QueueState {
  queueTimeoutMs: number;
  poolSize: number;
  perScenario: number;
  /** Scripts running, of every scenario. */
  running: number;
  /** Of those, the waiting script's scenario's. */
  runningThisScenario: number;
  /** Scripts still waiting. */
  queued: number;
}

/** `code_queue_timeout`: no worker took the script within `MOFANG_CODE_QUEUE_MS`; another attempt may find one. */
export function queueTimeout(state: QueueState): NodeError {
  const { queueTimeoutMs, poolSize, perScenario, running, runningThisScenario, queued } = state;
  return new NodeError(
    'code_queue_timeout',
    `the code waited ${queueTimeoutMs} ms (MOFANG_CODE_QUEUE_MS) for a sandbox worker and never started: ${running} of ${poolSize} workers (MOFANG_CODE_WORKERS) ` +
      `were running scripts, ${runningThisScenario} of them this scenario's (a scenario may use ${perScenario} at once, MOFANG_CODE_WORKERS_PER_SCENARIO), ` +
      `and ${queued} more were waiting. The code's own time limit had not begun. Try again, or raise MOFANG_CODE_QUEUE_MS or MOFANG_CODE_WORKERS`,
    {
      retryable: true,
      details: { setting: 'MOFANG_CODE_QUEUE_MS', queue_timeout_ms: queueTimeoutMs, workers: poolSize, per_scenario: perScenario, running, running_this_scenario: runningThisScenario, queued },
    },
  );
}
