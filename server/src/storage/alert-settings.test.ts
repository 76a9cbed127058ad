/**
 * The live-alert repository on both stores: settings replaced whole by one upsert, deliveries listed
 * newest first, and each attempt of a delivery claimed once (the claim moves `next_attempt_at` to the
 * lease's end; the outcome is written only at the claimed count). Two stores over one database (two
 * servers) claiming the same due deliveries at once take each one once.
 */
import { describe, expect, it } from 'vitest';
import { claimAlertAttempt, getAlertDelivery, getAlertSettings, insertAlertDelivery, pendingAlertDeliveryPages, putAlertSettings, recentAlertDeliveries, recordAlertAttempt, releaseAlertAttempt, setAlertNextAttempt } from './alert-settings.js';
import type { DataStore } from './store.js';
import { storePairsUnderTest, storesUnderTest } from './testing-stores.js';

/** Every pending delivery, oldest first. */
async function allPending(store: DataStore): Promise<Array<{ id: string; nextAttemptAt: number | null }>> {
  const rows: Array<{ id: string; nextAttemptAt: number | null }> = [];
  for await (const page of pendingAlertDeliveryPages(store)) rows.push(...page);
  return rows;
}

const T0 = Date.UTC(2026, 0, 1);

async function scenario(store: DataStore, id: string): Promise<void> {
  await store.db.insert(store.t.scenarios).values({ id, name: id, graph: { nodes: [], edges: [] }, createdAt: T0, updatedAt: T0 });
}

const delivery = (id: string, at: number, scenarioId = 'sc') => ({ id, scenarioId, sessionId: `s-${id}`, alertId: `a-${id}`, url: 'https://crm.example/hook', payload: { b: 1, a: [id] }, nextAttemptAt: at, createdAt: at });

describe.each(storesUnderTest('alert_settings'))('the live-alert repository on %s', (_name, open, skip) => {
  it.skipIf(skip)('stores a scenario\'s settings and replaces them whole', async () => {
    const store = await open();
    await scenario(store, 'sc');
    expect(await getAlertSettings(store, 'sc')).toBeUndefined();
    const row = { scenarioId: 'sc', rules: [{ id: 'r1', name: '红线', kind: 'red_line', output: 'fatal' }], riskOutput: 'level', webhookUrl: 'https://crm.example/hook', webhookSecret: 'v1:sealed', updatedAt: T0, updatedBy: 'li' };
    await putAlertSettings(store, row);
    expect(await getAlertSettings(store, 'sc')).toEqual(row);
    const next = { ...row, rules: [], riskOutput: null, webhookUrl: null, updatedAt: T0 + 1, updatedBy: null };
    await putAlertSettings(store, next);
    expect(await getAlertSettings(store, 'sc')).toEqual(next);
  });

  it.skipIf(skip)('claims a due attempt once, records it only at the claimed count, and gives back one not made', async () => {
    const store = await open();
    await scenario(store, 'sc');
    await insertAlertDelivery(store, delivery('d1', T0));
    expect(await claimAlertAttempt(store, 'd1', T0 - 1, T0 + 100)).toBeUndefined();
    const claimed = await claimAlertAttempt(store, 'd1', T0, T0 + 100);
    expect(claimed).toMatchObject({ id: 'd1', status: 'pending', attempts: 0, nextAttemptAt: T0 + 100, payload: { b: 1, a: ['d1'] } });
    // Held: not due again before the lease ends, for this server or another.
    expect(await claimAlertAttempt(store, 'd1', T0 + 50, T0 + 150)).toBeUndefined();
    expect(await recordAlertAttempt(store, 'd1', 0, { attempts: 1, status: 500, error: 'HTTP 500', outcome: 'pending', nextAttemptAt: T0 + 200, at: T0 + 60 })).toBe(true);
    // A late outcome of the same attempt (its lease ran out, another server made it) changes nothing.
    expect(await recordAlertAttempt(store, 'd1', 0, { attempts: 1, status: 200, error: null, outcome: 'delivered', nextAttemptAt: null, at: T0 + 61 })).toBe(false);
    expect(await getAlertDelivery(store, 'd1')).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 500, nextAttemptAt: T0 + 200, deliveredAt: null });

    const second = await claimAlertAttempt(store, 'd1', T0 + 200, T0 + 300);
    expect(second?.attempts).toBe(1);
    await releaseAlertAttempt(store, 'd1', 1, T0 + 300, T0 + 210);
    expect(await allPending(store)).toEqual([{ id: 'd1', nextAttemptAt: T0 + 210 }]);
    // The queue's retry time: set only at the count just recorded.
    await setAlertNextAttempt(store, 'd1', 0, T0 + 999);
    await setAlertNextAttempt(store, 'd1', 1, T0 + 210);
    expect((await getAlertDelivery(store, 'd1'))?.nextAttemptAt).toBe(T0 + 210);
    expect((await claimAlertAttempt(store, 'd1', T0 + 210, T0 + 310))?.attempts).toBe(1);
    expect(await recordAlertAttempt(store, 'd1', 1, { attempts: 2, status: 200, error: null, outcome: 'delivered', nextAttemptAt: null, at: T0 + 220 })).toBe(true);
    expect(await getAlertDelivery(store, 'd1')).toMatchObject({ status: 'delivered', attempts: 2, lastStatus: 200, lastError: null, nextAttemptAt: null, deliveredAt: T0 + 220 });
    expect(await claimAlertAttempt(store, 'd1', T0 + 10_000, T0 + 10_100)).toBeUndefined();
    expect(await allPending(store)).toEqual([]);
  });

  it.skipIf(skip)('lists pending deliveries oldest first and a scenario\'s newest first', async () => {
    const store = await open();
    await scenario(store, 'sc');
    await scenario(store, 'other');
    await insertAlertDelivery(store, delivery('b', T0 + 2));
    await insertAlertDelivery(store, delivery('a', T0 + 2));
    await insertAlertDelivery(store, delivery('c', T0 + 1));
    await insertAlertDelivery(store, delivery('x', T0 + 3, 'other'));
    expect((await allPending(store)).map((d) => d.id)).toEqual(['c', 'a', 'b', 'x']);
    // Every one, page by page (ties on created_at broken by id), none twice.
    const pages: string[][] = [];
    for await (const page of pendingAlertDeliveryPages(store, 2)) pages.push(page.map((d) => d.id));
    expect(pages).toEqual([['c', 'a'], ['b', 'x']]);
    const single: string[][] = [];
    for await (const page of pendingAlertDeliveryPages(store, 3)) single.push(page.map((d) => d.id));
    expect(single).toEqual([['c', 'a', 'b'], ['x']]);
    expect((await recentAlertDeliveries(store, 'sc', 10)).map((d) => d.id)).toEqual(['b', 'a', 'c']);
    expect((await recentAlertDeliveries(store, 'sc', 2)).map((d) => d.id)).toEqual(['b', 'a']);
  });
});

describe.each(storePairsUnderTest('alert_claims'))('two stores claiming alert attempts over one database on %s', (_name, open, skip) => {
  it.skipIf(skip)('takes each due attempt once when both claim every delivery at once', async () => {
    const { a, b } = await open();
    await scenario(a, 'sc');
    const ids = Array.from({ length: 60 }, (_, i) => `d${String(i).padStart(2, '0')}`);
    for (const id of ids) await insertAlertDelivery(a, delivery(id, T0));
    const claimAll = (store: DataStore) => Promise.all(ids.map(async (id) => ((await claimAlertAttempt(store, id, T0 + 5, T0 + 1000)) ? id : null)));
    const [byA, byB] = await Promise.all([claimAll(a), claimAll(b)]);
    const won = [...byA, ...byB].filter((id): id is string => id !== null);
    expect(won.sort()).toEqual(ids);
  });
});
