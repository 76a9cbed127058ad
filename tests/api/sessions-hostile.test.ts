/**
 * Live call sessions against a hostile client and a crashing server (issue 15): the final run is in the
 * store the moment the session is, a reconnect past the end of a stream is answered instead of held open
 * forever, a desk token stops opening its session a day after the call.
 */
import { rawRows } from '../../server/src/storage/dialect-sql.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connect } from 'node:net';
import { and, eq, sql } from 'drizzle-orm';
import { GRAPH_FORMAT, type Graph } from '@shared/graph.js';
import { MAX_SESSION_TEXT, V1SessionCreatedSchema, V1SessionSchema, type V1SessionCreated } from '@shared/sessions.js';
import { RunLog } from '../../server/src/storage/run-log.js';
import { callSessionEvents, callSessions } from '../../server/src/storage/schema-live.js';
import { call, echoGraph, parseSse, startBareServer } from './helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

/** A scenario whose output is the whole call so far: every update's event grows with the call. */
function bulkGraph(): Graph {
  const at = { x: 0, y: 0 };
  return {
    schema: GRAPH_FORMAT,
    name: 'bulk',
    nodes: [
      { id: 'start', kind: 'start', version: 1, position: at, config: { inputs: [{ name: 'transcript', type: 'transcript', required: true }] } },
      { id: 'end', kind: 'end', version: 1, position: at, config: { outputs: [{ name: 'call', value: '{{ start.transcript.text }}' }] } },
    ],
    edges: [{ id: 'e1', source: 'start', sourcePort: 'out', target: 'end', targetPort: 'in' }],
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('live sessions, hostile', () => {
  let h: V1Harness;
  let key: string;

  beforeAll(async () => {
    h = await startV1Harness();
    await h.publish('hostile-call', echoGraph('hostile'));
    await h.publish('bulk-call', bulkGraph());
    key = (await h.key()).key;
  });
  afterAll(async () => {
    await h.close();
  });

  const create = async (): Promise<V1SessionCreated> => {
    const res = await h.v1('POST', '/v1/scenarios/hostile-call/sessions', key, {});
    expect(res.status, res.text).toBe(201);
    return V1SessionCreatedSchema.parse(res.json);
  };
  const turn = (id: string, text = '我家宽带坏了') => ({ id, role: 'customer', text });

  it('has the final run in the run log as soon as the session is ended (a kill right after loses neither)', async () => {
    const s = await create();
    await h.v1('POST', `/v1/sessions/${s.session_id}/turns`, key, { turns: [turn('a')] });
    // The write-behind queue of runs not flushed: as in a server killed before its next flush.
    const flush = vi.spyOn(RunLog.prototype, 'flush').mockImplementation(() => undefined);
    try {
      const ended = await h.v1('POST', `/v1/sessions/${s.session_id}/end`, key);
      expect(ended.status).toBe(200);
      const runId = (ended.json as { final_run_id: string }).final_run_id;
      // Read through a second connection: what a server killed now would find at its next start.
      const [row] = await rawRows(h.store, sql`select id from runs where id = ${runId}`);
      expect(row?.id).toBe(runId);
    } finally {
      flush.mockRestore();
    }
  });

  it('answers a reconnect after session.ended with 204 (not a stream held open forever), and refuses an id the session has not reached', async () => {
    const s = await create();
    await h.v1('POST', `/v1/sessions/${s.session_id}/turns`, key, { turns: [turn('a')] });
    // A live session: an id far past its stream would skip every event to come.
    const future = await h.v1('GET', `/v1/sessions/${s.session_id}/events`, key, undefined, { 'last-event-id': `${s.session_id}:999999` });
    expect(future.status).toBe(400);
    expect((future.json as { error: { code: string } }).error.code).toBe('invalid_last_event_id');
    await h.v1('POST', `/v1/sessions/${s.session_id}/end`, key);
    const all = parseSse((await h.v1('GET', `/v1/sessions/${s.session_id}/events`, key)).text);
    const last = all.at(-1);
    expect(last?.event).toBe('session.ended');
    const again = await h.v1('GET', `/v1/sessions/${s.session_id}/events`, key, undefined, { 'last-event-id': last?.id ?? '' });
    expect(again.status).toBe(204);
    const past = await h.v1('GET', `/v1/sessions/${s.session_id}/events`, key, undefined, { 'last-event-id': `${s.session_id}:999999` });
    expect(past.status).toBe(204);
    // An id inside the stream still resumes after it.
    const mid = await h.v1('GET', `/v1/sessions/${s.session_id}/events`, key, undefined, { 'last-event-id': all[0]?.id ?? '' });
    expect(mid.status).toBe(200);
    expect(parseSse(mid.text).map((e) => e.id)).toEqual(all.slice(1).map((e) => e.id));
  });

  it('refuses a desk token a day after its session ended', async () => {
    const s = await create();
    const token = new URL(s.desk_url).hash.split('token=')[1] ?? '';
    const asDesk = () => call(h.server.url, 'GET', `/api/live/sessions/${s.session_id}`, undefined, { authorization: `Bearer ${token}` }, { as: null });
    await h.v1('POST', `/v1/sessions/${s.session_id}/end`, key);
    expect((await asDesk()).status).toBe(200);
    await h.store.db.update(h.store.t.callSessions).set({ endedAt: Date.now() - 25 * 3_600_000 }).where(eq(h.store.t.callSessions.id, s.session_id));
    const late = await asDesk();
    expect(late.status).toBe(401);
    expect((late.json as { error: { code: string } }).error.code).toBe('invalid_desk_token');
  });

  it('refuses a turn that ends before it starts, naming the field, and holds nothing of the post', async () => {
    const s = await create();
    const res = await h.v1('POST', `/v1/sessions/${s.session_id}/turns`, key, { turns: [turn('a'), { ...turn('b'), start: 12.5, end: 3 }] });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 'invalid_body' } });
    expect(res.text).toContain('turns.1.end');
    expect((await h.v1('POST', `/v1/sessions/${s.session_id}/turns`, key, { turns: [{ ...turn('c'), start: 3, end: 3 }] })).json).toMatchObject({ accepted: 1, turn_count: 1 });
    await h.v1('POST', `/v1/sessions/${s.session_id}/end`, key);
  });

  it('never drops a turn sent without an id whose number another turn was sent with', async () => {
    const s = await create();
    const post = (turns: unknown[]) => h.v1('POST', `/v1/sessions/${s.session_id}/turns`, key, { turns });
    expect((await post([turn('t2', 'A')])).json).toMatchObject({ accepted: 1, duplicates: 0, turn_count: 1 });
    // Its place is 2, so it would be "t2": a turn the session holds.
    expect((await post([{ role: 'agent', text: 'B' }])).json).toMatchObject({ accepted: 1, duplicates: 0, turn_count: 2 });
    expect((await post([turn('t2', 'A')])).json).toMatchObject({ accepted: 0, duplicates: 1, turn_count: 2 });
    await h.v1('POST', `/v1/sessions/${s.session_id}/end`, key);
  });

  it('refuses turns past the text a session may hold (413 session_too_large), keeping what it holds', async () => {
    const s = await create();
    const post = (p: number) => h.v1('POST', `/v1/sessions/${s.session_id}/turns`, key, { turns: Array.from({ length: 45 }, (_, i) => turn(`p${p}-${i}`, 'x'.repeat(20_000))) });
    expect((await post(0)).status).toBe(202);
    const refused = await post(1);
    expect(refused.status).toBe(413);
    expect(refused.json).toMatchObject({ error: { code: 'session_too_large', details: { limit: MAX_SESSION_TEXT } } });
    expect(V1SessionSchema.parse((await h.v1('GET', `/v1/sessions/${s.session_id}`, key)).json).turn_count).toBe(45);
    await h.v1('POST', `/v1/sessions/${s.session_id}/end`, key);
  });

  it('drops a follower that does not read, instead of buffering the session for it', async () => {
    const res = await h.v1('POST', '/v1/scenarios/bulk-call/sessions', key, {});
    const s = V1SessionCreatedSchema.parse(res.json);
    const url = new URL(h.server.url);
    const socket = connect(Number(url.port), url.hostname);
    socket.write(`GET /v1/sessions/${s.session_id}/events HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${key}\r\nAccept: text/event-stream\r\n\r\n`);
    socket.pause();
    let closed = false;
    socket.on('close', () => (closed = true));
    socket.on('error', () => undefined);
    // 20 updates, each carrying the call so far: about 10 MB of events this follower never reads.
    for (let p = 0; p < 20; p++) {
      await h.v1('POST', `/v1/sessions/${s.session_id}/turns`, key, { turns: [0, 1, 2].map((i) => turn(`b${p}-${i}`, 'y'.repeat(16_000))) });
      for (let i = 0; i < 200 && V1SessionSchema.parse((await h.v1('GET', `/v1/sessions/${s.session_id}`, key)).json).metrics.updates < p + 1; i++) await sleep(10);
    }
    socket.resume();
    for (let i = 0; i < 100 && !closed; i++) await sleep(50);
    expect(closed).toBe(true);
    socket.destroy();
    await h.v1('POST', `/v1/sessions/${s.session_id}/end`, key);
  }, 60_000);
});

describe('a server killed while an update was in flight', () => {
  it('updates the session on the turns no stored update read when it starts again, without waiting for a new turn', async () => {
    const h = await startV1Harness();
    try {
      await h.publish('crash-call', echoGraph('crash'));
      const { key } = await h.key();
      const s = V1SessionCreatedSchema.parse((await h.v1('POST', '/v1/scenarios/crash-call/sessions', key, {})).json);
      await h.v1('POST', `/v1/sessions/${s.session_id}/turns`, key, { turns: [{ id: 'a', role: 'customer', text: '宽带坏了' }, { id: 'b', role: 'customer', text: '电话13800000000' }] });
      for (let i = 0; i < 200 && V1SessionSchema.parse((await h.v1('GET', `/v1/sessions/${s.session_id}`, key)).json).metrics.updates < 1; i++) await sleep(10);
      await h.server.close();
      // As the store is after a kill -9 during that update: the turns held, the update never written.
      const { t } = h.store;
      await h.store.db.delete(t.callSessionEvents).where(and(eq(t.callSessionEvents.sessionId, s.session_id), eq(t.callSessionEvents.name, 'session.updated')));
      await h.store.db.update(t.callSessions).set({ updateCount: 0, outputs: null }).where(eq(t.callSessions.id, s.session_id));
      const again = await startBareServer(h.dir);
      try {
        const read = async () => V1SessionSchema.parse((await call(again.url, 'GET', `/v1/sessions/${s.session_id}`, undefined, { authorization: `Bearer ${key}` }, { as: null })).json);
        let view = await read();
        for (let i = 0; i < 200 && view.metrics.updates < 1; i++) view = (await sleep(10), await read());
        expect(view.status).toBe('active');
        expect(view.turn_count).toBe(2);
        expect(view.metrics.updates).toBe(1);
        expect(view.outputs).not.toBeNull();
      } finally {
        await again.close();
      }
    } finally {
      await h.close();
    }
  }, 30_000);
});
