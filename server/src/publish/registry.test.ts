import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { GRAPH_FORMAT, type Graph } from '@shared/graph.js';
import { createEngineServices } from '../services/index.js';
import { storesUnderTest } from '../storage/testing-stores.js';
import { replyGraph } from './graphs.testing.js';
import { draftIn, saveDraftIn } from './stores.testing.js';
import { publishDraft, rollback } from './publish.js';
import { PublishedScenarios, type Resolution } from './registry.js';

const services = createEngineServices({});
afterAll(async () => {
  await services.close();
});

/** The resolution, whether it came at once or as a promise. */
async function settled(r: Resolution | Promise<Resolution>): Promise<Resolution> {
  return r;
}

function planOf(r: Resolution) {
  if ('error' in r) throw new Error(r.error);
  return r.plan;
}

describe.each(storesUnderTest('registry'))('PublishedScenarios on %s', (_name, open, skip) => {
  it.skipIf(skip)('resolves the live version, pins versions, and sees a rollback at once', async () => {
    const store = await open();
    const registry = new PublishedScenarios(store, services);
    const id = await draftIn(store, replyGraph());
    expect(await registry.resolve('reply')).toEqual({ error: 'unknown_scenario' });
    const v1 = await publishDraft(store, services, id, { slug: 'reply' });
    await saveDraftIn(store, id, replyGraph('Reply', '换一个提示词'));
    const v2 = await publishDraft(store, services, id);
    expect([v1.version, v2.version]).toEqual([1, 2]);

    const live = await registry.resolve('reply');
    if ('error' in live) throw new Error(live.error);
    expect(live).toMatchObject({ scenarioId: id, slug: 'reply', version: 2 });
    expect(live.plan.hash).toBe(v2.plan_hash);
    expect(Object.keys(live.plan.inputSchema.properties ?? {})).toEqual(['transcript', 'channel']);

    const pinned = await registry.resolve('reply', 1);
    expect(planOf(pinned).hash).toBe(v1.plan_hash);
    expect(await registry.resolve('reply', 7)).toEqual({ error: 'unknown_version' });

    await rollback(store, id, 1);
    const after = await registry.resolve('reply');
    expect('error' in after ? after.error : after.version).toBe(1);
    // The cached plan object is reused: compiled once per version.
    expect(planOf(after)).toBe(planOf(pinned));
  });

  it.skipIf(skip)('answers a cached slug and plan at once (not a promise), a miss as a promise', async () => {
    const store = await open();
    const registry = new PublishedScenarios(store, services);
    const id = await draftIn(store, replyGraph('Quick'));
    await publishDraft(store, services, id, { slug: 'quick' });
    const first = registry.resolve('quick');
    expect(first).toBeInstanceOf(Promise);
    const plan = planOf(await first);
    const again = registry.resolve('quick');
    expect(again).not.toBeInstanceOf(Promise);
    expect(planOf(again as Resolution)).toBe(plan);
    // Unknown slugs are remembered too: the second ask is answered at once.
    await settled(registry.resolve('nobody'));
    expect(registry.resolve('nobody')).toEqual({ error: 'unknown_scenario' });
    // Concurrent misses of one version compile it once.
    const fresh = new PublishedScenarios(store, services);
    await saveDraftIn(store, id, replyGraph('Quick', '第二版'));
    await publishDraft(store, services, id);
    const [a, b] = await Promise.all([fresh.resolve('quick', 2), fresh.resolve('quick', 2)]);
    expect(planOf(a)).toBe(planOf(b));
  });

  it.skipIf(skip)('reports not_published for a slugged scenario without a live version, and lists live ones', async () => {
    const store = await open();
    const registry = new PublishedScenarios(store, services);
    const reply = await draftIn(store, replyGraph());
    await publishDraft(store, services, reply, { slug: 'reply' });
    expect((await registry.listLive()).map((l) => [l.slug, l.version])).toEqual([['reply', 1]]);
    const other = await draftIn(store, replyGraph('Other'));
    expect(await registry.resolve('other')).toEqual({ error: 'unknown_scenario' });
    await publishDraft(store, services, other);
    expect((await registry.listLive()).map((l) => l.slug)).toEqual(['other', 'reply']);
    // A slug held without a live version (as after a version's row was taken away by hand).
    await store.db.update(store.t.scenarios).set({ liveVersion: null }).where(eq(store.t.scenarios.id, other));
    const fresh = new PublishedScenarios(store, services);
    expect(await fresh.resolve('other')).toEqual({ error: 'not_published' });
  });

  it.skipIf(skip)('reports a stored version that no longer compiles as version_not_runnable, and leaves it out of the list', async () => {
    const store = await open();
    const id = await draftIn(store, replyGraph('Old'));
    await publishDraft(store, services, id, { slug: 'old' });
    const broken: Graph = { schema: GRAPH_FORMAT, name: 'old', nodes: [{ id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [] } }], edges: [] };
    await store.db.update(store.t.scenarioVersions).set({ graph: broken }).where(eq(store.t.scenarioVersions.scenarioId, id));
    const registry = new PublishedScenarios(store, services);
    const resolved = await registry.resolve('old');
    expect(resolved).toMatchObject({ error: 'version_not_runnable' });
    expect('message' in resolved ? resolved.message : '').toMatch(/version 1 of "old" cannot run/);
    expect(await registry.listLive()).toEqual([]);
  });

  it.skipIf(skip)('keeps at most maxCached plans, dropping the least recently used', async () => {
    const store = await open();
    const id = await draftIn(store, replyGraph());
    await publishDraft(store, services, id, { slug: 'reply' });
    await saveDraftIn(store, id, replyGraph('Reply', '第二版'));
    await publishDraft(store, services, id);
    const registry = new PublishedScenarios(store, services, 2);
    const plan = async (version: number) => planOf(await registry.resolve('reply', version));
    const one = await plan(1);
    const two = await plan(2);
    expect(await plan(1)).toBe(one); // 1 is now the most recent, 2 the least
    await saveDraftIn(store, id, replyGraph('Reply', '第三版'));
    await plan((await publishDraft(store, services, id)).version); // a third plan evicts version 2
    expect(await plan(1)).toBe(one);
    expect(await plan(2)).not.toBe(two);
    expect((await plan(2)).hash).toBe(two.hash);
  });
});
