import { afterEach, describe, expect, it } from 'vitest';
import { compileGraph, runPlan } from './index.js';
import { lineGraph } from './testing.js';
import { ScriptedModel } from '../model/scripted.js';
import { createSandbox, type ManagedSandbox, type SandboxOptions } from '../services/sandbox.js';

/**
 * Code nodes of several scenarios through the runtime with the real sandbox: the scenario a run names
 * reaches the sandbox's fair queue, and the runtime's own timer never turns waiting in line into a
 * timeout of the node.
 */
const LOOP = 'function main() { while (true) {} }';
const QUICK = 'function main() { return { n: 1 }; }';
const busy = (ms: number) => `function main() { const end = Date.now() + ${ms}; while (Date.now() < end) {} return { n: 2 }; }`;

const opened: ManagedSandbox[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

function setup(options: SandboxOptions) {
  const sandbox = createSandbox(options);
  opened.push(sandbox);
  const services = { sandbox, http: { request: () => Promise.reject(new Error('no outbound HTTP in this test')) } };
  const models = new ScriptedModel(() => 'unused').resolver();
  /** Runs a one-code-node graph for `scenario`; `timeoutMs` is the code node's own limit. */
  const run = (scenario: string, code: string, timeoutMs: number, signal?: AbortSignal) => {
    const graph = lineGraph([{ id: 'c', kind: 'code', config: { code, timeoutMs, inputs: [], outputs: [{ name: 'n', type: 'integer' }] } }], [{ name: 'n', value: '{{ c.n }}', type: 'integer' }]);
    const compiled = compileGraph(graph);
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
    return runPlan(compiled.plan, { transcript: '客户：宽带断了' }, { services: services, models, scenario, signal, deadlineMs: 120_000 });
  };
  return { sandbox, run };
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('code nodes across scenarios', () => {
  it("a scenario with two code nodes in endless loops does not make another scenario's quick code node time out", async () => {
    const { sandbox, run } = setup({ poolSize: 2, queueTimeoutMs: 2000 });
    // Both workers ready first, so scenario A's loops could take both at once were it not for its share.
    await Promise.all([run('warm-1', QUICK, 1000), run('warm-2', QUICK, 1000)]);
    await until(() => sandbox.stats().workers === 2 && sandbox.stats().starting === 0);
    const stop = new AbortController();
    const busyRuns = [run('scenario-a', LOOP, 60_000, stop.signal), run('scenario-a', LOOP, 60_000, stop.signal)];
    await until(() => sandbox.stats().running + sandbox.stats().queued === 2);
    await new Promise((r) => setTimeout(r, 50));
    expect(sandbox.stats()).toMatchObject({ running: 1, queued: 1 });
    const quick = await run('scenario-b', QUICK, 200);
    expect(quick.error).toBeUndefined();
    expect(quick).toMatchObject({ status: 'succeeded', outputs: { n: 1 } });
    stop.abort();
    for (const result of await Promise.all(busyRuns)) expect(result.error?.code).toBe('cancelled');
  });

  it("does not count a code node's wait for a worker against its timeoutMs", async () => {
    // One worker, held 2.5 s by another scenario: longer than the node's 1 s (room for a quick script on a
    // loaded machine) plus the runtime's margin.
    const { sandbox, run } = setup({ poolSize: 1, queueTimeoutMs: 10_000 });
    const ahead = run('scenario-a', busy(2500), 5000);
    await until(() => sandbox.stats().running === 1);
    const waited = await run('scenario-b', QUICK, 1000);
    expect(waited.error).toBeUndefined();
    expect(waited.status).toBe('succeeded');
    expect(waited.latency_ms).toBeGreaterThan(2100);
    expect((await ahead).status).toBe('succeeded');
  });

  it('fails a run whose code node waited past MOFANG_CODE_QUEUE_MS with code_queue_timeout, naming the setting', async () => {
    // 2 s: starting the worker counts as waiting, and takes more than a second on a loaded machine.
    const { sandbox, run } = setup({ poolSize: 1, queueTimeoutMs: 2000 });
    // A first run starts the worker, so the limit measures waiting for a busy worker (an endless loop).
    expect((await run('scenario-a', QUICK, 1000)).status).toBe('succeeded');
    const stop = new AbortController();
    const loop = run('scenario-a', LOOP, 60_000, stop.signal);
    await until(() => sandbox.stats().running === 1);
    const result = await run('scenario-b', QUICK, 1000);
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'code_queue_timeout', nodeId: 'c', details: { node_error: 'code_queue_timeout', info: { setting: 'MOFANG_CODE_QUEUE_MS' } } });
    expect(result.error?.message).toContain('MOFANG_CODE_QUEUE_MS');
    stop.abort();
    await loop;
  });
});
