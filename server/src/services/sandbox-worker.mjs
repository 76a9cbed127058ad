// Worker thread of the code sandbox: runs user JavaScript in QuickJS (WebAssembly), one job at a time.
// Plain .mjs so it loads without a TypeScript loader. The host (sandbox.ts) kills this thread if it
// overruns its deadline, so everything here may assume it can be terminated at any instruction.
import { parentPort, workerData } from 'node:worker_threads';
import { newQuickJSWASMModuleFromVariant, newVariant } from 'quickjs-emscripten-core';
import RELEASE_SYNC from '@jitl/quickjs-wasmfile-release-sync';
import { KIT } from './sandbox-kit.mjs';

/** @typedef {{ id: number, code: string, inputs: string, timeoutMs: number, memoryMb: number, maxOutputBytes: number, maxDepth: number }} Job */
/** @typedef {'timeout' | 'memory' | 'error' | 'output' | 'too_large' | 'too_deep'} FailKind */
/** @typedef {{ id: number, ok: true, json: string, bytes: number, logs: string[] } | { id: number, ok: false, kind: FailKind, message: string, line?: number, bytes?: number, logs: string[] }} Reply */
/** @typedef {import('quickjs-emscripten-core').QuickJSContext} Context */
/** @typedef {import('quickjs-emscripten-core').QuickJSHandle} Handle */

const FILE = 'code.js';
/** Small enough that deep recursion hits QuickJS's own check before the thread's native stack. */
const STACK_BYTES = 256 * 1024;
/** The stack the result is serialised with: room for about 2,000 levels, far past any depth limit. */
const SERIALISE_STACK_BYTES = 32 * 1024;
const MAX_LOGS = 200;
const MAX_LOG_CHARS = 2000;
/** The longest name, message or stack read from a guest error (the kit cuts them first, in the guest). */
const MAX_ERROR_CHARS = 2000;

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

/**
 * Reads a property of an object the kit made (null-prototype, never reachable by the script) as host text,
 * or undefined when it is not a string. The kit has already cut it; `max` is cut again here.
 * @param {Context} vm @param {Handle} object @param {string} key @param {number} max
 */
function textProp(vm, object, key, max) {
  return vm.getProp(object, key).consume((value) => (vm.typeof(value) === 'string' ? vm.getString(value).slice(0, max) : undefined));
}

/** @param {Context} vm @param {Handle} object @param {string} key */
function numberProp(vm, object, key) {
  return vm.getProp(object, key).consume((value) => (vm.typeof(value) === 'number' ? vm.getNumber(value) : undefined));
}

/**
 * Reads a guest error through the kit's `describe`, which cuts name, message and stack inside the guest
 * (a message may be as large as the script's memory).
 * @param {Context} vm @param {Handle} describe @param {Handle} error
 * @returns {{ name?: string, message?: string, stack?: string, lineNumber?: number }}
 */
function readError(vm, describe, error) {
  const summary = vm.callFunction(describe, vm.undefined, error);
  if (summary.error) {
    summary.error.dispose();
    return { message: 'the code failed (its error could not be read)' };
  }
  return summary.value.consume((s) => errorFields(vm, s));
}

/** @param {Context} vm @param {Handle} summary */
function errorFields(vm, summary) {
  return {
    name: textProp(vm, summary, 'name', 100),
    message: textProp(vm, summary, 'message', MAX_ERROR_CHARS),
    stack: textProp(vm, summary, 'stack', MAX_ERROR_CHARS),
    lineNumber: numberProp(vm, summary, 'line'),
  };
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
 * Classifies a guest error read by {@link readError}.
 * @param {{ name?: string, message?: string, stack?: string, lineNumber?: number }} error
 * @param {number} deadline
 * @returns {{ kind: FailKind, message: string, line?: number }}
 */
function classify(error, deadline) {
  const message = String(error.message ?? 'unknown error');
  if (message === 'interrupted' || Date.now() > deadline) return { kind: 'timeout', message: 'the code ran past its time limit' };
  if (/out of memory/i.test(message)) return { kind: 'memory', message: 'the code ran out of memory' };
  const line = lineOf(error);
  const where = line === undefined ? '' : ` (line ${line})`;
  return { kind: 'error', message: `${error.name ?? 'Error'}: ${message}${where}`, line };
}

/**
 * How deep arrays and objects nest in a JSON text, counting no further than `limit + 1`. A linear scan
 * without recursion, so no depth can overflow the host's stack.
 * @param {string} json @param {number} limit
 */
function jsonDepth(json, limit) {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (c === 125 || c === 93) depth--;
  }
  return deepest;
}

/**
 * Reads the kit's `finish` record: the result's JSON, checked against the byte and depth limits here on
 * the host side of the WebAssembly boundary, or the reason there is none.
 * @param {Context} vm @param {Handle} outcome @param {Job} job @param {number} deadline @param {string[]} logs
 * @returns {Reply}
 */
function readOutcome(vm, outcome, job, deadline, logs) {
  const kind = textProp(vm, outcome, 'kind', 20);
  const id = job.id;
  if (kind === 'error') {
    const error = vm.getProp(outcome, 'error').consume((e) => errorFields(vm, e));
    return { id, ok: false, ...classify(error, deadline), logs };
  }
  if (kind === 'depth') {
    return { id, ok: false, kind: 'too_deep', message: `the result nests too deeply to serialise (or its toJSON methods or getters recursed too deeply)`, logs };
  }
  if (kind !== 'ok') return { id, ok: false, kind: 'output', message: textProp(vm, outcome, 'message', MAX_ERROR_CHARS) ?? 'the result could not be read', logs };
  // A UTF-16 code unit is at least one UTF-8 byte: a text longer than the cap is refused before it is copied out.
  const units = numberProp(vm, outcome, 'length') ?? Infinity;
  if (units > job.maxOutputBytes) return { id, ok: false, kind: 'too_large', message: `the result is at least ${units} bytes`, bytes: units, logs };
  const json = textProp(vm, outcome, 'json', job.maxOutputBytes);
  if (json === undefined) return { id, ok: false, kind: 'output', message: 'the result could not be read', logs };
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > job.maxOutputBytes) return { id, ok: false, kind: 'too_large', message: `the result is ${bytes} bytes`, bytes, logs };
  const depth = jsonDepth(json, job.maxDepth);
  if (depth > job.maxDepth) return { id, ok: false, kind: 'too_deep', message: `the result nests more than ${job.maxDepth} levels deep`, logs };
  return { id, ok: true, json, bytes, logs };
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
  /** @type {Handle[]} */
  const handles = [];
  /** @type {Handle | undefined} */
  let describe;
  /** @param {import('quickjs-emscripten-core').VmCallResult<Handle>} result */
  const take = (result) => {
    if (result.error) {
      const error = describe ? readError(vm, describe, result.error) : { message: 'the sandbox kit failed to start' };
      result.error.dispose();
      throw Object.assign(new Error('guest error'), { guest: error });
    }
    handles.push(result.value);
    return result.value;
  };
  /** @param {Handle} object @param {string} key */
  const prop = (object, key) => {
    const value = vm.getProp(object, key);
    handles.push(value);
    return value;
  };
  /** @type {Reply} */
  let reply;
  try {
    const emit = vm.newFunction('emit', (text) => {
      if (logs.length < MAX_LOGS && vm.typeof(text) === 'string') logs.push(vm.getString(text).slice(0, MAX_LOG_CHARS));
    });
    handles.push(emit);
    const maxLog = vm.newNumber(MAX_LOG_CHARS);
    handles.push(maxLog);
    // The kit runs before the script and keeps its own references to JSON, String and Promise, so a
    // script that replaces them changes its own behaviour only, never how its result reaches the host.
    const kit = take(vm.callFunction(take(vm.evalCode(KIT, 'kit.js')), vm.undefined, emit, maxLog));
    describe = prop(kit, 'describe');
    const start = prop(kit, 'start');
    const finish = prop(kit, 'finish');
    take(vm.evalCode(job.code, FILE));
    const inputs = vm.newString(job.inputs);
    handles.push(inputs);
    const state = take(vm.callFunction(start, vm.undefined, inputs));
    while (runtime.hasPendingJob()) {
      const jobs = runtime.executePendingJobs();
      if (jobs.error) take(jobs);
      else if (vm.getProp(state, 'done').consume((d) => vm.typeof(d) === 'boolean' && vm.dump(d)) === true) break;
    }
    // QuickJS serialises recursively and checks for cycles along the whole path, so depth costs its
    // square in time: with this stack a result deeper than about 2,000 levels overflows within tens of
    // milliseconds (a clear too_deep) instead of running for seconds; shallower ones are scanned below.
    runtime.setMaxStackSize(SERIALISE_STACK_BYTES);
    reply = readOutcome(vm, take(vm.callFunction(finish, vm.undefined, state)), job, deadline, logs);
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
  if (reply.ok || reply.kind !== 'timeout' && reply.kind !== 'memory') {
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
