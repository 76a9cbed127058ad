import { describe, expect, it } from 'vitest';
import { riskOutputOf, sessionOtherInputs } from './live-pages.js';
import { sessionStore } from './testing-sessions.js';
import { getCallSession, lastSessionEvent, listCallSessions, openCallSessions, sessionEventsSince, sessionTurns, writeSessionStep } from './sessions.js';
import { storesUnderTest } from './testing-stores.js';

describe.each(storesUnderTest('sessions_repo'))('sessions repository on %s', (_name, open, skip) => {
  it.skipIf(skip)('lists sessions newest activity first, ties by id, filtered by status and scenario; open ones oldest first', async () => {
    const { store, row } = await sessionStore(open);
    await writeSessionStep(store, 'a', { session: { ...row('a', 1), lastActivityAt: 5, inputs: { 客户: '王' } } });
    await writeSessionStep(store, 'b', { session: { ...row('b', 2), lastActivityAt: 5 } });
    await writeSessionStep(store, 'c', { session: { ...row('c', 3), lastActivityAt: 9, status: 'ended' } });
    await writeSessionStep(store, 'd', { session: { ...row('d', 4), lastActivityAt: 1, status: 'ending' } });
    expect((await listCallSessions(store, { status: 'all', limit: 10 })).map((s) => s.id)).toEqual(['c', 'b', 'a', 'd']);
    expect((await listCallSessions(store, { status: 'active', limit: 2 })).map((s) => s.id)).toEqual(['b', 'a']);
    expect((await listCallSessions(store, { status: 'ended', scenarioId: 'sc1', limit: 10 })).map((s) => s.id)).toEqual(['c']);
    expect(await listCallSessions(store, { status: 'all', scenarioId: 'other', limit: 10 })).toEqual([]);
    expect((await openCallSessions(store)).map((s) => s.id)).toEqual(['a', 'b', 'd']);
    expect(await sessionOtherInputs(store, 'a')).toEqual({ 客户: '王' });
    expect(await sessionOtherInputs(store, 'nobody')).toBeNull();
    expect(await riskOutputOf(store, 'sc1')).toBeNull();
    await store.db.insert(store.t.alertSettings).values({ scenarioId: 'sc1', rules: [], riskOutput: 'risk.level', webhookUrl: null, webhookSecret: null, updatedAt: 1, updatedBy: 'x' });
    expect(await riskOutputOf(store, 'sc1')).toBe('risk.level');
  });

  it.skipIf(skip)('a step: turns held once, events in order, the last of a name, and a step inside a transaction rolls back with it', async () => {
    const { store, row } = await sessionStore(open);
    const ev = (seq: number, name: string) => ({ sessionId: 'a', seq, name, data: { seq }, at: seq });
    const turn = (seq: number, text: string) => ({ sessionId: 'a', seq, turnId: `t${seq}`, role: 'customer', text, start: seq, end: null, receivedAt: 1 });
    await writeSessionStep(store, 'a', { session: row('a'), events: [ev(0, 'session.started')] });
    await writeSessionStep(store, 'a', { turns: [turn(2, '二'), turn(1, '一')], events: [ev(1, 'session.updated'), ev(2, 'session.updated'), ev(3, 'session.turns')], patch: { turnCount: 2 } });
    await writeSessionStep(store, 'a', { turns: [turn(1, 'again')] });
    expect((await sessionTurns(store, 'a')).map((t) => [t.seq, t.text, t.start])).toEqual([[1, '一', 1], [2, '二', 2]]);
    expect((await sessionEventsSince(store, 'a', 2)).map((e) => e.seq)).toEqual([2, 3]);
    expect((await lastSessionEvent(store, 'a', 'session.updated'))?.data).toEqual({ seq: 2 });
    expect(await lastSessionEvent(store, 'a', 'session.ended')).toBeUndefined();
    await expect(
      store.transaction(async (tx) => {
        await writeSessionStep(tx, 'a', { patch: { status: 'ended' } });
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await getCallSession(store, 'a')).toMatchObject({ status: 'active', turnCount: 2 });
  });
});
