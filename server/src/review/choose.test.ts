/**
 * Review's choice on the hot path of every /v1 run: with the rules cached it names the queued item at once
 * and writes it in the background; cold, it queues in the background and names none; a failed write is
 * logged, never thrown at the run.
 */
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { noServices } from '../engine/testing.js';
import { EvaluationSets } from '../evaluation/sets.js';
import { PublishedScenarios } from '../publish/registry.js';
import { scenarioIn } from '../storage/eval-testing.js';
import { putReviewRules, reviewItemBySource } from '../storage/review.js';
import type { DataStore } from '../storage/store.js';
import { storesUnderTest } from '../storage/testing-stores.js';
import { ReviewService, type ProducedResult } from './service.js';

async function setUp(data: DataStore) {
  const scenarioId = await scenarioIn(data);
  await putReviewRules(data, { scenarioId, config: { rules: [{ kind: 'always' }], outputs: [], set_id: null }, updatedBy: 'ann', updatedAt: 1 });
  const logged: string[] = [];
  const review = new ReviewService(new PublishedScenarios(data, noServices), new EvaluationSets(data), Date.now, (line) => logged.push(line));
  const run = (runId: string): ProducedResult => ({ scenarioId, slug: 's', version: 1, runId, inputs: { t: 'x' }, outputs: { label: 'y' }, simulated: false });
  return { data, scenarioId, review, run, logged };
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await check()); i += 1) await new Promise((r) => setTimeout(r, 5));
  expect(await check()).toBe(true);
}

describe.each(storesUnderTest('review_choose'))('choosing a /v1 run for review on %s', (_name, open, skip) => {
  it.skipIf(skip)('queues in the background when cold, and names the item at once when warm', async () => {
    const { data, review, run } = await setUp(await open());
    expect(review.chooseNow(run('r1'))).toBeUndefined();
    await until(async () => (await reviewItemBySource(data, 'run:r1')) !== undefined);
    const id = review.chooseNow(run('r2'));
    expect(typeof id).toBe('string');
    await until(async () => (await reviewItemBySource(data, 'run:r2'))?.id === id);
  });

  it.skipIf(skip)('logs a write that fails rather than throwing at the run', async () => {
    const { data, scenarioId, review, run, logged } = await setUp(await open());
    await review.choose([run('warm')]);
    // The scenario goes (its items with it): the queued row's foreign key now fails.
    await data.db.delete(data.t.scenarios).where(eq(data.t.scenarios.id, scenarioId));
    expect(review.chooseNow(run('r3'))).toEqual(expect.any(String));
    await until(async () => logged.length > 0);
    expect(logged[0]).toContain('run r3: human review could not queue it');
    expect(await reviewItemBySource(data, 'run:r3')).toBeUndefined();
  });
});
