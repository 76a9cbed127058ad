/**
 * Several servers over one PostgreSQL database (./cluster.ts): two (or three) session managers, each on
 * its own pool of one database, as servers are. A server starting takes none of a live server's
 * sessions; a killed server's sessions are taken up once its lease ran out, by one server only; turns
 * and ends posted to a server that does not hold the session reach the one that does; the board shows
 * every server's sessions; the idle sweep ends a session once; a server whose lease was taken writes
 * nothing more. On SQLite (one process per file) none of this applies: the tests run on PostgreSQL only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { ApiRunRecord } from '../storage/run-log.js';
import { takeExpiredSession } from '../storage/session-lease.js';
import { getCallSession, sessionEventsSince } from '../storage/sessions.js';
import type { OpenDataStore } from '../storage/store.js';
import { storePairsUnderTest } from '../storage/testing-stores.js';
import type { SessionManager, SessionManagerOptions } from './manager.js';
import type { SessionEventRecord } from './ports.js';
import { echoManager, until, withEchoScenario } from './testing.js';

const LEASE_MS = 400;
const fast: Partial<SessionManagerOptions> = { leaseMs: LEASE_MS, inboxPollMs: 30, followPollMs: 50 };

describe.each(storePairsUnderTest('session_cluster'))('live sessions of several servers on %s', (name, open, skip) => {
  const started: SessionManager[] = [];
  const server = (store: OpenDataStore, runs: ApiRunRecord[] = [], options: Partial<SessionManagerOptions> = {}) => {
    const m = echoManager(store, runs, { ...fast, ...options });
    started.push(m);
    return m;
  };
  afterEach(async () => {
    for (const m of started.splice(0)) await m.close();
  });
  const pg = !skip && name === 'PostgreSQL';

  /** Names of a session's stored events, in order. */
  const eventNames = async (store: OpenDataStore, id: string) => (await sessionEventsSince(store, id, 0)).map((e) => e.name);

  it.skipIf(!pg)('a server starting while another lives takes none of its sessions; posts to it reach the holder', async () => {
    const { a: storeA, b: storeB } = await open();
    await withEchoScenario(storeA);
    const runs: ApiRunRecord[] = [];
    const a = server(storeA, runs);
    await a.ready;
    const one = (await a.create({ slug: 'echo', apiKeyId: null })).session;
    const two = (await a.create({ slug: 'echo', apiKeyId: null })).session;
    const b = server(storeB, runs);
    await b.ready;
    // Three leases: A renews, B never takes them.
    await new Promise((r) => setTimeout(r, 3 * LEASE_MS));
    expect(b.activeCount).toBe(0);
    expect(a.activeCount).toBe(2);
    expect((await getCallSession(storeB, one.id))?.owner).toBe(a.owner);

    // Turns posted to B are held by A, once (a second post of the same id is a duplicate).
    expect(await b.addTurns(one.id, [{ id: 'c1', role: 'customer', text: '网络断了' }])).toEqual({ accepted: 1, duplicates: 0, turnCount: 1 });
    await until(async () => (await getCallSession(storeB, one.id))?.turnCount === 1);
    expect(await b.addTurns(one.id, [{ id: 'c1', role: 'customer', text: '网络断了' }])).toMatchObject({ accepted: 0, duplicates: 1 });
    await until(async () => (await a.get(one.id))?.updateCount === 1);
    expect((await a.get(one.id))?.outputs).toMatchObject({ t: expect.stringContaining('网络断了') });

    // An end asked on B: A runs the final run; B answers with the ended session.
    const ended = await b.end(two.id);
    expect(ended).toMatchObject({ status: 'ended', finalRun: { status: 'succeeded' } });
    expect(a.activeCount).toBe(1);
    expect(runs.map((r) => r.id)).toEqual([ended.finalRunId]);
    expect(await eventNames(storeA, two.id)).toEqual(['session.started', 'session.ended']);
    await expect(b.addTurns(two.id, [{ role: 'customer', text: 'x' }])).rejects.toMatchObject({ code: 'session_ended' });
  });

  it.skipIf(!pg)('a killed server\'s sessions are taken up after its lease, once, and go on there', async () => {
    const { a: storeA, b: storeB } = await open();
    await withEchoScenario(storeA);
    const runs: ApiRunRecord[] = [];
    const a = server(storeA, runs);
    const b = server(storeB, runs);
    await Promise.all([a.ready, b.ready]);
    const { session } = await a.create({ slug: 'echo', apiKeyId: null });
    await a.addTurns(session.id, [{ role: 'customer', text: '你好' }]);
    await until(async () => (await a.get(session.id))?.updateCount === 1);
    const killedAt = Date.now();
    a.abandon();
    await until(() => b.activeCount === 1, 5 * LEASE_MS);
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(LEASE_MS - 100);
    expect((await getCallSession(storeB, session.id))?.owner).toBe(b.owner);
    expect(await b.addTurns(session.id, [{ role: 'agent', text: '请讲' }])).toEqual({ accepted: 1, duplicates: 0, turnCount: 2 });
    const ended = await b.end(session.id);
    expect(ended).toMatchObject({ status: 'ended', turnCount: 2 });
    expect(runs).toHaveLength(1);
    const events = await sessionEventsSince(storeB, session.id, 0);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    expect(events.filter((e) => e.name === 'session.started' || e.name === 'session.ended')).toHaveLength(2);
  });

  it.skipIf(!pg)('servers racing for an expired session: one of them gets it', async () => {
    const { a: storeA, b: storeB } = await open();
    await withEchoScenario(storeA);
    const a = server(storeA);
    await a.ready;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await a.create({ slug: 'echo', apiKeyId: null })).session.id);
    a.abandon();
    await new Promise((r) => setTimeout(r, LEASE_MS + 100));
    // The conditional update itself, 20 racers per session over two pools.
    const lease = (owner: string) => ({ owner, ms: 60_000 });
    const first = ids[0];
    const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => takeExpiredSession(i % 2 ? storeA : storeB, first, lease(`racer${i}`), 'active')));
    expect(wins.filter((w) => w !== undefined)).toHaveLength(1);
    // Two servers starting at once over the other four.
    const b = server(storeB);
    const c = server(storeA);
    await Promise.all([b.ready, c.ready]);
    await until(() => b.activeCount + c.activeCount === 4, 5 * LEASE_MS);
    await new Promise((r) => setTimeout(r, LEASE_MS));
    expect(b.activeCount + c.activeCount).toBe(4);
    for (const id of ids.slice(1)) expect([b.owner, c.owner]).toContain((await getCallSession(storeA, id))?.owner);
  });

  it.skipIf(!pg)('the board on one server lists and follows the sessions another holds', async () => {
    const { a: storeA, b: storeB } = await open();
    await withEchoScenario(storeA);
    const a = server(storeA);
    const b = server(storeB);
    await Promise.all([a.ready, b.ready]);
    const seen: Array<{ name: string; id: string; status: string }> = [];
    const unsubscribe = b.subscribe((event: SessionEventRecord, view) => seen.push({ name: event.name, id: view.id, status: view.status }));
    const { session } = await a.create({ slug: 'echo', apiKeyId: null });
    expect((await b.list({ status: 'active' })).map((s) => s.id)).toEqual([session.id]);
    await a.addTurns(session.id, [{ role: 'customer', text: '查话费' }]);
    await until(async () => (await a.get(session.id))?.updateCount === 1);
    await a.end(session.id);
    await until(() => seen.some((e) => e.name === 'session.ended'));
    unsubscribe();
    // Board events only (no session.turns), each once, in order.
    expect(seen.map((e) => e.name)).toEqual(['session.started', 'session.updated', 'session.ended']);
    expect(seen.every((e) => e.id === session.id)).toBe(true);
    expect(seen.at(-1)?.status).toBe('ended');
    expect((await b.list({ status: 'ended' })).map((s) => s.id)).toEqual([session.id]);
  });

  it.skipIf(!pg)('two sweepers end an idle session once', async () => {
    const { a: storeA, b: storeB } = await open();
    await withEchoScenario(storeA);
    const runs: ApiRunRecord[] = [];
    const idle = { idleTimeoutMs: 300, sweepMs: 50 };
    const a = server(storeA, runs, { idleTimeoutMs: 3_600_000 });
    await a.ready;
    const { session } = await a.create({ slug: 'echo', apiKeyId: null });
    a.abandon();
    const b = server(storeB, runs, idle);
    const c = server(storeA, runs, idle);
    await until(async () => (await getCallSession(storeA, session.id))?.status === 'ended', 10 * LEASE_MS);
    await new Promise((r) => setTimeout(r, LEASE_MS));
    expect(await eventNames(storeA, session.id)).toEqual(['session.started', 'session.ended']);
    expect(runs).toHaveLength(1);
    expect((await getCallSession(storeA, session.id))?.endReason).toBe('idle');
    expect(b.activeCount + c.activeCount).toBe(0);
  });

  it.skipIf(!pg)('a server whose lease was taken while it paused writes nothing more; its posts go to the new holder', async () => {
    const { a: storeA, b: storeB } = await open();
    await withEchoScenario(storeA);
    const a = server(storeA, [], { leaseMs: 60_000 });
    await a.ready;
    const { session } = await a.create({ slug: 'echo', apiKeyId: null });
    await a.addTurns(session.id, [{ id: 'x1', role: 'customer', text: '一' }]);
    await until(async () => (await a.get(session.id))?.updateCount === 1);
    // A pauses past its lease (its renewal is a minute away): the lease runs out, B takes the session up.
    await storeA.db.update(storeA.t.callSessions).set({ leaseExpiresAt: 0 }).where(eq(storeA.t.callSessions.id, session.id));
    const b = server(storeB);
    await until(() => b.activeCount === 1);
    // A still thinks it holds it: its write is refused, and the turn is passed on to B.
    expect(await a.addTurns(session.id, [{ id: 'x2', role: 'customer', text: '二' }])).toMatchObject({ accepted: 1 });
    expect(a.activeCount).toBe(0);
    await until(async () => (await b.get(session.id))?.turnCount === 2);
    await until(async () => (await b.get(session.id))?.updateCount === 2);
    const events = await sessionEventsSince(storeB, session.id, 0);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    expect((await getCallSession(storeB, session.id))?.owner).toBe(b.owner);
  });
});
