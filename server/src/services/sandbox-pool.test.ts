import { afterEach, describe, expect, it } from 'vitest';
import { NodeError } from '../nodes/kit.js';
import { createSandbox, type ManagedSandbox } from './sandbox.js';

const LOOP = 'function main() { while (true) {} }';
const QUICK = 'function main(i) { return { n: i.n }; }';
/** A script that keeps its worker busy for `ms` and then answers. */
const busy = (ms: number) => `function main(i) { const end = Date.now() + ${ms}; while (Date.now() < end) {} return { n: i.n }; }`;

const opened: ManagedSandbox[] = [];
function sandbox(options: Parameters<typeof createSandbox>[0]): ManagedSandbox {
  const created = createSandbox({ killMarginMs: 300, ...options });
  opened.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

async function failure(promise: Promise<unknown>): Promise<NodeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof NodeError)) throw new Error(`expected a NodeError, got ${String(error)}`);
  return error;
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Starts `workers` workers with a quick script each and waits until they are ready, so a test's small
 * queue limit measures waiting for a busy worker, not a worker's start (which counts as waiting too, and
 * is slow on a busy machine: the quick scripts may even time out in line while the workers start).
 */
async function warm(box: ManagedSandbox, workers: number): Promise<void> {
  const runs = Array.from({ length: workers }, (_, i) => box.run(QUICK, { n: i }, { timeoutMs: 1000, memoryMb: 16, scenario: `warm-${i}` }).catch(() => undefined));
  await until(() => box.stats().workers === workers && box.stats().starting === 0, 20_000);
  await Promise.all(runs);
}

/** Starts an endless loop for `scenario` that only its abort ends; returns the abort and the settled error. */
function endless(box: ManagedSandbox, scenario: string) {
  const controller = new AbortController();
  const settled = failure(box.run(LOOP, {}, { timeoutMs: 30_000, memoryMb: 16, signal: controller.signal, scenario }));
  return { stop: () => controller.abort(), settled };
}

describe('sandbox pool: fairness between scenarios', () => {
  it("a scenario busy with two endless loops holds one worker of two: another scenario's quick script runs at once", async () => {
    const box = sandbox({ poolSize: 2, queueTimeoutMs: 10_000 });
    const a1 = endless(box, 'A');
    const a2 = endless(box, 'A');
    await until(() => box.stats().running === 1);
    const started = Date.now();
    await expect(box.run(QUICK, { n: 7 }, { timeoutMs: 2000, memoryMb: 16, scenario: 'B' })).resolves.toEqual({ n: 7 });
    expect(Date.now() - started).toBeLessThan(5000);
    // A's second loop is still waiting for A's own share, although a worker is free.
    expect(box.stats()).toMatchObject({ workers: 2, starting: 0, pool_size: 2, per_scenario: 1, running: 1, queued: 1 });
    a1.stop();
    a2.stop();
    expect((await a1.settled).code).toBe('code_cancelled');
    expect((await a2.settled).code).toBe('code_cancelled');
  });

  it('without the share (one scenario may hold every worker) the same quick script waits until its queue limit', async () => {
    const box = sandbox({ poolSize: 2, perScenario: 2, queueTimeoutMs: 300 });
    await warm(box, 2);
    const loops = [endless(box, 'A'), endless(box, 'A')];
    await until(() => box.stats().running === 2);
    const error = await failure(box.run(QUICK, { n: 1 }, { timeoutMs: 2000, memoryMb: 16, scenario: 'B' }));
    expect(error.code).toBe('code_queue_timeout');
    for (const loop of loops) loop.stop();
    await Promise.all(loops.map((l) => l.settled));
  });

  it('serves scenarios in turn: a scenario that queued three scripts does not go three times before another', async () => {
    const box = sandbox({ poolSize: 1 });
    const order: string[] = [];
    const run = (scenario: string, n: number, code = QUICK) => box.run(code, { n }, { timeoutMs: 2000, memoryMb: 16, scenario }).then(() => order.push(`${scenario}${n}`));
    const first = run('A', 1, busy(150));
    await until(() => box.stats().running === 1);
    const rest = [run('A', 2), run('A', 3), run('B', 1)];
    await Promise.all([first, ...rest]);
    expect(order).toEqual(['A1', 'B1', 'A2', 'A3']);
  });
});

describe('sandbox pool: waiting has its own limit', () => {
  it('fails a script that finds no worker within queueTimeoutMs with code_queue_timeout naming the setting; the running one is untouched', async () => {
    const box = sandbox({ poolSize: 1, queueTimeoutMs: 200 });
    await warm(box, 1);
    // Busy for 2 s: failing well before that (a loaded machine may add a second) is the queue limit at work.
    const running = box.run(busy(2000), { n: 1 }, { timeoutMs: 5000, memoryMb: 16, scenario: 'A' });
    await until(() => box.stats().running === 1);
    const started = Date.now();
    const error = await failure(box.run(QUICK, { n: 2 }, { timeoutMs: 20000, memoryMb: 16, scenario: 'B' }));
    expect(Date.now() - started).toBeLessThan(1800);
    expect(error.code).toBe('code_queue_timeout');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('MOFANG_CODE_QUEUE_MS');
    expect(error.message).toContain('200 ms');
    expect(error.details).toMatchObject({ setting: 'MOFANG_CODE_QUEUE_MS', queue_timeout_ms: 200, workers: 1, running: 1, running_this_scenario: 0 });
    await expect(running).resolves.toEqual({ n: 1 });
    expect(box.stats()).toMatchObject({ running: 0, queued: 0 });
  });

  it("does not count time in line against a script's own time limit", async () => {
    const box = sandbox({ poolSize: 1, queueTimeoutMs: 5000 });
    const ahead = box.run(busy(1500), { n: 1 }, { timeoutMs: 5000, memoryMb: 16, scenario: 'A' });
    await until(() => box.stats().running === 1);
    const started = Date.now();
    // 1 s allowed (room for a loaded machine), about 1.5 s in line, then about 100 ms of its own work.
    await expect(box.run(busy(100), { n: 2 }, { timeoutMs: 1000, memoryMb: 16, scenario: 'B' })).resolves.toEqual({ n: 2 });
    expect(Date.now() - started).toBeGreaterThan(1000);
    await ahead;
  });

  it('a cancelled waiting script leaves the line and frees nothing it did not hold', async () => {
    const box = sandbox({ poolSize: 1, queueTimeoutMs: 5000 });
    const loop = endless(box, 'A');
    await until(() => box.stats().running === 1);
    const controller = new AbortController();
    const waiting = failure(box.run(QUICK, { n: 1 }, { timeoutMs: 2000, memoryMb: 16, signal: controller.signal, scenario: 'B' }));
    await until(() => box.stats().queued === 1);
    controller.abort();
    expect((await waiting).code).toBe('code_cancelled');
    expect(box.stats()).toMatchObject({ running: 1, queued: 0 });
    loop.stop();
    await loop.settled;
    await expect(box.run(QUICK, { n: 3 }, { timeoutMs: 2000, memoryMb: 16, scenario: 'A' })).resolves.toEqual({ n: 3 });
  });
});

describe('sandbox pool: size', () => {
  it('starts up to poolSize workers and no more', async () => {
    const box = sandbox({ poolSize: 3, queueTimeoutMs: 10_000 });
    const loops = ['A', 'B', 'C', 'D'].map((s) => endless(box, s));
    await until(() => box.stats().running === 3);
    expect(box.stats()).toMatchObject({ workers: 3, pool_size: 3, per_scenario: 2, running: 3, queued: 1 });
    for (const loop of loops) loop.stop();
    await Promise.all(loops.map((l) => l.settled));
  });

  it('defaults to two workers, one per scenario, and a 10 s queue limit; a pool of one is shared', () => {
    expect(sandbox({}).stats()).toEqual({ workers: 0, starting: 0, pool_size: 2, per_scenario: 1, running: 0, queued: 0, queue_timeout_ms: 10_000 });
    expect(sandbox({ poolSize: 1 }).stats()).toMatchObject({ pool_size: 1, per_scenario: 1 });
    expect(sandbox({ poolSize: 4, perScenario: 9 }).stats()).toMatchObject({ pool_size: 4, per_scenario: 4 });
  });
});
