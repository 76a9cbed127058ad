/**
 * The session manager over either store, and two managers (two servers) over one database: a session
 * one of them holds is readable from the other (its view, turns and events), and its stream, resumed on
 * the other from a Last-Event-ID, goes on with the events the first one writes.
 */
import { describe, expect, it } from 'vitest';
import type { ApiRunRecord } from '../storage/run-log.js';
import type { OpenDataStore } from '../storage/store.js';
import { storesUnderTest } from '../storage/testing-stores.js';
import type { SessionEventRecord } from './ports.js';
import { echoManager as manager, until, withEchoScenario } from './testing.js';

const storeWithScenario = async (open: () => Promise<OpenDataStore>) => withEchoScenario(await open());

describe.each(storesUnderTest('session_manager'))('SessionManager on %s', (name, open, skip) => {
  it.skipIf(skip)('holds turns, updates, ends with a final run, and a new manager over the store reads it all back', async () => {
    const store = await storeWithScenario(open);
    const runs: ApiRunRecord[] = [];
    const a = manager(store, runs);
    const { session } = await a.create({ slug: 'echo', apiKeyId: null, callId: 'c1' });
    expect(await a.addTurns(session.id, [{ role: 'customer', text: '宽带断了' }, { id: 'x', role: 'agent', text: '好的' }])).toEqual({ accepted: 2, duplicates: 0, turnCount: 2 });
    expect((await a.addTurns(session.id, [{ id: 'x', role: 'agent', text: '好的' }])).duplicates).toBe(1);
    await until(async () => (await a.get(session.id))?.updateCount === 1);
    const ended = await a.end(session.id);
    expect(ended).toMatchObject({ status: 'ended', turnCount: 2, finalRun: { status: 'succeeded' } });
    expect(runs.map((r) => r.id)).toEqual([ended.finalRunId]);
    await a.close();

    const b = manager(store);
    await b.ready;
    expect(await b.get(session.id)).toMatchObject({ status: 'ended', turnCount: 2, updateCount: 1, callId: 'c1', outputs: { t: expect.stringContaining('宽带断了') } });
    expect((await b.turns(session.id)).map((t) => t.id)).toEqual(['t1', 'x']);
    expect((await b.eventsSince(session.id, 0)).map((e) => e.name)).toEqual(['session.started', 'session.turns', 'session.updated', 'session.ended']);
    expect((await b.list({ status: 'ended' })).map((s) => s.id)).toEqual([session.id]);
    await expect(b.addTurns(session.id, [{ role: 'customer', text: 'x' }])).rejects.toMatchObject({ code: 'session_ended' });
    await b.close();
  });

  it.skipIf(skip || name !== 'PostgreSQL')('two managers on one database: the one that does not hold a session serves its view, turns and a resumed stream', async () => {
    const store = await storeWithScenario(open);
    const a = manager(store);
    const b = manager(store);
    try {
      const { session } = await a.create({ slug: 'echo', apiKeyId: null });
      await a.addTurns(session.id, [{ role: 'customer', text: '你好' }]);
      await until(async () => (await b.get(session.id))?.updateCount === 1);
      expect(await b.get(session.id)).toMatchObject({ status: 'active', turnCount: 1, outputs: { t: expect.stringContaining('你好') } });
      expect((await b.turns(session.id)).map((t) => t.text)).toEqual(['你好']);

      // A stream resumed on b after event 1 (session.turns): replayed from the store, then followed there.
      const seen: SessionEventRecord[] = [];
      const unsubscribe = b.subscribe((event) => seen.push(event), session.id, 2);
      for (const e of await b.eventsSince(session.id, 2)) seen.push(e);
      await a.addTurns(session.id, [{ role: 'agent', text: '请讲' }]);
      await a.end(session.id);
      await until(() => seen.some((e) => e.name === 'session.ended'));
      unsubscribe();
      const bySeq = [...new Map(seen.map((e) => [e.seq, e])).values()].sort((x, y) => x.seq - y.seq);
      expect(bySeq.map((e) => e.seq)).toEqual(bySeq.map((_, i) => i + 2));
      expect(bySeq.map((e) => e.name)).toEqual(['session.updated', 'session.turns', 'session.updated', 'session.ended'].slice(0, bySeq.length));
      expect(bySeq.at(-1)?.name).toBe('session.ended');
      expect(await b.get(session.id)).toMatchObject({ status: 'ended', turnCount: 2 });
    } finally {
      await a.close();
      await b.close();
    }
  });
});
