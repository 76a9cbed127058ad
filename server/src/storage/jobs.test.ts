/**
 * The job repository on both stores: an item's life (claim, outcome, completion) with each change made
 * once, recovery after a crash (everything on SQLite, past a lease on PostgreSQL), and, on PostgreSQL,
 * two stores over one database (two servers) claiming and completing the same items at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobStore, type ClaimedItem, type ItemOutcome } from './jobs.js';
import { openPostgresStore } from './pg/store.js';
import { postgresTestsRun, startTestPostgres, type TestPostgres } from './pg/testing.js';
import type { OpenDataStore } from './store.js';
import { storesUnderTest } from './testing-stores.js';

const T0 = Date.UTC(2026, 0, 1);

/** A scenario and a queued job `id` of `n` items (`c1`…), created at `at`. */
async function queuedJob(jobs: JobStore, id: string, n: number, at = T0, owner = 'o'): Promise<void> {
  const { db, t } = jobs.store;
  await db.insert(t.scenarios).values({ id: `sc-${id}`, name: id, graph: { nodes: [], edges: [] }, createdAt: at, updatedAt: at });
  await jobs.beginJob({ id, scenarioId: `sc-${id}`, slug: id, version: 1, owner, webhookUrl: null, createdAt: at });
  await jobs.addItems(id, Array.from({ length: n }, (_, i) => ({ seq: i + 1, itemId: `c${i + 1}`, inputs: JSON.stringify({ i }) })));
  await jobs.finalize(id, owner, n, `h-${id}`, null);
}

function outcome(item: ClaimedItem, status: ItemOutcome['status'] = 'succeeded', runId = `r-${item.jobId}-${item.seq}`): ItemOutcome {
  return { jobId: item.jobId, seq: item.seq, attempt: item.attempts, status, runId, outputs: { seq: item.seq }, latencyMs: 1, finishedAt: T0 + 10, model: 'm' };
}

describe.each(storesUnderTest('jobs'))('the job repository on %s', (_name, open, skip) => {
  it.skipIf(skip)('claims pending items in job then submission order, once, and writes each outcome once', async () => {
    const jobs = new JobStore(await open());
    await queuedJob(jobs, 'old', 3, T0);
    await queuedJob(jobs, 'new', 2, T0 + 1);
    await jobs.beginJob({ id: 'uploading', scenarioId: 'sc-old', slug: 'old', version: 1, owner: 'o', webhookUrl: null, createdAt: T0 });
    expect(await jobs.getJob('uploading')).toBeUndefined();
    expect((await jobs.listJobs(undefined, 10)).map((j) => j.id)).toEqual(['new', 'old']);

    const first = await jobs.claim(4, T0 + 5);
    expect(first.map((i) => [i.jobId, i.seq, i.attempts])).toEqual([['old', 1, 1], ['old', 2, 1], ['old', 3, 1], ['new', 1, 1]]);
    expect((await jobs.getJob('old'))?.status).toBe('running');
    const second = await jobs.claim(4, T0 + 6);
    expect(second.map((i) => [i.jobId, i.seq])).toEqual([['new', 2]]);
    expect(await jobs.claim(4, T0 + 7)).toEqual([]);

    const old = first.filter((i) => i.jobId === 'old');
    await jobs.record(old.map((i) => outcome(i)));
    // A second completion of the same items (a retry of the write, another server's late one) changes nothing.
    await jobs.record(old.map((i) => ({ ...outcome(i, 'failed', 'late'), error: { code: 'late', message: 'late' } })));
    expect(await jobs.counts('old')).toEqual({ pending: 0, running: 0, succeeded: 3, failed: 0 });
    expect((await jobs.finishedPage('old', 0, 10)).map((r) => [r.seq, r.runId, r.outputs])).toEqual([[1, 'r-old-1', '{"seq":1}'], [2, 'r-old-2', '{"seq":2}'], [3, 'r-old-3', '{"seq":3}']]);

    const done = await jobs.completeFinished(['old', 'new'], T0 + 20);
    expect(done.map((j) => [j.id, j.status, j.finishedAt])).toEqual([['old', 'completed', T0 + 20]]);
    expect(await jobs.completeFinished(['old'], T0 + 21)).toEqual([]);

    // An item put back to pending (a transient failure) is claimed again at its next attempt.
    const [n1] = first.filter((i) => i.jobId === 'new');
    await jobs.record([{ ...outcome(n1), status: 'pending' }]);
    const again = await jobs.claim(4, T0 + 30);
    expect(again.map((i) => [i.seq, i.attempts])).toEqual([[1, 2]]);
    // The outcome of the earlier attempt is not written over the new one.
    await jobs.record([outcome(n1)]);
    expect(await jobs.itemStatus('new', 'c1')).toBe('running');
    await jobs.record([outcome(again[0], 'failed'), outcome(second[0])]);
    expect(await jobs.retryFailed('new')).toBe(1);
    expect(await jobs.counts('new')).toEqual({ pending: 1, running: 0, succeeded: 1, failed: 0 });
  });

  it.skipIf(skip)('replays a finished submission by its idempotency key, and refuses another body under it', async () => {
    const jobs = new JobStore(await open());
    await queuedJob(jobs, 'a', 1);
    await jobs.store.db.update(jobs.store.t.jobs).set({ idempotencyKey: 'k' });
    await jobs.beginJob({ id: 'b', scenarioId: 'sc-a', slug: 'a', version: 1, owner: 'o', webhookUrl: null, createdAt: T0 });
    expect(await jobs.finalize('b', 'o', 1, 'h-a', 'k')).toMatchObject({ outcome: 'replayed', job: { id: 'a' } });
    await jobs.beginJob({ id: 'c', scenarioId: 'sc-a', slug: 'a', version: 1, owner: 'o', webhookUrl: null, createdAt: T0 });
    expect(await jobs.finalize('c', 'o', 1, 'other', 'k')).toMatchObject({ outcome: 'conflict', job: { id: 'a' } });
    expect((await jobs.listJobs(undefined, 10)).map((j) => j.id)).toEqual(['a']);
  });

  it.skipIf(skip)('takes up interrupted items: all of them, or only those claimed before a time; fails those out of attempts', async () => {
    const jobs = new JobStore(await open());
    await queuedJob(jobs, 'j', 3);
    await jobs.beginJob({ id: 'half', scenarioId: 'sc-j', slug: 'j', version: 1, owner: 'o', webhookUrl: null, createdAt: T0 + 50 });
    const [a] = await jobs.claim(1, T0 + 10);
    const [b] = await jobs.claim(1, T0 + 100);
    // Only what is older than the lease: item a, not b (a live server's); the recent upload stays.
    expect(await jobs.recover(3, T0 + 200, { runningBefore: T0 + 50, uploadingBefore: T0 + 40 })).toEqual(['j']);
    expect([await jobs.itemStatus('j', a.itemId), await jobs.itemStatus('j', b.itemId)]).toEqual(['pending', 'running']);
    expect(await jobs.store.db.select().from(jobs.store.t.jobs)).toHaveLength(2);
    // b's server finishes it; a is claimed again, at its second attempt.
    await jobs.record([outcome(b)]);
    const [a2] = await jobs.claim(1, T0 + 210);
    expect([a2.seq, a2.attempts]).toEqual([a.seq, 2]);
    // Out of attempts: failed as interrupted. Without a scope (the one server of a SQLite file), everything.
    expect(await jobs.recover(2, T0 + 300)).toEqual(['j']);
    const failed = (await jobs.failures('j', 0, 10)).rows;
    expect(failed.map((r) => [r.seq, JSON.parse(r.error ?? '{}').code])).toEqual([[a.seq, 'interrupted']]);
    expect(await jobs.store.db.select().from(jobs.store.t.jobs)).toHaveLength(1);
  });

  it.skipIf(skip)('two claims at once on one store take each item once', async () => {
    const jobs = new JobStore(await open());
    await queuedJob(jobs, 'j', 60);
    const claims = await Promise.all(Array.from({ length: 6 }, (_, i) => jobs.claim(13, T0 + i)));
    const seqs = claims.flat().map((i) => i.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });
});

describe.skipIf(!postgresTestsRun())('two servers on one PostgreSQL database', () => {
  let server: TestPostgres | undefined;
  const stores: OpenDataStore[] = [];
  beforeAll(async () => {
    server = await startTestPostgres({ database: 'mofang_jobs_two_test' });
  }, 60_000);
  afterAll(async () => {
    for (const s of stores.splice(0)) await s.close();
    await server?.stop();
  });
  async function two(): Promise<[JobStore, JobStore]> {
    if (!server) throw new Error('no PostgreSQL');
    const url = await server.createDatabase(`jobs_two_${stores.length}_${Date.now().toString(36)}`);
    const a = await openPostgresStore(url);
    const b = await openPostgresStore(url);
    stores.push(a, b);
    return [new JobStore(a), new JobStore(b)];
  }

  it('claim concurrently: every item is claimed by one of them, once; each job is completed once', async () => {
    const [a, b] = await two();
    await queuedJob(a, 'j1', 300, T0);
    await queuedJob(a, 'j2', 200, T0 + 1);
    const taken: Array<{ by: string; item: ClaimedItem }> = [];
    const drain = async (jobs: JobStore, by: string) => {
      for (;;) {
        const claimed = await jobs.claim(7, T0 + 5);
        if (claimed.length === 0) return;
        for (const item of claimed) taken.push({ by, item });
      }
    };
    await Promise.all([drain(a, 'a'), drain(b, 'b'), drain(a, 'a2'), drain(b, 'b2')]);
    const keys = taken.map(({ item }) => `${item.jobId}:${item.seq}`);
    expect(keys).toHaveLength(500);
    expect(new Set(keys).size).toBe(500);
    expect(new Set(taken.map((t) => t.by[0]))).toEqual(new Set(['a', 'b']));
    expect(taken.every(({ item }) => item.attempts === 1)).toBe(true);

    // Both write every outcome (one of them late or twice), then both look for finished jobs at once.
    const outcomes = taken.map(({ item }) => outcome(item));
    await Promise.all([a.record(outcomes), b.record(outcomes.map((o) => ({ ...o, runId: 'second' })))]);
    const ran = await a.store.db.select({ runId: a.store.t.jobItems.runId }).from(a.store.t.jobItems);
    expect(ran.filter((r) => r.runId === 'second').length + ran.filter((r) => r.runId?.startsWith('r-')).length).toBe(500);
    expect(await a.counts('j1')).toEqual({ pending: 0, running: 0, succeeded: 300, failed: 0 });
    const [doneA, doneB] = await Promise.all([a.completeFinished(['j1', 'j2'], T0 + 20), b.completeFinished(['j2', 'j1'], T0 + 20)]);
    expect([...doneA, ...doneB].map((j) => j.id).sort()).toEqual(['j1', 'j2']);
    expect(doneA.every((j) => j.createdAt === T0 || j.createdAt === T0 + 1)).toBe(true);
  });

  it("a crashed server's items are taken up past their lease, a live server's are not; the late outcome is not written", async () => {
    const [a, b] = await two();
    await queuedJob(a, 'j', 4);
    const crashed = await a.claim(2, T0 + 10);
    const live = await b.claim(2, T0 + 1000);
    // b sweeps with a lease ending at T0 + 500: a's claims are older, its own are not.
    expect(await b.recover(3, T0 + 1100, { runningBefore: T0 + 500, uploadingBefore: T0 })).toEqual(['j']);
    const retaken = await b.claim(10, T0 + 1200);
    expect(retaken.map((i) => [i.seq, i.attempts])).toEqual(crashed.map((i) => [i.seq, 2]));
    // a was only slow, not dead: its outcomes come now and are not written over b's claim.
    await a.record(crashed.map((i) => outcome(i, 'succeeded', 'stale')));
    await b.record([...live, ...retaken].map((i) => outcome(i)));
    const rows = await a.store.db.select({ runId: a.store.t.jobItems.runId, status: a.store.t.jobItems.status }).from(a.store.t.jobItems);
    expect(rows.every((r) => r.status === 'succeeded' && r.runId?.startsWith('r-'))).toBe(true);
  });
});

