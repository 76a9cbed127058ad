import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineServices } from '../services/index.js';
import { openStore, type Store } from '../storage/db.js';
import { createScenario, updateScenario } from '../storage/scenarios.js';
import { replyGraph } from './graphs.testing.js';
import { publishDraft, rollback } from './publish.js';
import { PublishedScenarios } from './registry.js';

let dir: string;
let store: Store;
const services = createEngineServices({});

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mofang-registry-'));
  store = openStore(dir);
});
afterAll(async () => {
  store.close();
  await services.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('PublishedScenarios', () => {
  it('resolves the live version, pins versions, and sees a rollback at once', () => {
    const { db } = store;
    const registry = new PublishedScenarios(db, services);
    const s = createScenario(db, { name: 'Reply', graph: replyGraph() });
    expect(registry.resolve('reply')).toEqual({ error: 'unknown_scenario' });
    const v1 = publishDraft(db, services, s.id, { slug: 'reply' });
    updateScenario(db, s.id, { graph: replyGraph('Reply', '换一个提示词') });
    const v2 = publishDraft(db, services, s.id);
    expect([v1.version, v2.version]).toEqual([1, 2]);

    const live = registry.resolve('reply');
    if ('error' in live) throw new Error(live.error);
    expect(live).toMatchObject({ scenarioId: s.id, slug: 'reply', version: 2 });
    expect(live.plan.hash).toBe(v2.plan_hash);
    expect(Object.keys(live.plan.inputSchema.properties ?? {})).toEqual(['transcript', 'channel']);

    const pinned = registry.resolve('reply', 1);
    expect('error' in pinned ? pinned.error : pinned.plan.hash).toBe(v1.plan_hash);
    expect(registry.resolve('reply', 7)).toEqual({ error: 'unknown_version' });

    rollback(db, s.id, 1);
    const after = registry.resolve('reply');
    expect('error' in after ? after.error : after.version).toBe(1);
    // The cached plan object is reused: compiled once per version.
    expect('error' in after ? undefined : after.plan).toBe('error' in pinned ? undefined : pinned.plan);
  });

  it('reports not_published for a slugged scenario without a live version, and lists live ones', () => {
    const { db } = store;
    const registry = new PublishedScenarios(db, services);
    expect(registry.listLive().map((l) => [l.slug, l.version])).toEqual([['reply', 1]]);
    const other = createScenario(db, { name: 'Other', graph: replyGraph('Other') });
    expect(registry.resolve('other')).toEqual({ error: 'unknown_scenario' });
    publishDraft(db, services, other.id);
    expect(registry.listLive().map((l) => l.slug)).toEqual(['other', 'reply']);
  });

  it('keeps at most maxCached plans, dropping the least recently used', () => {
    const { db } = store;
    const registry = new PublishedScenarios(db, services, 2);
    const plan = (version: number) => {
      const r = registry.resolve('reply', version);
      if ('error' in r) throw new Error(r.error);
      return r.plan;
    };
    const one = plan(1);
    const two = plan(2);
    expect(plan(1)).toBe(one); // 1 is now the most recent, 2 the least
    const rolled = registry.resolve('reply');
    if ('error' in rolled) throw new Error(rolled.error);
    updateScenario(db, rolled.scenarioId, { graph: replyGraph('Reply', '第三版') });
    plan(publishDraft(db, services, rolled.scenarioId).version); // a third plan evicts version 2
    expect(plan(1)).toBe(one);
    expect(plan(2)).not.toBe(two);
    expect(plan(2).hash).toBe(two.hash);
  });
});
