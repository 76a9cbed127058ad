import { describe, expect, it, vi } from 'vitest';
import { SessionLeaseLost, SessionStepWriter } from './session-writer.js';
import { getCallSession, sessionEventsSince, sessionTurns } from './sessions.js';
import { sqliteOf } from './sqlite.js';
import type { DataStore } from './store.js';
import { storesUnderTest } from './testing-stores.js';
import { sessionStore } from './testing-sessions.js';

const turn = (sessionId: string, seq: number) => ({ sessionId, seq, turnId: `t${seq}`, role: 'customer', text: `话${seq}`, start: null, end: null, receivedAt: 5 });
const event = (sessionId: string, seq: number, data: unknown = { n: seq }) => ({ sessionId, seq, name: 'session.turns', data, at: 5 });

describe.each(storesUnderTest('session_writer'))('SessionStepWriter on %s', (_name, open, skip) => {
  it.skipIf(skip)('writes every step queued in one turn of the event loop in one transaction, each promise resolving after the commit', async () => {
    const { store, row } = await sessionStore(open);
    const writer = new SessionStepWriter(store);
    // A batch is one transaction: the store's (PostgreSQL, or SQLite with an `alsoWrite`), or on SQLite one of better-sqlite3's own.
    const begin = vi.spyOn(store, 'transaction');
    const sqliteBegin = store.dialect === 'sqlite' ? vi.spyOn(sqliteOf(store.db), 'transaction') : undefined;
    const a = writer.write('a', { session: row('a'), events: [event('a', 0)] });
    const b = writer.write('b', { session: row('b'), events: [event('b', 0)] });
    const c = writer.write('a', { turns: [turn('a', 1), turn('a', 2)], events: [event('a', 1)], patch: { turnCount: 2, lastTurnAt: 9, outputs: { 姓名: '王' }, simulated: true } });
    // Nothing is written before the next turn of the loop.
    expect(await getCallSession(store, 'a')).toBeUndefined();
    await Promise.all([a, b, c]);
    expect(begin.mock.calls.length + (sqliteBegin?.mock.calls.length ?? 0)).toBe(1);
    expect((await sessionTurns(store, 'a')).map((t) => t.turnId)).toEqual(['t1', 't2']);
    expect((await sessionEventsSince(store, 'a', 0)).map((e) => e.data)).toEqual([{ n: 0 }, { n: 1 }]);
    // Patch values go through the columns' own encodings (JSON, booleans).
    expect(await getCallSession(store, 'a')).toMatchObject({ turnCount: 2, lastTurnAt: 9, outputs: { 姓名: '王' }, simulated: true });
    expect(await getCallSession(store, 'b')).toMatchObject({ turnCount: 0, simulated: false });
  });

  it.skipIf(skip)('sets a column to null, leaves a turn already held as it is, and skips undefined patch keys', async () => {
    const { store, row } = await sessionStore(open);
    const writer = new SessionStepWriter(store);
    await writer.write('a', { session: { ...row('a'), outputs: { x: 1 }, endReason: 'idle' }, turns: [turn('a', 1)] });
    await writer.write('a', { turns: [{ ...turn('a', 1), text: 'changed' }], patch: { outputs: null, endReason: undefined } });
    expect((await sessionTurns(store, 'a'))[0]?.text).toBe('话1');
    expect(await getCallSession(store, 'a')).toMatchObject({ outputs: null, endReason: 'idle' });
  });

  it.skipIf(skip)('leaves each session as its steps one after another would: later values win, per session, whatever the columns', async () => {
    const { store, row } = await sessionStore(open);
    const writer = new SessionStepWriter(store);
    const ids = ['a', 'b', 'c', 'd'];
    await Promise.all(ids.map((id) => writer.write(id, { session: row(id) })));
    // One batch: the same columns for a, b, c with their own values (one grouped update on PostgreSQL),
    // two steps of a, null and JSON values, a big epoch ms, and d with other columns.
    await Promise.all([
      writer.write('a', { patch: { turnCount: 1, lastTurnAt: 1_764_000_000_001, outputs: { v: 'a1' }, simulated: true } }),
      writer.write('b', { patch: { turnCount: 2, lastTurnAt: null, outputs: null, simulated: false } }),
      writer.write('c', { patch: { turnCount: 3, lastTurnAt: 3, outputs: [1, { 名: '三' }], simulated: true } }),
      writer.write('a', { patch: { turnCount: 4, outputs: { v: 'a2' } } }),
      writer.write('d', { patch: { status: 'ended', endReason: 'max_duration', metrics: { turns: 9 } } }),
    ]);
    const rows = await Promise.all(ids.map((id) => getCallSession(store, id)));
    expect(rows.map((r) => [r?.turnCount, r?.lastTurnAt, r?.outputs, r?.simulated])).toEqual([
      [4, 1_764_000_000_001, { v: 'a2' }, true],
      [2, null, null, false],
      [3, 3, [1, { 名: '三' }], true],
      [0, null, null, false],
    ]);
    expect(rows[3]).toMatchObject({ status: 'ended', endReason: 'max_duration', metrics: { turns: 9 } });
  });

  it.skipIf(skip)('writes a batch of many sessions, turns and events (more rows than one insert statement takes)', async () => {
    const { store, row } = await sessionStore(open);
    const writer = new SessionStepWriter(store);
    const ids = Array.from({ length: 300 }, (_, i) => `s${String(i).padStart(3, '0')}`);
    await Promise.all(ids.map((id, i) => writer.write(id, { session: row(id, i), events: [event(id, 0)] })));
    await Promise.all(ids.map((id, i) => writer.write(id, { turns: [1, 2, 3, 4].map((n) => turn(id, n)), events: [event(id, 1)], patch: { turnCount: 4, lastActivityAt: 100 + i, nextEvent: 2 } })));
    const { db, t } = store;
    expect((await db.select().from(t.callSessionTurns)).length).toBe(1_200);
    expect((await db.select().from(t.callSessionEvents)).length).toBe(600);
    const last = await getCallSession(store, 's299');
    expect(last).toMatchObject({ turnCount: 4, lastActivityAt: 399, nextEvent: 2 });
  });

  it.skipIf(skip)('rejects every step of a batch that fails and writes none of it', async () => {
    const { store, row } = await sessionStore(open);
    const writer = new SessionStepWriter(store);
    const good = writer.write('a', { session: row('a'), events: [event('a', 0)] });
    // Event 0 twice: the primary key refuses the batch.
    const bad = writer.write('a', { events: [event('a', 0)] });
    await expect(good).rejects.toThrow(/UNIQUE constraint|Failed query: insert into "call_session_events"/);
    await expect(bad).rejects.toThrow(/UNIQUE constraint|Failed query: insert into "call_session_events"/);
    expect(await getCallSession(store, 'a')).toBeUndefined();
    // The writer goes on with the next batch.
    await writer.write('c', { session: row('c') });
    expect((await getCallSession(store, 'c'))?.id).toBe('c');
  });

  it.skipIf(skip)('writes alsoWrite\'s rows in the same transaction: a failure of either undoes both', async () => {
    const { store, row } = await sessionStore(open);
    const writer = new SessionStepWriter(store);
    await writer.write('a', { session: row('a') });
    const scenario = async (tx: DataStore, id: string) => {
      await tx.db.insert(tx.t.scenarios).values({ id, name: id, graph: {}, createdAt: 1, updatedAt: 1 });
    };
    await writer.write('a', { alsoWrite: (tx) => scenario(tx, 'also1'), patch: { status: 'ended' } });
    expect((await getCallSession(store, 'a'))?.status).toBe('ended');
    // The step's own rows fail (event of an unknown session): the other rows go too.
    await expect(writer.write('a', { alsoWrite: (tx) => scenario(tx, 'also2'), events: [event('nobody', 0)] })).rejects.toThrow();
    await expect(writer.write('a', { alsoWrite: async () => Promise.reject(new Error('run log down')), patch: { status: 'active' } })).rejects.toThrow('run log down');
    const { db, t } = store;
    expect((await db.select({ id: t.scenarios.id }).from(t.scenarios)).map((s) => s.id).sort()).toEqual(['also1', 'sc1']);
    expect((await getCallSession(store, 'a'))?.status).toBe('ended');
  });

  it.skipIf(skip)('a step queued from inside another transaction of the store is written on its own (that transaction rolling back takes nothing of it)', async () => {
    const { store, row } = await sessionStore(open);
    const writer = new SessionStepWriter(store);
    let queued: Promise<void> | undefined;
    await expect(
      store.transaction(async (tx) => {
        await tx.db.insert(tx.t.scenarios).values({ id: 'gone', name: 'gone', graph: {}, createdAt: 1, updatedAt: 1 });
        queued = writer.write('a', { session: row('a') });
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    await queued;
    expect((await getCallSession(store, 'a'))?.id).toBe('a');
    expect((await store.db.select().from(store.t.scenarios)).map((s) => s.id)).toEqual(['sc1']);
  });

  it.skipIf(skip)('flush() writes what is queued at once and waits for it (a server that stops)', async () => {
    const { store, row } = await sessionStore(open);
    const writer = new SessionStepWriter(store);
    const done = writer.write('a', { session: row('a') });
    await writer.flush();
    expect((await getCallSession(store, 'a'))?.id).toBe('a');
    await done;
  });
});

describe.each(storesUnderTest('session_writer_lease'))('SessionStepWriter with a lease on %s', (name, open, skip) => {
  it.skipIf(skip || name !== 'PostgreSQL')('writes the steps of sessions it holds, renewing their lease, and refuses (writing nothing of) those another server took', async () => {
    const { store, row } = await sessionStore(open);
    const lease = { owner: 'me', ms: 60_000 };
    const writer = new SessionStepWriter(store, lease);
    await writer.write('mine', { session: { ...row('mine'), owner: 'me', leaseExpiresAt: 1 }, events: [event('mine', 0)] });
    // Created by this server: held, with a lease a minute from the database's clock.
    expect((await getCallSession(store, 'mine'))?.leaseExpiresAt).toBeGreaterThan(Date.now() + 50_000);
    await store.db.insert(store.t.callSessions).values({ ...row('taken'), owner: 'other', leaseExpiresAt: Date.now() + 60_000 });
    const kept = writer.write('mine', { turns: [turn('mine', 1)], events: [event('mine', 1)], patch: { turnCount: 1 } });
    const refused = writer.write('taken', { turns: [turn('taken', 1)], events: [event('taken', 0)], patch: { turnCount: 1 }, alsoWrite: () => Promise.reject(new Error('not called for a session held elsewhere')) });
    await kept;
    await expect(refused).rejects.toBeInstanceOf(SessionLeaseLost);
    await expect(refused).rejects.toMatchObject({ code: 'session_lease_lost', sessionId: 'taken' });
    expect(await getCallSession(store, 'mine')).toMatchObject({ turnCount: 1 });
    expect(await getCallSession(store, 'taken')).toMatchObject({ turnCount: 0, owner: 'other' });
    expect(await sessionTurns(store, 'taken')).toEqual([]);
    expect(await sessionEventsSince(store, 'taken', 0)).toEqual([]);
  });
});
