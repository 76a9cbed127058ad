import { Worker } from 'node:worker_threads';
import { NodeError, type CodeSandbox } from '../nodes/kit.js';

/** How long past its time limit a job may go before the host terminates its worker. */
export const SANDBOX_KILL_MARGIN_MS = 500;

export interface SandboxOptions {
  /** Worker threads, started lazily (default 2). */
  poolSize?: number;
  /** Grace past `timeoutMs` before the host kills the worker (default {@link SANDBOX_KILL_MARGIN_MS}). */
  killMarginMs?: number;
  /** Largest JSON result accepted, in bytes (default 5 MB). */
  maxOutputBytes?: number;
}

export type SandboxLimits = Parameters<CodeSandbox['run']>[2];

/** A successful run with what the script printed. */
export interface SandboxRun {
  result: Record<string, unknown>;
  logs: string[];
}

/** A sandbox that can also report the script's `console.log` lines, and be shut down. */
export interface ManagedSandbox extends CodeSandbox {
  run(code: string, inputs: Record<string, unknown>, limits: SandboxLimits): Promise<Record<string, unknown>>;
  runDetailed(code: string, inputs: Record<string, unknown>, limits: SandboxLimits): Promise<SandboxRun>;
  close(): Promise<void>;
}

interface Job {
  id: number;
  code: string;
  inputs: string;
  timeoutMs: number;
  memoryMb: number;
  signal?: AbortSignal;
  resolve(run: SandboxRun): void;
  reject(error: Error): void;
  cleanup(): void;
}

interface Slot {
  worker: Worker;
  /** Written by the worker with the id of a job that outgrew its memory, just before the thread stops. */
  memoryFlag: Int32Array;
  ready: boolean;
  job?: Job;
  timer?: NodeJS.Timeout;
}

type Reply =
  | { ready: true }
  | { id: number; ok: true; json: string; logs: string[] }
  | { id: number; ok: false; kind: 'timeout' | 'memory' | 'error' | 'output'; message: string; line?: number; logs: string[] };

const WORKER_URL = new URL('./sandbox-worker.mjs', import.meta.url);

/**
 * Creates the QuickJS code sandbox: a small pool of worker threads, each running one script at a time
 * under a memory limit, a stack limit and an interrupt deadline, with a host-side kill as the backstop.
 * Idle workers do not keep the process alive; call `close()` on shutdown.
 */
export function createSandbox(options: SandboxOptions = {}): ManagedSandbox {
  const poolSize = Math.max(1, options.poolSize ?? 2);
  const killMarginMs = options.killMarginMs ?? SANDBOX_KILL_MARGIN_MS;
  const maxOutputBytes = options.maxOutputBytes ?? 5 * 1024 * 1024;
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextId = 1;
  let closed = false;
  let startFailures = 0;

  function updateRefs(): void {
    for (const slot of slots) {
      if (slot.job || (!slot.ready && queue.length > 0)) slot.worker.ref();
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
      job.cleanup();
      job.reject(error);
    }
    // A worker that dies before it is ready would die again: fail the waiting jobs instead of respawning forever.
    if (!slot.ready && ++startFailures >= 2) {
      startFailures = 0;
      for (const waiting of queue.splice(0)) {
        waiting.cleanup();
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
    job.cleanup();
    if (reply.ok) settleSuccess(job, reply.json, reply.logs);
    else job.reject(new NodeError(`code_${reply.kind}`, reply.message, { details: { line: reply.line, logs: reply.logs } }));
    pump();
  }

  function settleSuccess(job: Job, json: string, logs: string[]): void {
    let result: unknown;
    try {
      result = JSON.parse(json);
    } catch {
      job.reject(new NodeError('code_output', 'the result is not valid JSON', { details: { logs } }));
      return;
    }
    if (!isRecord(result)) job.reject(new NodeError('code_output', 'main must return an object', { details: { logs } }));
    else job.resolve({ result, logs });
  }

  function pump(): void {
    if (closed) return;
    while (queue.length > 0) {
      const slot = slots.find((s) => s.ready && !s.job);
      if (!slot) break;
      const job = queue.shift();
      if (!job) break;
      dispatch(slot, job);
    }
    const starting = slots.filter((s) => !s.ready).length;
    if (queue.length > starting && slots.length < poolSize) spawn();
    updateRefs();
  }

  function dispatch(slot: Slot, job: Job): void {
    slot.job = job;
    slot.timer = setTimeout(() => {
      fail(slot, new NodeError('code_timeout', `the code ran past its time limit of ${job.timeoutMs} ms and was stopped`));
    }, job.timeoutMs + killMarginMs);
    slot.worker.postMessage({ id: job.id, code: job.code, inputs: job.inputs, timeoutMs: job.timeoutMs, memoryMb: job.memoryMb, maxOutputBytes });
  }

  function abort(job: Job): void {
    const error = new NodeError('code_cancelled', 'the code run was cancelled', { cause: job.signal?.reason });
    const queued = queue.indexOf(job);
    if (queued >= 0) {
      queue.splice(queued, 1);
      job.cleanup();
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
      const onAbort = (): void => abort(job);
      const job: Job = {
        id: nextId++,
        code,
        inputs: inputsJson,
        timeoutMs: limits.timeoutMs,
        memoryMb: limits.memoryMb,
        signal,
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(job);
      pump();
    });
  }

  return {
    runDetailed,
    async run(code, inputs, limits) {
      return (await runDetailed(code, inputs, limits)).result;
    },
    async close() {
      closed = true;
      const error = new NodeError('code_cancelled', 'the sandbox was closed');
      for (const job of queue.splice(0)) {
        job.cleanup();
        job.reject(error);
      }
      const running = slots.splice(0);
      await Promise.all(
        running.map(async (slot) => {
          if (slot.timer) clearTimeout(slot.timer);
          slot.worker.removeAllListeners();
          if (slot.job) {
            slot.job.cleanup();
            slot.job.reject(error);
          }
          await slot.worker.terminate();
        }),
      );
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
