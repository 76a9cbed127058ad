import { describe, expect, it } from 'vitest';
import { newId } from '../common/ids.js';
import { scenarioIn } from './eval-testing.js';
import { countReviewItems, decideReviewItem, getReviewItem, getReviewRules, insertReviewItems, listReviewItems, putReviewRules, reviewItemBySource, sampledOn, type NewReviewItem } from './review.js';
import { storesUnderTest } from './testing-stores.js';

describe.each(storesUnderTest('review'))('review storage on %s', (_name, open, skip) => {
  const item = (scenarioId: string, over: Partial<NewReviewItem> = {}): NewReviewItem => {
    const runId = newId();
    return { id: newId(), scenarioId, slug: 's', version: 1, sourceKey: `run:${runId}`, runId, jobId: null, itemId: null, inputs: { t: 'x' }, outputs: { label: 'y' }, reasons: [{ code: 'always' }], reasonCodes: ',always,', simulated: false, day: '2026-12-02', sampled: false, createdAt: 100, ...over };
  };

  it.skipIf(skip)('stores and replaces a scenario\'s rules', async () => {
    const store = await open();
    const scenarioId = await scenarioIn(store);
    expect(await getReviewRules(store, scenarioId)).toBeUndefined();
    await putReviewRules(store, { scenarioId, config: { rules: [{ kind: 'always' }] }, updatedBy: 'ann', updatedAt: 1 });
    await putReviewRules(store, { scenarioId, config: { rules: [] }, updatedBy: 'bob', updatedAt: 2 });
    expect(await getReviewRules(store, scenarioId)).toEqual({ scenarioId, config: { rules: [] }, updatedBy: 'bob', updatedAt: 2 });
  });

  it.skipIf(skip)('queues a source once, counts the day\'s sample, and pages the queue oldest first with ties by id', async () => {
    const store = await open();
    const scenarioId = await scenarioIn(store);
    const a = item(scenarioId, { createdAt: 100, sampled: true, reasonCodes: ',daily_sample,' });
    const b = item(scenarioId, { createdAt: 200 });
    const c = item(scenarioId, { createdAt: 200, reasonCodes: ',always,red_line,' });
    expect((await insertReviewItems(store, [a, b, c])).map((r) => r.id)).toEqual([a.id, b.id, c.id]);
    // The same source again (another id) is skipped, a new one queued.
    const d = item(scenarioId, { createdAt: 300 });
    expect((await insertReviewItems(store, [{ ...b, id: newId() }, d])).map((r) => r.id)).toEqual([d.id]);
    expect(await insertReviewItems(store, [])).toEqual([]);
    expect(await sampledOn(store, scenarioId, '2026-12-02')).toBe(1);
    expect(await sampledOn(store, scenarioId, '2026-12-03')).toBe(0);
    expect((await getReviewItem(store, a.id))?.status).toBe('pending');
    expect((await reviewItemBySource(store, b.sourceKey))?.id).toBe(b.id);

    const order = [a.id, ...[b.id, c.id].sort(), d.id];
    const first = await listReviewItems(store, { scenarioId }, 2);
    expect(first.map((r) => r.id)).toEqual(order.slice(0, 2));
    const last = first.at(-1)!;
    expect((await listReviewItems(store, { scenarioId }, 5, { createdAt: last.createdAt, id: last.id })).map((r) => r.id)).toEqual(order.slice(2));
    expect((await listReviewItems(store, { reason: 'red_line' }, 10)).map((r) => r.id)).toEqual([c.id]);
    expect((await listReviewItems(store, { reason: 'daily_sample' }, 10)).map((r) => r.id)).toEqual([a.id]);
    expect(await countReviewItems(store, { scenarioId })).toEqual({ pending: 4, confirmed: 0, corrected: 0 });
  });

  it.skipIf(skip)('stores a decision only over the state the caller read', async () => {
    const store = await open();
    const scenarioId = await scenarioIn(store);
    const a = item(scenarioId);
    await insertReviewItems(store, [a]);
    const decide = (expect: number | null, at: number, by: string) => decideReviewItem(store, a.id, expect, { status: 'confirmed', decidedAt: at, decidedBy: by, decision: { by } });
    const raced = await Promise.all([decide(null, 10, 'ann'), decide(null, 11, 'bob')]);
    expect(raced.filter(Boolean)).toHaveLength(1);
    const row = await getReviewItem(store, a.id);
    expect(row?.decidedBy).toBe(raced[0] ? 'ann' : 'bob');
    expect(await decide(row!.decidedAt, 20, 'cy')).toBe(true);
    expect(await decide(row!.decidedAt, 30, 'dee')).toBe(false);
    expect(await getReviewItem(store, a.id)).toMatchObject({ status: 'confirmed', decidedAt: 20, decidedBy: 'cy', decision: { by: 'cy' } });
    expect(await listReviewItems(store, { decided: true, status: 'confirmed' }, 10)).toHaveLength(1);
    expect(await countReviewItems(store, { scenarioId, status: 'pending' })).toEqual({ pending: 0, confirmed: 1, corrected: 0 });
  });
});
