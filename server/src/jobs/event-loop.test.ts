/**
 * The job paths let the event loop turn while they work: a regression of the kind that held the
 * server for 57 s during a 100,000-item submission. Asserted by work, not time: a setImmediate
 * callback must run before the work is done.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { compileGraph } from '../engine/index.js';
import { lineGraph, noServices } from '../engine/testing.js';
import { PublishedScenarios } from '../publish/registry.js';
import { openStoreFile, type Store } from '../storage/db.js';
import { JobStore } from '../storage/jobs.js';
import { dataStoreOf } from '../storage/store.js';
import { createScenario } from '../storage/scenarios.js';
import type { ParsedItem } from './parse-items.js';
import { JobRunner } from './runner.js';
import { submitJob } from './submit.js';

let store: Store | undefined;
afterEach(() => store?.close());

/** Counts turns of the event loop until stopped. */
function turnCounter(): { stop: () => number } {
  let turns = 0;
  let running = true;
  const tick = () => {
    if (!running) return;
    turns += 1;
    setImmediate(tick);
  };
  setImmediate(tick);
  return {
    stop: () => {
      running = false;
      return turns;
    },
  };
}

describe('the event loop turns while jobs are handled', () => {
  it('submitting 20,000 items from a synchronous source yields to other work', async () => {
    store = openStoreFile(':memory:');
    const graph = lineGraph([], [{ name: 'text', value: '{{ start.transcript.text }}' }]);
    const scenarioId = (await createScenario(dataStoreOf(store.db), { name: 'loop', graph })).id;
    const compiled = compileGraph(graph);
    if (!compiled.ok) throw new Error('the test graph does not compile');
    function* items(): Generator<ParsedItem> {
      for (let i = 1; i <= 20_000; i++) yield { line: i, id: `c${i}`, inputs: { transcript: `客户：宽带第 ${i} 次断了` } };
    }
    const counter = turnCounter();
    const result = await submitJob(new JobStore(dataStoreOf(store.db)), { scenarioId, slug: 's', version: 1, plan: compiled.plan }, items(), { owner: 'o', idempotencyKey: null, webhookUrl: null });
    const turns = counter.stop();
    expect(result).toMatchObject({ outcome: 'created', job: { total: 20_000 } });
    // All of it in microtasks would be 0 turns; slices of ≤ 10 ms of 20,000 checks and inserts give many.
    expect(turns).toBeGreaterThan(2);
  });

  it('the runner does not finish items that need no I/O in one unbroken chain of microtasks', async () => {
    store = openStoreFile(':memory:');
    const jobs = new JobStore(dataStoreOf(store.db));
    const scenarioId = (await createScenario(dataStoreOf(store.db), { name: 'loop', graph: lineGraph([], []) })).id;
    await jobs.beginJob({ id: 'j', scenarioId, slug: 'gone', version: 1, owner: 'o', webhookUrl: null, createdAt: Date.now() });
    await jobs.addItems('j', Array.from({ length: 2000 }, (_, i) => ({ seq: i + 1, itemId: `c${i}`, inputs: '{}' })));
    await jobs.finalize('j', 'o', 2000, 'h', null);
    // An unknown scenario: every item fails at once, without awaiting anything.
    const runner = new JobRunner({ store: jobs, published: new PublishedScenarios(dataStoreOf(store.db), noServices), models: { resolve: () => { throw new Error('no model needed'); } }, services: noServices, flushMs: 1 });
    await runner.start();
    await new Promise((resolve) => setImmediate(resolve));
    const early = await jobs.counts('j');
    expect(early.pending).toBeGreaterThan(1000);
    for (let i = 0; i < 2000 && (await jobs.getJob('j'))?.status !== 'completed'; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await jobs.counts('j')).toMatchObject({ failed: 2000, pending: 0, running: 0 });
    await runner.stop();
  });
});
