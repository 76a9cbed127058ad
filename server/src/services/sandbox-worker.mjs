// Worker thread of the code sandbox: runs user JavaScript in QuickJS (WebAssembly), one job at a time.
// Plain .mjs so it loads without a TypeScript loader. The host (sandbox.ts) kills this thread if it
// overruns its deadline, so everything here may assume it can be terminated at any instruction.
import { parentPort, workerData } from 'node:worker_threads';
import { newQuickJSWASMModuleFromVariant, newVariant } from 'quickjs-emscripten-core';
import RELEASE_SYNC from '@jitl/quickjs-wasmfile-release-sync';

/** @typedef {{ id: number, code: string, inputs: string, timeoutMs: number, memoryMb: number, maxOutputBytes: number }} Job */
/** @typedef {'timeout' | 'memory' | 'error' | 'output'} FailKind */
/** @typedef {{ id: number, ok: true, json: string, logs: string[] } | { id: number, ok: false, kind: FailKind, message: string, line?: number, logs: string[] }} Reply */

const FILE = 'code.js';
/** Small enough that deep recursion hits QuickJS's own check before the thread's native stack. */
const STACK_BYTES = 256 * 1024;
const MAX_LOGS = 200;
const MAX_LOG_CHARS = 2000;

/**
 * Runs `main(JSON.parse(inputs))` and settles its promise. Returns a state object that `FINISH`
 * turns into one JSON string, so the host reads a single string and holds few handles.
 */
const START = `(function (inputsJson) {
  const state = { done: false };
  if (typeof main !== 'function') {
    state.done = true; state.ok = false;
    state.error = new TypeError('the code must define function main(inputs)');
    return state;
  }
  Promise.resolve().then(() => main(JSON.parse(inputsJson))).then(
    (value) => { state.done = true; state.ok = true; state.value = value; },
    (error) => { state.done = true; state.ok = false; state.error = error; });
  return state;
})`;

const FINISH = `(function (state) {
  const describe = (e) => {
    if (e instanceof Error) return { name: String(e.name).slice(0, 100), message: String(e.message).slice(0, 2000), stack: String(e.stack || '').slice(0, 2000), lineNumber: e.lineNumber };
    let text; try { text = JSON.stringify(e); } catch (_) { text = String(e); }
    text = String(text).slice(0, 2000);
    return { name: 'Error', message: 'main threw a non-Error value: ' + text, stack: '' };
  };
  if (!state.done) return JSON.stringify({ error: { name: 'Error', message: "main's promise never settled", stack: '' } });
  if (!state.ok) return JSON.stringify({ error: describe(state.error) });
  const v = state.value;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    return JSON.stringify({ output: 'main must return an object, got ' + (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v) });
  }
  let json;
  try { json = JSON.stringify(v); } catch (e) { return JSON.stringify({ output: 'the result is not JSON-serialisable: ' + String(e && e.message) }); }
  return JSON.stringify({ json });
})`;

const CONSOLE = `(function (emit) {
  const show = (x) => { if (typeof x === 'string') return x; try { const j = JSON.stringify(x); return j === undefined ? String(x) : j; } catch (_) { return String(x); } };
  const log = (...args) => emit(args.map(show).join(' '));
  globalThis.console = { log, info: log, warn: log, error: log, debug: log };
})`;

/** WebAssembly pages (64 KiB) in a megabyte. */
const PAGES_PER_MB = 16;
/** The heap the QuickJS build starts with (its INITIAL_MEMORY, 16 MiB): the runtime's own home. */
const BASE_PAGES = 256;

/**
 * QuickJS's own memory limit only counts allocations it can measure, and under WebAssembly it cannot
 * measure their size (malloc_usable_size is unavailable), so a script could fill gigabytes in small
 * pieces. The hard limit is the WebAssembly memory itself: it may grow by the job's `memoryMb` and no
 * more. The first growth past that stops the thread at once, even inside a script that catches its own
 * out-of-memory errors; the flag below tells the host which job it was.
 */
const memoryFlag = workerData && workerData.memoryFlag instanceof SharedArrayBuffer ? new Int32Array(workerData.memoryFlag) : null;
let currentJob = 0;

/** @type {import('quickjs-emscripten-core').QuickJSWASMModule | null} */
let module = null;
let moduleMemoryMb = 0;
/** Set after any failure: the next run gets a fresh WASM module (an OOM can corrupt the old one). */
let dirty = true;

/** @param {number} memoryMb */
async function getModule(memoryMb) {
  if (!module || dirty || moduleMemoryMb !== memoryMb) {
    const memory = new WebAssembly.Memory({ initial: BASE_PAGES, maximum: BASE_PAGES + memoryMb * PAGES_PER_MB });
    const grow = memory.grow.bind(memory);
    memory.grow = (/** @type {number} */ pages) => {
      try {
        return grow(pages);
      } catch (error) {
        if (memoryFlag) Atomics.store(memoryFlag, 0, currentJob);
        process.exit(0);
        throw error;
      }
    };
    module = await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmMemory: memory }));
    moduleMemoryMb = memoryMb;
    dirty = false;
  }
  return module;
}

/** Reads a guest error as a small object: name, message and stack cut to 2,000 characters in the guest. */
const SUMMARY = `(function (e) {
  if (e && typeof e === 'object') return { name: String(e.name).slice(0, 100), message: String(e.message).slice(0, 2000), stack: String(e.stack || '').slice(0, 2000), lineNumber: e.lineNumber };
  return { message: String(e).slice(0, 2000) };
})`;

/**
 * @param {import('quickjs-emscripten-core').QuickJSContext} vm
 * @param {import('quickjs-emscripten-core').QuickJSHandle} error
 */
function dumpError(vm, error) {
  const fn = vm.evalCode(SUMMARY, 'summary.js');
  if (fn.error) {
    fn.error.dispose();
    return { message: 'the code failed (its error could not be read)' };
  }
  const summary = vm.callFunction(fn.value, vm.undefined, error);
  fn.value.dispose();
  if (summary.error) {
    summary.error.dispose();
    return { message: 'the code failed (its error could not be read)' };
  }
  const value = vm.dump(summary.value);
  summary.value.dispose();
  return value;
}

/**
 * Finds the user's line number in a QuickJS error.
 * @param {{ stack?: string, lineNumber?: number }} error
 */
function lineOf(error) {
  if (typeof error.lineNumber === 'number') return error.lineNumber;
  const match = /code\.js:(\d+)/.exec(error.stack ?? '');
  return match ? Number(match[1]) : undefined;
}

/**
 * Classifies a QuickJS error (an Error dump, or a bare value such as the string QuickJS throws when out of memory).
 * @param {unknown} thrown
 * @param {number} deadline
 * @returns {{ kind: FailKind, message: string, line?: number }}
 */
function classify(thrown, deadline) {
  /** @type {{ name?: string, message?: string, stack?: string, lineNumber?: number }} */
  const error = thrown !== null && typeof thrown === 'object' ? thrown : { message: String(thrown) };
  const message = String(error.message ?? 'unknown error');
  if (message === 'interrupted' || Date.now() > deadline) return { kind: 'timeout', message: 'the code ran past its time limit' };
  if (/out of memory/i.test(message)) return { kind: 'memory', message: 'the code ran out of memory' };
  const line = lineOf(error);
  const where = line === undefined ? '' : ` (line ${line})`;
  return { kind: 'error', message: `${error.name ?? 'Error'}: ${message}${where}`, line };
}

/**
 * Runs one job in a fresh runtime and context; never throws.
 * @param {Job} job
 * @returns {Promise<Reply>}
 */
async function runJob(job) {
  /** @type {string[]} */
  const logs = [];
  const qjs = await getModule(job.memoryMb);
  currentJob = job.id;
  const deadline = Date.now() + job.timeoutMs;
  const runtime = qjs.newRuntime();
  runtime.setMemoryLimit(job.memoryMb * 1024 * 1024);
  runtime.setMaxStackSize(STACK_BYTES);
  runtime.setInterruptHandler(() => Date.now() > deadline);
  const vm = runtime.newContext();
  /** @type {import('quickjs-emscripten-core').QuickJSHandle[]} */
  const handles = [];
  /** @param {import('quickjs-emscripten-core').VmCallResult<import('quickjs-emscripten-core').QuickJSHandle>} result */
  const take = (result) => {
    if (result.error) {
      // The guest's error, cut down inside the guest first: its message may be as large as its memory.
      const error = dumpError(vm, result.error);
      result.error.dispose();
      throw Object.assign(new Error('guest error'), { guest: error ?? {} });
    }
    handles.push(result.value);
    return result.value;
  };
  /** @type {Reply} */
  let reply;
  try {
    const emit = vm.newFunction('emit', (text) => {
      if (logs.length < MAX_LOGS) logs.push(String(vm.getString(text)).slice(0, MAX_LOG_CHARS));
    });
    handles.push(emit);
    take(vm.callFunction(take(vm.evalCode(CONSOLE, 'console.js')), vm.undefined, emit));
    const start = take(vm.evalCode(START, 'start.js'));
    const finish = take(vm.evalCode(FINISH, 'finish.js'));
    take(vm.evalCode(job.code, FILE));
    const inputs = vm.newString(job.inputs);
    handles.push(inputs);
    const state = take(vm.callFunction(start, vm.undefined, inputs));
    while (runtime.hasPendingJob()) {
      const jobs = runtime.executePendingJobs();
      if (jobs.error) take(jobs);
      else if (vm.getProp(state, 'done').consume((d) => vm.dump(d)) === true) break;
    }
    const text = vm.getString(take(vm.callFunction(finish, vm.undefined, state)));
    const outcome = JSON.parse(text);
    if (outcome.error) {
      const failure = classify(outcome.error, deadline);
      reply = { id: job.id, ok: false, ...failure, logs };
    } else if (outcome.output) {
      reply = { id: job.id, ok: false, kind: 'output', message: outcome.output, logs };
    } else if (outcome.json.length > job.maxOutputBytes) {
      reply = { id: job.id, ok: false, kind: 'output', message: `the result is larger than ${job.maxOutputBytes} bytes`, logs };
    } else {
      reply = { id: job.id, ok: true, json: outcome.json, logs };
    }
  } catch (error) {
    if (error && typeof error === 'object' && 'guest' in error) {
      reply = { id: job.id, ok: false, ...classify(/** @type {any} */ (error).guest, deadline), logs };
    } else if (error instanceof RangeError) {
      // The WASM call itself overflowed the thread's stack: the module's state is unknown now.
      reply = { id: job.id, ok: false, kind: 'memory', message: 'the code exhausted the sandbox stack', logs };
    } else {
      reply = { id: job.id, ok: false, kind: 'error', message: `sandbox failure: ${error instanceof Error ? error.message : String(error)}`, logs };
    }
  }
  if (reply.ok || reply.kind === 'error' || reply.kind === 'output') {
    try {
      for (const handle of handles.reverse()) if (handle.alive) handle.dispose();
      vm.dispose();
      runtime.dispose();
    } catch {
      dirty = true;
    }
  }
  // After an interrupt or out-of-memory, freeing the runtime can abort the WASM module
  // (STACK-NOTES); the whole module is dropped instead and the garbage collector takes it.
  if (!reply.ok) dirty = true;
  return reply;
}

if (!parentPort) throw new Error('sandbox-worker.mjs must run in a worker thread');
const port = parentPort;
port.on('message', (/** @type {Job} */ job) => {
  runJob(job).then((reply) => port.postMessage(reply));
});
getModule(32).then(() => port.postMessage({ ready: true }));
