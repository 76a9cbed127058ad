// The guest side of the code sandbox: JavaScript that the worker (sandbox-worker.mjs) evaluates in each
// fresh QuickJS context before the user's script. Kept apart so a reviewer can read what runs in the guest.

/**
 * `(emit, maxLogChars) => { start, finish, describe }`, evaluated before the script runs.
 *
 * Everything the host relies on is taken here first (JSON.stringify and parse, String and its slice,
 * Array.isArray, Promise and its then, Reflect.apply), so a script that replaces any of them changes its
 * own behaviour only. Its result still passes through toJSON methods, getters and Proxy traps (that is
 * what JSON means), but always through the real JSON.stringify, and the worker then measures the text it
 * receives. The records handed back to the worker have no prototype, so no getter a script defines on
 * Object.prototype can answer for them.
 *
 * - `start(inputsJson)` calls `main(JSON.parse(inputsJson))` on the job queue and returns a state record.
 * - `finish(state)` returns `{ kind: 'ok', json, length }`, `{ kind: 'output', message }` (not an object,
 *   not serialisable), `{ kind: 'depth' }` (too deep to serialise: the worker runs `finish` with a small
 *   stack, see sandbox-worker.mjs) or `{ kind: 'error', error }`.
 * - `describe(error)` returns `{ name, message, stack, line }`, each text cut to at most 2,000 characters.
 */
export const KIT = `(function (emit, maxLogChars) {
  'use strict';
  const apply = Reflect.apply;
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const slice = String.prototype.slice;
  const toText = String;
  const isArray = Array.isArray;
  const PromiseType = Promise;
  const resolve = Promise.resolve;
  const then = Promise.prototype.then;
  const ErrorType = Error;
  const TypeErrorType = TypeError;

  const cut = (s, n) => (s.length > n ? apply(slice, s, [0, n]) : s);
  const text = (x) => {
    if (typeof x === 'string') return x;
    try { return toText(x); } catch (_) { return '(unprintable value)'; }
  };
  const show = (x) => {
    if (typeof x === 'string') return x;
    try { const j = stringify(x); return typeof j === 'string' ? j : text(x); } catch (_) { return text(x); }
  };
  const field = (e, key) => { try { return e[key]; } catch (_) { return undefined; } };
  const checkArray = (v) => { try { return isArray(v); } catch (_) { return false; } };

  const log = function () {
    let line = '';
    for (let i = 0; i < arguments.length && line.length <= maxLogChars; i++) line += (i > 0 ? ' ' : '') + cut(show(arguments[i]), maxLogChars);
    emit(cut(line, maxLogChars));
  };
  globalThis.console = { log, info: log, warn: log, error: log, debug: log };

  const describe = (e) => {
    let isError = false;
    try { isError = e instanceof ErrorType; } catch (_) {}
    if (!isError) return { __proto__: null, name: 'Error', message: cut('threw a non-Error value: ' + cut(show(e), 2000), 2000), stack: '' };
    const line = field(e, 'lineNumber');
    return {
      __proto__: null,
      name: cut(text(field(e, 'name')), 100),
      message: cut(text(field(e, 'message')), 2000),
      stack: cut(text(field(e, 'stack') ?? ''), 2000),
      line: typeof line === 'number' ? line : undefined,
    };
  };

  const start = (inputsJson) => {
    const state = { __proto__: null, done: false, ok: false, value: undefined, error: undefined };
    if (typeof main !== 'function') {
      state.done = true;
      state.error = new TypeErrorType('the code must define function main(inputs)');
      return state;
    }
    const settled = (ok) => (value) => {
      state.done = true;
      state.ok = ok;
      if (ok) state.value = value;
      else state.error = value;
    };
    const started = apply(then, apply(resolve, PromiseType, [undefined]), [() => main(parse(inputsJson))]);
    apply(then, started, [settled(true), settled(false)]);
    return state;
  };

  const finish = (state) => {
    if (!state.done) return { __proto__: null, kind: 'error', error: { __proto__: null, name: 'Error', message: "main's promise never settled", stack: '' } };
    if (!state.ok) return { __proto__: null, kind: 'error', error: describe(state.error) };
    const v = state.value;
    if (v === null || typeof v !== 'object' || checkArray(v)) {
      const got = v === null ? 'null' : checkArray(v) ? 'an array' : typeof v;
      return { __proto__: null, kind: 'output', message: 'main must return an object, got ' + got };
    }
    let json;
    try {
      json = stringify(v);
    } catch (e) {
      const error = describe(e);
      if (error.message === 'stack overflow') return { __proto__: null, kind: 'depth' };
      if (error.message === 'interrupted' || error.message === 'out of memory') return { __proto__: null, kind: 'error', error };
      return { __proto__: null, kind: 'output', message: 'the result is not JSON-serialisable: ' + error.message };
    }
    if (typeof json !== 'string') return { __proto__: null, kind: 'output', message: 'main must return an object, got one that serialises to nothing' };
    return { __proto__: null, kind: 'ok', json, length: json.length };
  };

  return { __proto__: null, start, finish, describe };
})`;
