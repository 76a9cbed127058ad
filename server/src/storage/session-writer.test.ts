import { afterEach, describe, expect, it, vi } from 'vitest';
import { createScenarioNow } from './scenarios.testing.js';
import { GRAPH_FORMAT } from '@shared/graph.js';
import { openStoreFile, type Store } from './db.js';
import { SessionStepWriter } from './session-writer.js';
import { getCallSession, sessionEventsSince, sessionTurns, type CallSessionRow } from './sessions.js';
import { sqliteOf } from './sqlite.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function setUp(): { store: Store; writer: SessionStepWriter; row: (id: string) => CallSessionRow } {
  const store = openStoreFile(':memory:');
  stores.push(store);
  const { id: scenarioId } = createScenarioNow(store.db, { name: 's', graph: { schema: GRAPH_FORMAT, name: 's', nodes: [], edges: [] } });
  const row = (id: string): CallSessionRow => ({
    id, scenarioId, slug: 's', version: 1, apiKeyId: null, callId: null, meta: null, inputs: {}, status: 'active', turnCount: 0, updateCount: 0, nextEvent: 1,
    outputs: null, alerts: [], metrics: null, simulated: false, deskTokenHash: 'ab', createdAt: 1, lastTurnAt: null, lastActivityAt: 1, endedAt: null, endReason: null, finalRunId: null, finalRun: null, confirmation: null,
  });
  return { store, writer: new SessionStepWriter(store.db), row };
}

const turn = (sessionId: string, seq: number) => ({ sessionId, seq, turnId: `t${seq}`, role: 'customer', text: `话${seq}`, start: null, end: null, receivedAt: 5 });
const event = (sessionId: string, seq: number, data: unknown = { n: seq }) => ({ sessionId, seq, name: 'session.turns', data, at: 5 });

describe('SessionStepWriter', () => {
  it('writes every step queued in one turn of the event loop in one transaction, each promise resolving after the commit', async () => {
    const { store, writer, row } = setUp();
    const sqlite = sqliteOf(store.db);
    const begin = vi.spyOn(sqlite, 'transaction');
    const a = writer.write('a', { session: row('a'), events: [event('a', 0)] });
    const b = writer.write('b', { session: row('b'), events: [event('b', 0)] });
    const c = writer.write('a', { turns: [turn('a', 1), turn('a', 2)], events: [event('a', 1)], patch: { turnCount: 2, lastTurnAt: 9, outputs: { 姓名: '王' }, simulated: true } });
    // Nothing is written before the next turn of the loop.
    expect(getCallSession(store.db, 'a')).toBeUndefined();
    await Promise.all([a, b, c]);
    expect(begin).toHaveBeenCalledTimes(1);
    expect(sessionTurns(store.db, 'a').map((t) => t.turnId)).toEqual(['t1', 't2']);
    expect(sessionEventsSince(store.db, 'a', 0).map((e) => e.data)).toEqual([{ n: 0 }, { n: 1 }]);
    // Patch values go through the columns' own encodings (JSON, booleans).
    expect(getCallSession(store.db, 'a')).toMatchObject({ turnCount: 2, lastTurnAt: 9, outputs: { 姓名: '王' }, simulated: true });
    expect(getCallSession(store.db, 'b')).toMatchObject({ turnCount: 0, simulated: false });
  });

  it('sets a column to null, leaves a turn already held as it is, and skips undefined patch keys', async () => {
    const { store, writer, row } = setUp();
    await writer.write('a', { session: { ...row('a'), outputs: { x: 1 } }, turns: [turn('a', 1)] });
    await writer.write('a', { turns: [{ ...turn('a', 1), text: 'changed' }], patch: { outputs: null, endReason: undefined } });
    expect(sessionTurns(store.db, 'a')[0]?.text).toBe('话1');
    expect(getCallSession(store.db, 'a')?.outputs).toBeNull();
  });

  it('rejects every step of a batch that fails and writes none of it', async () => {
    const { store, writer, row } = setUp();
    const good = writer.write('a', { session: row('a'), events: [event('a', 0)] });
    // Event 0 twice: the primary key refuses the batch.
    const bad = writer.write('a', { events: [event('a', 0)] });
    await expect(good).rejects.toThrow(/UNIQUE|constraint/i);
    await expect(bad).rejects.toThrow(/UNIQUE|constraint/i);
    expect(getCallSession(store.db, 'a')).toBeUndefined();
    // The writer goes on with the next batch.
    await writer.write('c', { session: row('c') });
    expect(getCallSession(store.db, 'c')?.id).toBe('c');
  });

  it('flush() writes what is queued at once (a server that stops)', async () => {
    const { store, writer, row } = setUp();
    const done = writer.write('a', { session: row('a') });
    writer.flush();
    expect(getCallSession(store.db, 'a')?.id).toBe('a');
    await done;
  });
});
