import { afterAll, describe, expect, it } from 'vitest';
import { NodeError } from '../nodes/kit.js';
import { createSandbox } from './sandbox.js';

const sandbox = createSandbox({ poolSize: 2, killMarginMs: 300 });
afterAll(() => sandbox.close());

// Generous for quick scripts: a fresh QuickJS module per run takes 7–45 ms, many times that on a loaded machine.
const limits = { timeoutMs: 2000, memoryMb: 16 };

async function failure(promise: Promise<unknown>): Promise<NodeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof NodeError)) throw new Error(`expected a NodeError, got ${String(error)}`);
  return error;
}

describe('QuickJS sandbox', () => {
  it('returns the result of main and captures console.log', async () => {
    const run = await sandbox.runDetailed('function main(inputs) { console.log("got", inputs); return { n: inputs.x + 1, s: "好" }; }', { x: 41 }, limits);
    expect(run.result).toEqual({ n: 42, s: '好' });
    expect(run.logs).toEqual(['got {"x":41}']);
  });

  it('awaits an async main', async () => {
    const code = 'async function main(inputs) { const v = await Promise.resolve(inputs.list.length); return { count: v }; }';
    await expect(sandbox.run(code, { list: [1, 2, 3] }, limits)).resolves.toEqual({ count: 3 });
  });

  it('reports a syntax error with its message and line', async () => {
    const error = await failure(sandbox.run('function main(inputs) {\n  return (;\n}', {}, limits));
    expect(error.code).toBe('code_error');
    expect(error.message).toMatch(/SyntaxError/);
    expect(error.message).toMatch(/line 2/);
  });

  it('reports a thrown error with its line', async () => {
    const error = await failure(sandbox.run('function main() {\n\n  throw new Error("no phone number");\n}', {}, limits));
    expect(error.code).toBe('code_error');
    expect(error.message).toContain('no phone number');
    expect(error.message).toContain('line 3');
  });

  it('stops an endless loop and keeps working afterwards', async () => {
    const error = await failure(sandbox.run('function main() { while (true) {} }', {}, { timeoutMs: 100, memoryMb: 16 }));
    expect(error.code).toBe('code_timeout');
    await expect(sandbox.run('function main() { return { ok: true }; }', {}, limits)).resolves.toEqual({ ok: true });
  });

  it('stops a memory bomb that swallows its own errors as code_memory, long before its time limit, and the host survives', async () => {
    const code = 'function main() { const a = []; while (true) { try { a.push(new Array(100000).fill(1)); } catch (e) {} } }';
    // A minute of allowed time: only the memory limit can end this within the test's own timeout.
    const error = await failure(sandbox.run(code, {}, { timeoutMs: 60_000, memoryMb: 8 }));
    expect(error.code).toBe('code_memory');
    expect(error.message).toContain('8 MB');
    await expect(sandbox.run('function main() { return { alive: 1 }; }', {}, limits)).resolves.toEqual({ alive: 1 });
  });

  it('counts memory a script allocates in many small pieces (QuickJS alone cannot measure them under WebAssembly)', async () => {
    for (const code of [
      'function main() { const a = []; for (;;) a.push(new ArrayBuffer(1 << 20)); }',
      'function main() { const a = []; for (let i = 0; ; i++) a[i] = { i, s: "abcdefghij" + i }; }',
      'function main() { const a = []; for (;;) a.push("x".repeat(1e6)); }',
    ]) {
      const error = await failure(sandbox.run(code, {}, { timeoutMs: 60_000, memoryMb: 16 }));
      expect(error.code).toBe('code_memory');
    }
    await expect(sandbox.run('function main() { const a = new ArrayBuffer(4 << 20); return { n: a.byteLength }; }', {}, { timeoutMs: 1000, memoryMb: 16 })).resolves.toEqual({ n: 4 << 20 });
  });

  it('reports running out of memory as code_memory', async () => {
    const code = 'function main() { let s = "x"; const keep = []; while (true) { s = s + s.slice(0, 100000); keep.push(s); } }';
    const error = await failure(sandbox.run(code, {}, { timeoutMs: 60_000, memoryMb: 8 }));
    expect(error.code).toBe('code_memory');
  });

  it('cuts an error message down to 2,000 characters inside the sandbox', async () => {
    const error = await failure(sandbox.run('function main() { throw new Error("x".repeat(5e6)); }', {}, { timeoutMs: 2000, memoryMb: 64 }));
    expect(error.code).toBe('code_error');
    expect(error.message.length).toBeLessThan(2200);
    const top = await failure(sandbox.run('throw new Error("y".repeat(5e6)); function main() {}', {}, { timeoutMs: 2000, memoryMb: 64 }));
    expect(top.message.length).toBeLessThan(2200);
  });

  it('stops runaway recursion', async () => {
    const error = await failure(sandbox.run('function f(n) { return f(n + 1) + 1; } function main() { return { x: f(0) }; }', {}, limits));
    expect(['code_error', 'code_memory']).toContain(error.code);
    await expect(sandbox.run('function main() { return { ok: 1 }; }', {}, limits)).resolves.toEqual({ ok: 1 });
  });

  it('gives the script no process, require, fetch or host globals', async () => {
    const code = `function main() {
      return { kinds: [typeof process, typeof require, typeof fetch, typeof globalThis.process, typeof setTimeout, typeof std, typeof os, typeof module].join(",") };
    }`;
    const result = await sandbox.run(code, {}, limits);
    expect(result).toEqual({ kinds: 'undefined,undefined,undefined,undefined,undefined,undefined,undefined,undefined' });
  });

  it('rejects a result that is not a JSON object', async () => {
    expect((await failure(sandbox.run('function main() { return 5; }', {}, limits))).code).toBe('code_output');
    expect((await failure(sandbox.run('function main() { return [1]; }', {}, limits))).code).toBe('code_output');
    expect((await failure(sandbox.run('function main() { return { a: 1n }; }', {}, limits))).code).toBe('code_output');
    const circular = 'function main() { const o = {}; o.self = o; return o; }';
    expect((await failure(sandbox.run(circular, {}, limits))).code).toBe('code_output');
  });

  it('reports code without main, and a promise that never settles', async () => {
    expect((await failure(sandbox.run('const x = 1;', {}, limits))).message).toMatch(/main/);
    expect((await failure(sandbox.run('function main() { return new Promise(() => {}); }', {}, limits))).message).toMatch(/never settled/);
  });

  it('runs several scripts at once through the pool', async () => {
    const results = await Promise.all([1, 2, 3, 4, 5].map((x) => sandbox.run('function main(i) { return { y: i.x * 2 }; }', { x }, limits)));
    expect(results).toEqual([{ y: 2 }, { y: 4 }, { y: 6 }, { y: 8 }, { y: 10 }]);
  });

  it('stops a running script when the signal aborts', async () => {
    const controller = new AbortController();
    const pending = sandbox.run('function main() { while (true) {} }', {}, { timeoutMs: 10_000, memoryMb: 16, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect((await failure(pending)).code).toBe('code_cancelled');
    await expect(sandbox.run('function main() { return { after: true }; }', {}, limits)).resolves.toEqual({ after: true });
  });

  it('refuses to run after close', async () => {
    const own = createSandbox({ poolSize: 1 });
    await expect(own.run('function main() { return { a: 1 }; }', {}, limits)).resolves.toEqual({ a: 1 });
    await own.close();
    expect((await failure(own.run('function main() { return {}; }', {}, limits))).code).toBe('code_cancelled');
  });
});
