/**
 * Final runs through the PostgreSQL queue (./final-run-queue.ts) with two servers (session managers, each
 * with its own pg-boss and pool) over ONE database: a holder that ends a session makes the one final run
 * and its queued job is gone; a holder killed after writing `ending` has the final run made by the other
 * server after the backstop, once (the killed one's late write refused); a holder slower than the backstop
 * keeps its final run (the other's worker retries and runs nothing); a holder whose end failed makes the
 * final run when its job comes due; ending sessions with no queued job
 * (older servers, `mofang migrate-store`) get one when servers start together, and one final run.
 * PostgreSQL only: on SQLite a server makes the final runs of the ending sessions it finds at start.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { lineGraph } from '../engine/testing.js';
import { ScriptedModel } from '../model/scripted.js';
import { rawRows } from '../storage/dialect-sql.js';
import type { ApiRunRecord } from '../storage/run-log.js';
import { getCallSession, sessionEventsSince } from '../storage/sessions.js';
import type { OpenDataStore } from '../storage/store.js';
import { storePairsUnderTest } from '../storage/testing-stores.js';
import { FINAL_RUNS_QUEUE, finalRunJobId } from './final-run-queue.js';
import type { SessionManager, SessionManagerOptions } from './manager.js';
import { echoManager, echoPublished, until, withEchoScenario } from './testing.js';

const LEASE_MS = 400;
/** The job's wait before any worker may fetch it: the lease in whole seconds, plus one. */
const BACKSTOP_MS = (Math.ceil(LEASE_MS / 1000) + 1) * 1000;
const fast: Partial<SessionManagerOptions> = { leaseMs: LEASE_MS, inboxPollMs: 30, followPollMs: 50 };

/** The transcript through a model (the session's node cache answers a final run on turns an update read). */
const modelGraph = lineGraph([{ id: 'n', kind: 'llm', config: { user: '{{ start.transcript.text }}', retries: 0 } }], [{ name: 't', value: '{{ n.text }}' }]);
function scripted(answer: () => string | Promise<string>): Partial<SessionManagerOptions> {
  return { published: echoPublished(modelGraph), models: new ScriptedModel(answer).resolver(), deadlineMs: 60_000 };
}

/** A holder whose model answers until `stall()`, then not until `release(text)`. */
function stallable() {
  let stalled: Promise<string> | undefined;
  let release: (text: string) => void = () => undefined;
  return {
    options: scripted(() => stalled ?? 'update'),
    stall: () => void (stalled = new Promise<string>((resolve) => (release = resolve))),
    release: (text: string) => release(text),
  };
}

describe.each(storePairsUnderTest('session_final_runs'))('final runs of live sessions on %s', (name, open, skip) => {
  const started: SessionManager[] = [];
  const server = (store: OpenDataStore, runs: ApiRunRecord[], options: Partial<SessionManagerOptions> = {}) => {
    const m = echoManager(store, runs, { ...fast, ...options });
    started.push(m);
    return m;
  };
  afterEach(async () => {
    for (const m of started.splice(0)) await m.close();
  });
  const pg = !skip && name === 'PostgreSQL';

  /** The session's final-run job as pg-boss holds it: its state, or undefined when there is none. */
  const job = async (store: OpenDataStore, id: string) => (await rawRows(store, sql`select state from pgboss.job where name = ${FINAL_RUNS_QUEUE} and id = ${finalRunJobId(id)}`))[0]?.state as string | undefined;
  /** The session's stored `session.ended` events. */
  const endedEvents = async (store: OpenDataStore, id: string) => (await sessionEventsSince(store, id, 0)).filter((e) => e.name === 'session.ended');
  /** A session on `m` with one turn, its update done. */
  const opened = async (m: SessionManager) => {
    const { session } = await m.create({ slug: 'echo', apiKeyId: null });
    await m.addTurns(session.id, [{ role: 'customer', text: '查话费' }]);
    await until(async () => (await m.get(session.id))?.updateCount === 1);
    return session.id;
  };

  it.skipIf(!pg)('the holder ends a session: one final run, and its queued job is gone', async () => {
    const { a: storeA, b: storeB } = await open();
    await withEchoScenario(storeA);
    const runs: ApiRunRecord[] = [];
    const a = server(storeA, runs);
    const b = server(storeB, runs);
    await Promise.all([a.ready, b.ready]);
    const id = await opened(a);
    const ended = await a.end(id);
    expect(ended).toMatchObject({ status: 'ended', finalRun: { status: 'succeeded' } });
    expect(await job(storeA, id)).toBeUndefined();
    // Past the backstop: no worker makes it again.
    await new Promise((r) => setTimeout(r, BACKSTOP_MS + 1_000));
    expect(runs.map((r) => r.id)).toEqual([ended.finalRunId]);
    expect(await endedEvents(storeB, id)).toHaveLength(1);
  });

  it.skipIf(!pg)('a holder killed after writing ending: the other server makes the final run after the backstop, once', async () => {
    const { a: storeA, b: storeB } = await open();
    await withEchoScenario(storeA);
    const runs: ApiRunRecord[] = [];
    const holder = stallable();
    const a = server(storeA, runs, holder.options);
    const b = server(storeB, runs, scripted(() => 'inspected'));
    await Promise.all([a.ready, b.ready]);
    const id = await opened(a);
    // A's update of a last turn never returns: its end writes `ending`, then waits for it forever.
    holder.stall();
    await a.addTurns(id, [{ role: 'agent', text: '请讲' }]);
    const late = a.end(id);
    await until(async () => (await getCallSession(storeA, id))?.status === 'ending');
    expect(await job(storeA, id)).toBe('created');
    const endingAt = Date.now();
    a.abandon();
    await until(async () => (await getCallSession(storeB, id))?.status === 'ended', BACKSTOP_MS + 8_000);
    expect(Date.now() - endingAt).toBeGreaterThanOrEqual(BACKSTOP_MS - 300);
    const row = await getCallSession(storeB, id);
    expect(row).toMatchObject({ owner: b.owner, finalRun: { status: 'succeeded', outputs: { t: 'inspected' } } });
    expect(runs.map((r) => r.id)).toEqual([row?.finalRunId]);
    expect(await job(storeB, id)).toBeUndefined();
    // The killed server's final run finishing late: its write is refused (B holds the session).
    holder.release('late');
    expect(await late).toMatchObject({ status: 'ended', finalRunId: row?.finalRunId });
    expect(runs).toHaveLength(1);
    expect(await endedEvents(storeB, id)).toHaveLength(1);
  });

  it.skipIf(!pg)('a holder killed after writing ending, its job lost (deleted, or failed out of retries): a live server queues it again and makes the final run, with no restart', async () => {
    const { a: storeA, b: storeB } = await open();
    await withEchoScenario(storeA);
    const runs: ApiRunRecord[] = [];
    const holder = stallable();
    const a = server(storeA, runs, holder.options);
    const b = server(storeB, runs, scripted(() => 'inspected'));
    await Promise.all([a.ready, b.ready]);
    const [gone, failed] = [await opened(a), await opened(a)];
    holder.stall();
    await a.addTurns(gone, [{ role: 'agent', text: '请讲' }]);
    await a.addTurns(failed, [{ role: 'agent', text: '请讲' }]);
    void a.end(gone).catch(() => undefined);
    void a.end(failed).catch(() => undefined);
    await until(async () => (await getCallSession(storeA, gone))?.status === 'ending' && (await getCallSession(storeA, failed))?.status === 'ending');
    await rawRows(storeA, sql`delete from pgboss.job where name = ${FINAL_RUNS_QUEUE} and id = ${finalRunJobId(gone)}::uuid`);
    await rawRows(storeA, sql`update pgboss.job set state = 'failed', completed_on = now() where name = ${FINAL_RUNS_QUEUE} and id = ${finalRunJobId(failed)}::uuid`);
    a.abandon();
    // B's requeue (every 5 s here: the lease is shorter) gives both a job again; its worker makes their final runs.
    await until(async () => (await getCallSession(storeB, gone))?.status === 'ended' && (await getCallSession(storeB, failed))?.status === 'ended', 20_000);
    expect(runs).toHaveLength(2);
    expect(await job(storeB, gone)).toBeUndefined();
    expect(await job(storeB, failed)).toBeUndefined();
    holder.release('late');
  }, 30_000);

  it.skipIf(!pg)('a holder slower than the backstop keeps its final run: the other server\'s worker runs nothing', async () => {
    const { a: storeA, b: storeB } = await open();
    await withEchoScenario(storeA);
    const runs: ApiRunRecord[] = [];
    const holder = stallable();
    const a = server(storeA, runs, holder.options);
    const b = server(storeB, runs, scripted(() => 'not this one'));
    await Promise.all([a.ready, b.ready]);
    const id = await opened(a);
    holder.stall();
    await a.addTurns(id, [{ role: 'agent', text: '请讲' }]);
    const ending = a.end(id);
    // Past the backstop B's worker fetched the job, found A holding the session and failed it: retried later.
    await until(async () => (await job(storeB, id)) === 'retry', BACKSTOP_MS + 4_000);
    expect((await getCallSession(storeB, id))?.status).toBe('ending');
    holder.release('slow');
    expect(await ending).toMatchObject({ status: 'ended', finalRun: { outputs: { t: 'slow' } } });
    expect(await job(storeA, id)).toBeUndefined();
    expect(runs).toHaveLength(1);
    expect(await endedEvents(storeB, id)).toHaveLength(1);
  });

  it.skipIf(!pg)('a holder whose end failed (the run log refused it) makes the final run at its job', async () => {
    const { a: storeA } = await open();
    await withEchoScenario(storeA);
    const runs: ApiRunRecord[] = [];
    let refuse = true;
    const runLog = { writeIn: async (_tx: unknown, record: ApiRunRecord) => {
      if (refuse) throw new Error('run log down');
      runs.push(record);
    } };
    const a = server(storeA, runs, { runLog });
    await a.ready;
    const id = await opened(a);
    await expect(a.end(id)).rejects.toThrow('run log down');
    refuse = false;
    // Still this server's (its lease renewed), out of its memory: the job's worker here takes it again.
    expect(await getCallSession(storeA, id)).toMatchObject({ status: 'ending', owner: a.owner });
    await until(async () => (await getCallSession(storeA, id))?.status === 'ended', BACKSTOP_MS + 8_000);
    expect(runs.map((r) => r.id)).toEqual([(await getCallSession(storeA, id))?.finalRunId]);
    expect(await endedEvents(storeA, id)).toHaveLength(1);
    expect(await job(storeA, id)).toBeUndefined();
  });

  it.skipIf(!pg)('ending sessions with no queued job get one when two servers start, and one final run', async () => {
    const { a: storeA, b: storeB } = await open();
    await withEchoScenario(storeA);
    const runs: ApiRunRecord[] = [];
    const old = server(storeA, runs);
    await old.ready;
    const id = await opened(old);
    old.abandon();
    // As `mofang migrate-store` copies it (or a server before the queue left it): ending, no holder, no job.
    await storeA.db.update(storeA.t.callSessions).set({ status: 'ending', endReason: 'ended', owner: null, leaseExpiresAt: null }).where(eq(storeA.t.callSessions.id, id));
    expect(await job(storeA, id)).toBeUndefined();
    const startedAt = Date.now();
    const b = server(storeB, runs);
    const c = server(storeA, runs);
    await Promise.all([b.ready, c.ready]);
    await until(async () => (await getCallSession(storeA, id))?.status === 'ended', BACKSTOP_MS + 8_000);
    // Through the job (due after the backstop), not taken up by lease at start.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(BACKSTOP_MS - 300);
    await new Promise((r) => setTimeout(r, 1_000));
    const row = await getCallSession(storeA, id);
    expect([b.owner, c.owner]).toContain(row?.owner);
    expect(runs.map((r) => r.id)).toEqual([row?.finalRunId]);
    expect(await endedEvents(storeA, id)).toHaveLength(1);
    expect(await job(storeA, id)).toBeUndefined();
  });
});
