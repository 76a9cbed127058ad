import { isRecord } from '@shared/json.js';
import { jsonLimits } from '../limits.js';
import { Worker } from 'node:worker_threads';
import type { SandboxLoad } from '@shared/api.js';
import { NodeError, type CodeSandbox } from '../nodes/kit.js';
import { queueTimeout, workerFailure, type WorkerFailure } from './sandbox-errors.js';
import { FairQueue } from './sandbox-queue.js';

/** How long past its time limit a job may go before the host terminates its worker. */
export const SANDBOX_KILL_MARGIN_MS = 500;
/** Worker threads when not configured (`MOFANG_CODE_WORKERS`). */
export const DEFAULT_CODE_WORKERS = 2;
/** How long a job may wait for a worker when not configured (`MOFANG_CODE_QUEUE_MS`). */
export const DEFAULT_CODE_QUEUE_MS = 10_000;
/** Largest result, in UTF-8 bytes of its JSON. */
export const CODE_RESULT_MAX_BYTES = 5 * 1024 * 1024;
/** Deepest nesting of arrays and objects in a result (`{}` is 1 level). */
export const CODE_RESULT_MAX_DEPTH = 64;

export interface SandboxOptions {
  /** Worker threads, started lazily (default {@link DEFAULT_CODE_WORKERS}; `MOFANG_CODE_WORKERS`). */
  poolSize?: number;
  /**
   * The most workers one scenario's jobs may hold at once (default: all but one of the pool, at least 1;
   * `MOFANG_CODE_WORKERS_PER_SCENARIO`), so other scenarios always find a worker.
   */
  perScenario?: number;
  /** How long a job may wait for a worker, in ms, before it fails with `code_queue_timeout` (default {@link DEFAULT_CODE_QUEUE_MS}). */
  queueTimeoutMs?: number;
  /** Grace past `timeoutMs` before the host kills the worker (default {@link SANDBOX_KILL_MARGIN_MS}). */
  killMarginMs?: number;
  /** Largest result accepted, in UTF-8 bytes of its JSON (default {@link CODE_RESULT_MAX_BYTES}). */
  maxOutputBytes?: number;
  /** Deepest result accepted (default {@link CODE_RESULT_MAX_DEPTH}). */
  maxDepth?: number;
}

export type SandboxLimits = Parameters<CodeSandbox['run']>[2];

/** A successful run with what the script printed. */
export interface SandboxRun {
  result: Record<string, unknown>;
  logs: string[];
}

/** A sandbox that can also report the script's `console.log` lines, and be shut down. */
export interface ManagedSandbox extends CodeSandbox {
  readonly queueTimeoutMs: number;
  run(code: string, inputs: Record<string, unknown>, limits: SandboxLimits): Promise<Record<string, unknown>>;
  runDetailed(code: string, inputs: Record<string, unknown>, limits: SandboxLimits): Promise<SandboxRun>;
  stats(): SandboxLoad;
  close(): Promise<void>;
}

interface Job {
  id: number;
  /** The fairness lane: the scenario (jobs that name none share one lane). */
  key: string;
  code: string;
  inputs: string;
  timeoutMs: number;
  memoryMb: number;
  signal?: AbortSignal;
  /** Set while the job holds a worker (counted against its scenario's share). */
  running: boolean;
  queueTimer?: NodeJS.Timeout;
  resolve(run: SandboxRun): void;
  reject(error: Error): void;
  onAbort(): void;
}

interface Slot {
  worker: Worker;
  /** Written by the worker with the id of a job that outgrew its memory, just before the thread stops. */
  memoryFlag: Int32Array;
  ready: boolean;
  job?: Job;
  timer?: NodeJS.Timeout;
}

type Reply = { ready: true } | { id: number; ok: true; json: string; logs: string[] } | ({ id: number; ok: false } & WorkerFailure);

const WORKER_URL = new URL('./sandbox-worker.mjs', import.meta.url);

/**
 * Creates the QuickJS code sandbox: a small pool of worker threads, each running one script at a time
 * under a memory limit, a stack limit and an interrupt deadline, with a host-side kill as the backstop.
 * Jobs wait in a {@link FairQueue}: scenarios take turns and none may hold more than `perScenario`
 * workers. A job's time limit starts when a worker takes it; waiting has its own limit (`queueTimeoutMs`).
 * Idle workers do not keep the process alive; call `close()` on shutdown.
 */
export function createSandbox(options: SandboxOptions = {}): ManagedSandbox {
  const poolSize = Math.max(1, options.poolSize ?? DEFAULT_CODE_WORKERS);
  const perScenario = Math.min(poolSize, Math.max(1, options.perScenario ?? poolSize - 1));
  const queueTimeoutMs = options.queueTimeoutMs ?? DEFAULT_CODE_QUEUE_MS;
  const killMarginMs = options.killMarginMs ?? SANDBOX_KILL_MARGIN_MS;
  const maxOutputBytes = options.maxOutputBytes ?? CODE_RESULT_MAX_BYTES;
  // The JSON limit policy's depth (MOFANG_MAX_JSON_DEPTH), which the engine would refuse anyway.
  const maxDepth = options.maxDepth ?? jsonLimits().depth ?? CODE_RESULT_MAX_DEPTH;
  const slots: Slot[] = [];
  const queue = new FairQueue<Job>(perScenario);
  let nextId = 1;
  let closed = false;
  let startFailures = 0;

  /** Ends a job's claims: its queue timer, its abort listener and its place under its scenario's share. */
  function settle(job: Job): void {
    if (job.queueTimer) clearTimeout(job.queueTimer);
    job.queueTimer = undefined;
    job.signal?.removeEventListener('abort', job.onAbort);
    if (job.running) {
      job.running = false;
      queue.release(job.key);
    }
  }

  function updateRefs(): void {
    for (const slot of slots) {
      if (slot.job || (!slot.ready && queue.size > 0)) slot.worker.ref();
      else slot.worker.unref();
    }
  }

  function retire(slot: Slot): void {
    const index = slots.indexOf(slot);
    if (index >= 0) slots.splice(index, 1);
    if (slot.timer) clearTimeout(slot.timer);
    slot.worker.removeAllListeners();
    // A crashed worker may already be gone; terminate() is then a no-op.
    void slot.worker.terminate().catch(() => undefined);
  }

  /** Ends the slot's job (if any) with an error and replaces the worker. */
  function fail(slot: Slot, error: Error): void {
    const job = slot.job;
    slot.job = undefined;
    retire(slot);
    if (job) {
      settle(job);
      job.reject(error);
    }
    // A worker that dies before it is ready would die again: fail the waiting jobs instead of respawning forever.
    if (!slot.ready && ++startFailures >= 2) {
      startFailures = 0;
      for (const waiting of queue.drain()) {
        settle(waiting);
        waiting.reject(new NodeError('code_error', `the code sandbox could not start: ${error.message}`));
      }
    }
    pump();
  }

  function spawn(): void {
    const flag = new SharedArrayBuffer(4);
    const worker = new Worker(WORKER_URL, { workerData: { memoryFlag: flag }, resourceLimits: { maxOldGenerationSizeMb: 128, stackSizeMb: 4 } });
    const slot: Slot = { worker, memoryFlag: new Int32Array(flag), ready: false };
    slots.push(slot);
    worker.on('message', (reply: Reply) => onReply(slot, reply));
    worker.on('error', (error: Error & { code?: string }) => {
      const memory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      fail(slot, new NodeError(memory ? 'code_memory' : 'code_error', memory ? 'the code ran out of memory' : `the sandbox crashed: ${error.message}`));
    });
    worker.on('exit', () => {
      const job = slot.job;
      if (job && Atomics.load(slot.memoryFlag, 0) === job.id) fail(slot, new NodeError('code_memory', `the code used more than its memory limit of ${job.memoryMb} MB and was stopped`));
      else fail(slot, new NodeError('code_error', 'the sandbox stopped unexpectedly'));
    });
    updateRefs();
  }

  function onReply(slot: Slot, reply: Reply): void {
    if ('ready' in reply) {
      slot.ready = true;
      startFailures = 0;
      pump();
      return;
    }
    const job = slot.job;
    if (!job || job.id !== reply.id) return;
    clearTimeout(slot.timer);
    slot.job = undefined;
    slot.timer = undefined;
    settle(job);
    if (reply.ok) settleSuccess(job, reply.json, reply.logs);
    else job.reject(workerFailure(reply, { maxOutputBytes, maxDepth }));
    pump();
  }

  function settleSuccess(job: Job, json: string, logs: string[]): void {
    // Measured again here: the cap is on the bytes the host receives, whatever the worker reported.
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > maxOutputBytes) {
      job.reject(workerFailure({ kind: 'too_large', message: `the result is ${bytes} bytes`, bytes, logs }, { maxOutputBytes, maxDepth }));
      return;
    }
    let result: unknown;
    try {
      result = JSON.parse(json);
    } catch {
      job.reject(new NodeError('code_output', 'the result is not valid JSON', { details: { logs } }));
      return;
    }
    if (!isRecord(result)) job.reject(new NodeError('code_output', `main must return an object, got ${Array.isArray(result) ? 'an array' : result === null ? 'null' : typeof result}`, { details: { logs } }));
    else job.resolve({ result, logs });
  }

  function pump(): void {
    if (closed) return;
    while (queue.size > 0) {
      const slot = slots.find((s) => s.ready && !s.job);
      if (!slot) break;
      const next = queue.take();
      if (!next) break;
      dispatch(slot, next.item);
    }
    const starting = slots.filter((s) => !s.ready).length;
    for (let wanted = queue.startable() - starting; wanted > 0 && slots.length < poolSize; wanted--) spawn();
    updateRefs();
  }

  function dispatch(slot: Slot, job: Job): void {
    if (job.queueTimer) clearTimeout(job.queueTimer);
    job.queueTimer = undefined;
    job.running = true;
    slot.job = job;
    slot.timer = setTimeout(() => {
      fail(slot, new NodeError('code_timeout', `the code ran past its time limit of ${job.timeoutMs} ms and was stopped`));
    }, job.timeoutMs + killMarginMs);
    slot.worker.postMessage({ id: job.id, code: job.code, inputs: job.inputs, timeoutMs: job.timeoutMs, memoryMb: job.memoryMb, maxOutputBytes, maxDepth });
  }

  function expire(job: Job): void {
    job.queueTimer = undefined;
    if (!queue.remove(job.key, job)) return;
    settle(job);
    job.reject(queueTimeout({ queueTimeoutMs, poolSize, perScenario, running: queue.active, runningThisScenario: queue.runningOf(job.key), queued: queue.size }));
    updateRefs();
  }

  function abort(job: Job): void {
    const error = new NodeError('code_cancelled', 'the code run was cancelled', { cause: job.signal?.reason });
    if (queue.remove(job.key, job)) {
      settle(job);
      job.reject(error);
      updateRefs();
      return;
    }
    const slot = slots.find((s) => s.job === job);
    if (slot) fail(slot, error);
  }

  function runDetailed(code: string, inputs: Record<string, unknown>, limits: SandboxLimits): Promise<SandboxRun> {
    if (closed) return Promise.reject(new NodeError('code_cancelled', 'the sandbox is closed'));
    const signal = limits.signal;
    if (signal?.aborted) return Promise.reject(new NodeError('code_cancelled', 'the code run was cancelled', { cause: signal.reason }));
    let inputsJson: string;
    try {
      inputsJson = JSON.stringify(inputs);
    } catch (error) {
      return Promise.reject(new NodeError('code_error', `the inputs are not JSON: ${error instanceof Error ? error.message : String(error)}`));
    }
    return new Promise<SandboxRun>((resolve, reject) => {
      const job: Job = {
        id: nextId++,
        key: limits.scenario ?? '',
        code,
        inputs: inputsJson,
        timeoutMs: limits.timeoutMs,
        memoryMb: limits.memoryMb,
        signal,
        running: false,
        resolve,
        reject,
        onAbort: () => abort(job),
      };
      signal?.addEventListener('abort', job.onAbort, { once: true });
      job.queueTimer = setTimeout(() => expire(job), queueTimeoutMs);
      queue.push(job.key, job, limits.priority ?? 0);
      pump();
    });
  }

  return {
    queueTimeoutMs,
    runDetailed,
    async run(code, inputs, limits) {
      return (await runDetailed(code, inputs, limits)).result;
    },
    stats: () => ({ workers: slots.filter((s) => s.ready).length, starting: slots.filter((s) => !s.ready).length, pool_size: poolSize, per_scenario: perScenario, running: queue.active, queued: queue.size, queue_timeout_ms: queueTimeoutMs }),
    async close() {
      closed = true;
      const error = new NodeError('code_cancelled', 'the sandbox was closed');
      for (const job of queue.drain()) {
        settle(job);
        job.reject(error);
      }
      const running = slots.splice(0);
      await Promise.all(
        running.map(async (slot) => {
          if (slot.timer) clearTimeout(slot.timer);
          slot.worker.removeAllListeners();
          if (slot.job) {
            settle(slot.job);
            slot.job.reject(error);
          }
          await slot.worker.terminate();
        }),
      );
    },
  };
}
