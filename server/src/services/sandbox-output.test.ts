import { afterAll, describe, expect, it } from 'vitest';
import { NodeError } from '../nodes/kit.js';
import { createSandbox } from './sandbox.js';

/** Small limits, so each hostile result is cheap to build: 2,000 bytes and 8 levels. */
const MAX_BYTES = 2000;
const sandbox = createSandbox({ poolSize: 2, perScenario: 2, killMarginMs: 300, maxOutputBytes: MAX_BYTES, maxDepth: 8 });
afterAll(() => sandbox.close());

const limits = { timeoutMs: 2000, memoryMb: 32 };

async function failure(promise: Promise<unknown>): Promise<NodeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof NodeError)) throw new Error(`expected a NodeError, got ${JSON.stringify(error)?.slice(0, 300)}`);
  return error;
}

async function tooLarge(code: string): Promise<NodeError> {
  const error = await failure(sandbox.run(code, {}, limits));
  expect(error.code, error.message).toBe('code_output_too_large');
  expect(error.message).toContain(`${MAX_BYTES} bytes`);
  expect(error.details).toMatchObject({ limit: 'result_bytes', limit_bytes: MAX_BYTES });
  return error;
}

describe('the sandbox result cap holds whatever the script does to serialisation', () => {
  it('ignores a replaced JSON.stringify: the envelope trick that smuggled 60 MB past the cap reaches nothing', async () => {
    // The old host read {"json": [...]} from the guest's own JSON.stringify: an array passed the length check
    // and the host parsed its text, 25 times the cap here. Now the script's stringify is never called.
    const smuggle = `
      JSON.stringify = function (v) {
        if (v && typeof v === 'object' && 'json' in v) return '{"json":["{\\\\"a\\\\":\\\\"' + 'x'.repeat(50000) + '\\\\"}"]}';
        return '{}';
      };
      function main() { return { a: 1 }; }`;
    await expect(sandbox.run(smuggle, {}, limits)).resolves.toEqual({ a: 1 });
    // And a replacement that answers a small lie for a big object does not hide the object.
    await tooLarge(`JSON.stringify = () => '{"small":1}'; function main() { return { big: 'x'.repeat(50000) }; }`);
    await expect(sandbox.run(`JSON.stringify = () => '{"fake":1}'; JSON.parse = () => ({ fake: 2 }); function main() { return { real: 1 }; }`, {}, limits)).resolves.toEqual({ real: 1 });
  });

  it('measures what toJSON, getters, Proxies and Symbol.toPrimitive produce, not what the object looks like', async () => {
    await tooLarge(`Object.prototype.toJSON = function () { return { pad: 'x'.repeat(50000) }; }; function main() { return {}; }`);
    await tooLarge(`function main() { return { get lazy() { return 'x'.repeat(50000); } }; }`);
    await tooLarge(`function main() {
      return new Proxy({}, { ownKeys: () => ['a', 'b'], getOwnPropertyDescriptor: () => ({ value: 1, enumerable: true, configurable: true }), get: () => 'y'.repeat(30000) });
    }`);
    await tooLarge(`function main() {
      const s = new String('short');
      s[Symbol.toPrimitive] = () => 'z'.repeat(50000);
      s.toString = () => 'z'.repeat(50000);
      return { s };
    }`);
  });

  it('counts UTF-8 bytes, not characters', async () => {
    // 334 × '好' is 342 characters of JSON but 1,010 bytes; the cap here is 1,000 bytes.
    const small = createSandbox({ poolSize: 1, maxOutputBytes: 1000 });
    try {
      const error = await failure(small.run(`function main() { return { s: '好'.repeat(334) }; }`, {}, limits));
      expect(error.code).toBe('code_output_too_large');
      expect(error.details).toMatchObject({ limit_bytes: 1000, result_bytes: 1010 });
      await expect(small.run(`function main() { return { s: '好'.repeat(330) }; }`, {}, limits)).resolves.toEqual({ s: '好'.repeat(330) });
    } finally {
      await small.close();
    }
  });

  it('refuses a result nested deeper than the limit with a clear error, even one deep enough to overflow a stack', async () => {
    const nest = (levels: number) => `function main() { let o = { leaf: '[[[[[[[[[[[[' }; for (let i = 1; i < ${levels}; i++) o = { o }; return o; }`;
    // Eight levels, with brackets inside a string that are not nesting: accepted.
    await expect(sandbox.run(nest(8), {}, limits)).resolves.toMatchObject({ o: { o: {} } });
    const nine = await failure(sandbox.run(nest(9), {}, limits));
    expect(nine.code).toBe('code_output_too_deep');
    expect(nine.message).toMatch(/8 levels/);
    // Deep enough to take seconds in QuickJS's cycle check (its cost is the depth squared) or to overflow
    // its stack: serialised with a small stack, they fail fast with the same clear error.
    for (const levels of [20_000, 100_000]) {
      const deep = await failure(sandbox.run(nest(levels), {}, { timeoutMs: 5000, memoryMb: 64 }));
      expect(deep.code).toBe('code_output_too_deep');
    }
    // A Proxy whose every child is a new Proxy is infinitely deep, and toJSON can nest without end as well.
    const proxy = `function main() {
      const make = () => new Proxy({}, { ownKeys: () => ['a'], getOwnPropertyDescriptor: () => ({ value: 1, enumerable: true, configurable: true }), get: () => make() });
      return { p: make() };
    }`;
    expect((await failure(sandbox.run(proxy, {}, limits))).code).toBe('code_output_too_deep');
    const toJson = `function main() { const grow = (n) => ({ toJSON: () => ({ n, next: grow(n + 1) }) }); return { root: grow(0) }; }`;
    expect((await failure(sandbox.run(toJson, {}, limits))).code).toBe('code_output_too_deep');
    const arrays = await failure(sandbox.run(`function main() { let a = []; for (let i = 0; i < 50; i++) a = [a]; return { a }; }`, {}, limits));
    expect(arrays.code).toBe('code_output_too_deep');
    await expect(sandbox.run('function main() { return { alive: true }; }', {}, limits)).resolves.toEqual({ alive: true });
  });

  it('cuts error messages and log lines on the host even when the script replaced String.prototype.slice', async () => {
    const tamper = `String.prototype.slice = function () { return String(this); }; Array.prototype.join = function () { return 'j'.repeat(1e6); };`;
    const thrown = await failure(sandbox.run(`${tamper} function main() { throw new Error('x'.repeat(1e6)); }`, {}, limits));
    expect(thrown.code).toBe('code_error');
    expect(thrown.message.length).toBeLessThan(2200);
    const value = await failure(sandbox.run(`${tamper} function main() { throw { toString() { return 'v'.repeat(1e6); } }; }`, {}, limits));
    expect(value.message.length).toBeLessThan(2200);
    const run = await sandbox.runDetailed(`${tamper} function main() { console.log('a'.repeat(1e6), { b: 'b'.repeat(1e6) }); return { ok: 1 }; }`, {}, limits);
    expect(run.logs).toHaveLength(1);
    expect(run.logs[0].length).toBeLessThanOrEqual(2000);
  });

  it('settles main with its own result when the script replaces Promise.prototype.then or plants getters on Object.prototype', async () => {
    const code = `
      Promise.prototype.then = function () { throw new Error('hijacked'); };
      for (const key of ['done', 'ok', 'value', 'error', 'kind', 'json', 'length']) {
        Object.defineProperty(Object.prototype, key, { __proto__: null, get() { return 'x'.repeat(100000); }, set() {}, configurable: true });
      }
      function main(inputs) { return { n: inputs.n + 1 }; }`;
    await expect(sandbox.run(code, { n: 1 }, limits)).resolves.toEqual({ n: 2 });
  });
});
