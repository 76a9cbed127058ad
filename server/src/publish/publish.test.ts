import { afterAll, describe, expect, it } from 'vitest';
import { SLUG_PATTERN } from '@shared/publish.js';
import { createEngineServices } from '../services/index.js';
import { isUniqueViolation } from '../storage/db-errors.js';
import { storesUnderTest } from '../storage/testing-stores.js';
import { getPublishState, insertVersion, listVersions, versionSummary } from '../storage/versions.js';
import { replyGraph } from './graphs.testing.js';
import { deriveSlug, publication, publishDraft, rollback } from './publish.js';
import { draftIn, saveDraftIn } from './stores.testing.js';

describe('deriveSlug', () => {
  const id = '3F2A9C1B-1111-2222-3333-444455556666';

  it('turns ascii words of the name into a lowercase dashed slug', () => {
    expect(deriveSlug('Work Order Fill', id)).toBe('work-order-fill');
    expect(deriveSlug('  宽带 Repair_v2 (Beta)!! ', id)).toBe('repair-v2-beta');
    expect(deriveSlug('Café Über', id)).toBe('cafe-uber');
  });

  it('falls back to scenario-<short id> when too little ascii is left', () => {
    expect(deriveSlug('工单填写', id)).toBe('scenario-3f2a9c1b');
    expect(deriveSlug('x', id)).toBe('scenario-3f2a9c1b');
  });

  it('always yields a valid slug, even from a very long name', () => {
    for (const name of ['a'.repeat(300), `${'ab-'.repeat(40)}`, '---', '9 lives']) expect(deriveSlug(name, id)).toMatch(SLUG_PATTERN);
  });
});

const services = createEngineServices({});
afterAll(async () => {
  await services.close();
});

describe.each(storesUnderTest('publish'))('publishing on %s', (_name, open, skip) => {
  it.skipIf(skip)('chooses the slug once, refuses one taken, an invalid one, a change of it, and a draft with nothing new', async () => {
    const store = await open();
    const a = await draftIn(store, replyGraph('Work Order'));
    const b = await draftIn(store, replyGraph('Work Order', '另一个提示词'));
    expect((await publication(store, services, a)).suggested_slug).toBe('work-order');
    const first = await publishDraft(store, services, a, { note: 'first', by: 'ana' });
    expect(first).toMatchObject({ slug: 'work-order', version: 1, live_version: 1 });
    // The derived slug is taken: the id's prefix is added.
    expect((await publication(store, services, b)).suggested_slug).toMatch(/^work-order-[a-z0-9]{1,8}$/);
    await expect(publishDraft(store, services, b, { slug: 'work-order' })).rejects.toMatchObject({ code: 'slug_taken' });
    await expect(publishDraft(store, services, b, { slug: 'No Caps' })).rejects.toMatchObject({ code: 'invalid_slug' });
    await expect(publishDraft(store, services, a, { slug: 'renamed' })).rejects.toMatchObject({ code: 'slug_immutable' });
    await expect(publishDraft(store, services, a)).rejects.toMatchObject({ code: 'no_changes' });
    await expect(publishDraft(store, services, 'nope')).rejects.toMatchObject({ code: 'not_found' });

    await saveDraftIn(store, a, replyGraph('Work Order', '第二版'));
    expect((await publication(store, services, a)).draft_changed).toBe(true);
    const second = await publishDraft(store, services, a, { note: 'second' });
    expect(second.version).toBe(2);
    expect(await rollback(store, a, 1)).toEqual({ slug: 'work-order', live_version: 1 });
    // The draft now does what version 2 does: no new version, roll back to it instead.
    await expect(publishDraft(store, services, a)).rejects.toMatchObject({ code: 'no_changes', details: { same_as_version: 2 } });
    await expect(rollback(store, a, 9)).rejects.toMatchObject({ code: 'unknown_version' });
    await expect(rollback(store, b, 1)).rejects.toMatchObject({ code: 'unknown_version' });

    const listed = (await listVersions(store, a)).map((row) => versionSummary(row, 1));
    expect(listed.map((v) => [v.version, v.note, v.live])).toEqual([
      [2, 'second', false],
      [1, 'first', true],
    ]);
    expect(listed[1]?.created_by).toBe('ana');
    expect(await publication(store, services, a)).toMatchObject({ slug: 'work-order', live_version: 1, latest_version: 2, draft_changed: true });
  });

  it.skipIf(skip)('refuses, as slug_taken, a slug another scenario took between the check and the write', async () => {
    const store = await open();
    const a = await draftIn(store, replyGraph('A'));
    const b = await draftIn(store, replyGraph('B'));
    await publishDraft(store, services, a, { slug: 'shared' });
    // Past the check (as when another server publishes at the same moment): the unique index refuses it.
    await expect(insertVersion(store, { scenarioId: b, slug: 'shared', graph: replyGraph('B'), planHash: 'h', note: '', createdBy: 't' })).rejects.toSatisfy(isUniqueViolation);
    expect(await listVersions(store, b)).toEqual([]);
    expect((await getPublishState(store, b))?.slug).toBeNull();
  });
});
