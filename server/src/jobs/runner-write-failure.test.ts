/**
 * The job runner turns a result it cannot store into a failed item saying why, never an exception out
 * of its flush timer (which took the process down, and again at every restart as the item was
 * recovered and run again). The store here refuses one item's outputs, as SQLite or the serialiser
 * refuses a value.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lineGraph, noServices } from '../engine/testing.js';
import { ScriptedModel } from '../model/scripted.js';
import { publishDraft } from '../publish/publish.js';
import { PublishedScenarios } from '../publish/registry.js';
import { openStoreFile, type Store } from '../storage/db.js';
import { JobStore, type ItemOutcome } from '../storage/jobs.js';
import { dataStoreOf } from '../storage/store.js';
import { createScenario } from '../storage/scenarios.js';
import { JobRunner } from './runner.js';

let store: Store | undefined;
afterEach(() => {
  store?.close();
  vi.restoreAllMocks();
});

/** A store whose write of item 2's outputs throws; `always` makes the failed replacement throw too. */
class RefusingStore extends JobStore {
  always = false;
  override async record(outcomes: ItemOutcome[]): Promise<ItemOutcome[]> {
    for (const o of outcomes) {
      const poisoned = o.seq === 2 && o.outputs !== undefined;
      const replacement = (o.error as { code?: string } | undefined)?.code === 'result_write_failed';
      if ((poisoned && !replacement) || (this.always && o.seq === 2)) throw new Error('JSON nested too deep for SQLite');
    }
    return super.record(outcomes);
  }
}

async function runJob(always: boolean): Promise<RefusingStore> {
  store = openStoreFile(':memory:');
  const graph = lineGraph([], [{ name: 'text', value: '{{ start.transcript.text }}' }]);
  const scenarioId = (await createScenario(dataStoreOf(store.db), { name: 'w', graph })).id;
  await publishDraft(dataStoreOf(store.db), noServices, scenarioId, { slug: 'write-fail' });
  const jobs = new RefusingStore(dataStoreOf(store.db));
  jobs.always = always;
  await jobs.beginJob({ id: 'j', scenarioId, slug: 'write-fail', version: 1, owner: 'o', webhookUrl: null, createdAt: Date.now() });
  const texts = ['客户：你好', '客户：这条结果写不进去', '客户：宽带断了'];
  await jobs.addItems('j', texts.map((t, i) => ({ seq: i + 1, itemId: `c${i + 1}`, inputs: JSON.stringify({ transcript: t }) })));
  await jobs.finalize('j', 'o', texts.length, 'h', null);
  const runner = new JobRunner({ store: jobs, published: new PublishedScenarios(dataStoreOf(store.db), noServices), models: new ScriptedModel(() => 'unused').resolver(), services: noServices, flushMs: 1, pollMs: 5 });
  await runner.start();
  for (let i = 0; i < 400 && (await jobs.counts('j')).pending + (await jobs.counts('j')).running > (always ? 1 : 0); i++) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 20));
  await runner.stop();
  return jobs;
}

describe('a job item whose result cannot be stored', () => {
  it('becomes a failed item naming the reason; the others are stored and the job completes', async () => {
    const jobs = await runJob(false);
    expect(await jobs.counts('j')).toMatchObject({ succeeded: 2, failed: 1, pending: 0, running: 0 });
    expect((await jobs.getJob('j'))?.status).toBe('completed');
    const [failed] = (await jobs.failures('j', 0, 10)).rows;
    expect(failed).toMatchObject({ itemId: 'c2', status: 'failed', outputs: null });
    expect(JSON.parse(failed.error ?? '{}')).toMatchObject({ code: 'result_write_failed', message: expect.stringContaining('JSON nested too deep for SQLite') });
  });

  it('when even the failure cannot be written (the store itself failing), logs it and leaves the item to run after a restart, throwing nothing', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const jobs = await runJob(true);
    expect(await jobs.counts('j')).toMatchObject({ succeeded: 2, running: 1 });
    expect(logged.mock.calls.some((c) => String(c[0]).includes('result not stored'))).toBe(true);
  });
});
