/**
 * Human review on both stores, with no SQLite `Db`: rules are checked against the draft's end outputs,
 * then the live version's (read through the store and the published registry); the queue names each
 * item's scenario; a correction becomes a case of the 人工复核 set; the live desk's views read the same.
 */
import { describe, expect, it } from 'vitest';
import { REVIEW_SET_NAME } from '@shared/review.js';
import { lineGraph, noServices } from '../engine/testing.js';
import { EvaluationSets } from '../evaluation/sets.js';
import { publishDraft } from '../publish/publish.js';
import { PublishedScenarios } from '../publish/registry.js';
import { createScenario } from '../storage/scenarios.js';
import { storesUnderTest } from '../storage/testing-stores.js';
import { liveViews } from './live-cases.js';
import { ReviewService } from './service.js';

const graph = lineGraph([], [{ name: 'intent', value: 'A:{{ start.transcript.text }}' }]);

describe.each(storesUnderTest('review_services'))('human review on %s', (_name, open, skip) => {
  it.skipIf(skip)('checks rules against the draft, then the live version, and decides into the review set', async () => {
    const store = await open();
    const review = new ReviewService(new PublishedScenarios(store, noServices), new EvaluationSets(store));
    await expect(review.rules('nope')).rejects.toMatchObject({ code: 'not_found' });
    const scenarioId = (await createScenario(store, { name: '投诉', graph })).id;
    expect(await review.rules(scenarioId)).toMatchObject({ checked_against: { kind: 'draft', version: null }, available: [expect.objectContaining({ name: 'intent' })] });
    await publishDraft(store, noServices, scenarioId, { slug: 'tag' });
    const { after } = await store.transaction((tx) => review.within(tx).setRules(scenarioId, { rules: [{ kind: 'always' }], outputs: [], set_id: null }, 'ann'));
    expect(after).toMatchObject({ checked_against: { kind: 'live', version: 1 }, rules: [{ kind: 'always' }], updated_by: 'ann' });
    await expect(store.transaction((tx) => review.within(tx).setRules(scenarioId, { rules: [{ kind: 'always' }], outputs: ['nope'], set_id: null }, 'ann'))).rejects.toMatchObject({ code: 'unknown_review_output' });

    const [queued] = await review.choose([{ scenarioId, slug: 'tag', version: 1, runId: 'r1', inputs: { transcript: '客户：宽带断了' }, outputs: { intent: 'A:x' }, simulated: false }]);
    if (!queued) throw new Error('the always rule queues the run');
    const list = await review.list({ scenarioId }, 10);
    expect(list.items.map((i) => [i.id, i.scenario_name, i.status])).toEqual([[queued.id, '投诉', 'pending']]);
    expect((await review.detail(queued.id)).views.map((v) => v.name)).toEqual(['intent']);
    expect((await liveViews(review, scenarioId, 1, { intent: 'A:y' })).map((v) => [v.name, v.value])).toEqual([['intent', 'A:y']]);

    const decided = await store.transaction((tx) => review.within(tx).decide(queued.id, { note: '', redecide: false }, 'ann', { intent: 'B:x' }));
    expect(decided).toMatchObject({ case_id: `review-${queued.id}`, revision: 1, item: { status: 'corrected', decided_by: 'ann' } });
    const set = await review.targetSet(scenarioId);
    expect(set).toMatchObject({ id: decided.set_id, name: REVIEW_SET_NAME });
    expect((await review.sets.casesOf(set.id)).map((c) => [c.id, c.expected])).toEqual([[`review-${queued.id}`, { intent: 'B:x' }]]);
    expect((await review.decided({ scenarioId })).map((r) => [r.scenario_name, r.before, r.after])).toEqual([['投诉', { intent: 'A:x' }, { intent: 'B:x' }]]);
  });
});
