/**
 * A job item whose stored inputs are not JSON (a damaged row: no API stores one) becomes a failed item
 * saying so; before, `JSON.parse` threw out of the runner and the item stayed `running` for good.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { lineGraph, noServices } from '../engine/testing.js';
import { ScriptedModel } from '../model/scripted.js';
import { publishDraft } from '../publish/publish.js';
import { PublishedScenarios } from '../publish/registry.js';
import { openStoreFile, type Store } from '../storage/db.js';
import { JobStore } from '../storage/jobs.js';
import { dataStoreOf } from '../storage/store.js';
import { createScenario } from '../storage/scenarios.js';
import { JobRunner } from './runner.js';

let store: Store | undefined;
afterEach(() => store?.close());

describe('a job item whose stored inputs are damaged', () => {
  it('fails with invalid_inputs naming the damage; the other items succeed and the job completes', async () => {
    store = openStoreFile(':memory:');
    const graph = lineGraph([], [{ name: 'text', value: '{{ start.transcript.text }}' }]);
    const scenarioId = (await createScenario(dataStoreOf(store.db), { name: 'd', graph })).id;
    await publishDraft(dataStoreOf(store.db), noServices, scenarioId, { slug: 'damaged-inputs' });
    const jobs = new JobStore(dataStoreOf(store.db));
    await jobs.beginJob({ id: 'j', scenarioId, slug: 'damaged-inputs', version: 1, owner: 'o', webhookUrl: null, createdAt: Date.now() });
    const inputs = [JSON.stringify({ transcript: '客户：你好' }), '{"transcript":"客户：', JSON.stringify({ transcript: '客户：再见' })];
    await jobs.addItems('j', inputs.map((text, i) => ({ seq: i + 1, itemId: `c${i + 1}`, inputs: text })));
    await jobs.finalize('j', 'o', inputs.length, 'h', null);
    const runner = new JobRunner({ store: jobs, published: new PublishedScenarios(dataStoreOf(store.db), noServices), models: new ScriptedModel(() => 'unused').resolver(), services: noServices, flushMs: 1, pollMs: 5 });
    await runner.start();
    for (let i = 0; i < 400 && (await jobs.counts('j')).pending + (await jobs.counts('j')).running > 0; i++) await new Promise((r) => setTimeout(r, 5));
    await runner.stop();
    expect(await jobs.counts('j')).toMatchObject({ succeeded: 2, failed: 1, pending: 0, running: 0 });
    expect((await jobs.getJob('j'))?.status).toBe('completed');
    const [failed] = (await jobs.failures('j', 0, 10)).rows;
    expect(failed).toMatchObject({ itemId: 'c2', status: 'failed' });
    expect(JSON.parse(failed?.error ?? '{}')).toMatchObject({ code: 'invalid_inputs', message: expect.stringContaining('not JSON') });
  });
});
