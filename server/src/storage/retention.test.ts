import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { and, count, eq, isNull, type SQL } from 'drizzle-orm';
import { GRAPH_FORMAT } from '@shared/graph.js';
import type { RunEvent } from '@shared/events.js';
import { callDetail } from '../jobs/dashboard-calls.js';
import { openStore } from './db.js';
import { TranscriptRetention } from './retention.js';
import { finishRun, getRun, startRun } from './runs.js';
import { sqliteDataStore, type DataStore } from './store.js';
import { storesUnderTest } from './testing-stores.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const usage = { model_calls: 1, prompt_tokens: 3, completion_tokens: 2 };
const inputs = { transcript: '客户：电话 13912345678' };

async function scenario(store: DataStore): Promise<string> {
  const id = `s-${Math.random().toString(36).slice(2, 8)}`;
  await store.db.insert(store.t.scenarios).values({ id, name: 's', graph: { schema: GRAPH_FORMAT, name: 's', nodes: [], edges: [] }, createdAt: T0, updatedAt: T0 });
  return id;
}

async function run(store: DataStore, scenarioId: string, id: string, kind: 'test' | 'api', at: number): Promise<void> {
  await startRun(store, { id, scenarioId, kind, inputs }, at);
  const events: RunEvent[] = [
    { type: 'run.started', run_id: id, at, inputs },
    { type: 'run.finished', run_id: id, at: at + 5, outputs: { phone: '13912345678' }, usage, latency_ms: 5 },
  ];
  await finishRun(store, id, { status: 'succeeded', outputs: { phone: '13912345678', score: 90 }, usage, latency_ms: 5, model: 'simulator' }, events, at + 5);
}

async function job(store: DataStore, scenarioId: string, id: string, at: number, status: 'completed' | 'running', items = 2): Promise<void> {
  const { db, t } = store;
  await db.insert(t.jobs).values({ id, scenarioId, slug: 's', version: 1, owner: 'admin', status, total: items, bodyHash: 'h', createdAt: at });
  const transcript = JSON.stringify({ transcript: { turns: [{ role: 'customer', text: '电话 13912345678' }] } });
  const rows = Array.from({ length: items }, (_, i) => ({ jobId: id, seq: i + 1, itemId: `c${i + 1}`, inputs: transcript, status: 'succeeded' as const, attempts: 1, outputs: JSON.stringify({ score: 80, verdict: 'pass', items: [] }), finishedAt: at + 1 }));
  for (let i = 0; i < rows.length; i += 500) await db.insert(t.jobItems).values(rows.slice(i, i + 500));
}

async function countOf(store: DataStore, table: DataStore['t']['runEvents'] | DataStore['t']['jobItems'] | DataStore['t']['callSessionTurns'] | DataStore['t']['callSessionEvents'], where?: SQL): Promise<number> {
  const [row] = await store.db.select({ n: count() }).from(table).where(where);
  return Number(row.n);
}

describe('TranscriptRetention on SQLite', () => {
  it('leaves no cleared transcript in the database file (secure_delete)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mofang-retention-'));
    try {
      const opened = openStore(dir);
      const store = sqliteDataStore(opened);
      const scenarioId = await scenario(store);
      const marker = '客户：我家住在幸福路一号院 secure-delete-marker-7f3a';
      for (let i = 0; i < 20; i++) {
        await startRun(store, { id: `r${i}`, scenarioId, kind: 'api', inputs: { transcript: `${marker} ${i}` } }, T0);
        await finishRun(store, `r${i}`, { status: 'succeeded', outputs: { score: 90 }, usage, latency_ms: 5, model: 'simulator' }, [], T0 + 5);
      }
      expect((await new TranscriptRetention(store, { days: 30, now: () => T0 + 31 * DAY }).sweep()).runs).toBe(20);
      await store.close();
      // Closing checkpoints the WAL into the file and removes it: what is left is what a disk image shows.
      expect(readFileSync(opened.file).includes(Buffer.from('secure-delete-marker-7f3a'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(storesUnderTest('retention'))('TranscriptRetention on %s', (_name, open, skip) => {
  it.skipIf(skip)("clears runs' inputs and traces past the period, keeps outputs and usage, and stamps them", async () => {
    const store = await open();
    const scenarioId = await scenario(store);
    await run(store, scenarioId, 'old-test', 'test', T0);
    await run(store, scenarioId, 'old-api', 'api', T0 + 1);
    await run(store, scenarioId, 'new-test', 'test', T0 + 20 * DAY);
    await startRun(store, { id: 'still-running', scenarioId, kind: 'api', inputs }, T0);
    let now = T0 + 29 * DAY;
    const retention = new TranscriptRetention(store, { days: 30, now: () => now });

    expect(await retention.sweep()).toEqual({ runs: 0, jobs: 0, sessions: 0 });
    expect((await getRun(store, 'old-test'))?.inputs).toEqual(inputs);

    now = T0 + 30 * DAY + 10;
    expect(await retention.sweep()).toEqual({ runs: 2, jobs: 0, sessions: 0 });
    for (const id of ['old-test', 'old-api']) {
      expect(await getRun(store, id)).toMatchObject({ inputs: null, events: [], outputs: { phone: '13912345678', score: 90 }, usage, status: 'succeeded', redacted_at: new Date(now).toISOString() });
    }
    expect(await getRun(store, 'new-test')).toMatchObject({ inputs, redacted_at: null });
    expect((await getRun(store, 'new-test'))?.events).toHaveLength(2);
    expect((await getRun(store, 'still-running'))?.inputs).toEqual(inputs);
    // Nothing left to do: a second sweep changes nothing.
    expect(await retention.sweep()).toEqual({ runs: 0, jobs: 0, sessions: 0 });

    now = T0 + 50 * DAY + 10;
    expect(await retention.sweep()).toEqual({ runs: 1, jobs: 0, sessions: 0 });
    expect((await getRun(store, 'new-test'))?.inputs).toBeNull();
  });

  it.skipIf(skip)("clears the events of runs stored before the events column, in chunks past one statement's size", async () => {
    const store = await open();
    const { db, t } = store;
    const scenarioId = await scenario(store);
    const runs = Array.from({ length: 1234 }, (_, i) => ({ id: `r${i}`, scenarioId, kind: 'api' as const, status: 'succeeded' as const, inputs, outputs: { ok: true }, createdAt: T0 + i, finishedAt: T0 + i }));
    for (let i = 0; i < runs.length; i += 400) {
      await db.insert(t.runs).values(runs.slice(i, i + 400));
      await db.insert(t.runEvents).values(runs.slice(i, i + 400).map((r) => ({ runId: r.id, seq: 0, type: 'run.started', data: { type: 'run.started', run_id: r.id, at: T0, inputs } })));
    }
    const retention = new TranscriptRetention(store, { days: 1, now: () => T0 + 2 * DAY });
    expect(await retention.sweep()).toEqual({ runs: 1234, jobs: 0, sessions: 0 });
    expect(await countOf(store, t.runEvents)).toBe(0);
    const cleared = await db.select({ events: t.runs.events, outputs: t.runs.outputs }).from(t.runs).where(isNull(t.runs.inputs));
    expect(cleared).toHaveLength(1234);
    expect(cleared.every((r) => Array.isArray(r.events) && r.events.length === 0 && JSON.stringify(r.outputs) === '{"ok":true}')).toBe(true);
  });

  it.skipIf(skip)('clears the items of ended jobs past the period, which the dashboard then shows without a transcript', async () => {
    const store = await open();
    const { db, t } = store;
    const scenarioId = await scenario(store);
    await job(store, scenarioId, 'old', T0, 'completed', 1203);
    await job(store, scenarioId, 'busy', T0, 'running');
    await job(store, scenarioId, 'new', T0 + 10 * DAY, 'completed');
    expect((await callDetail(store, scenarioId, 'old', 'c1'))?.transcript).toEqual([{ id: 't1', role: 'customer', text: '电话 13912345678' }]);

    const now = T0 + 7 * DAY + 1;
    const retention = new TranscriptRetention(store, { days: 7, now: () => now });
    expect(await retention.sweep()).toEqual({ runs: 0, jobs: 1, sessions: 0 });
    expect(await countOf(store, t.jobItems, and(eq(t.jobItems.jobId, 'old'), eq(t.jobItems.inputs, 'null')))).toBe(1203);
    const [old] = await db.select({ redactedAt: t.jobs.redactedAt }).from(t.jobs).where(eq(t.jobs.id, 'old'));
    expect(old.redactedAt).toBe(now);
    for (const kept of ['busy', 'new']) expect(await countOf(store, t.jobItems, and(eq(t.jobItems.jobId, kept), eq(t.jobItems.inputs, 'null')))).toBe(0);
    expect(await callDetail(store, scenarioId, 'old', 'c1')).toMatchObject({ transcript: null, score: 80, verdict: 'pass', redacted_at: new Date(now).toISOString() });
    for (const kept of ['busy', 'new']) expect(await callDetail(store, scenarioId, kept, 'c1')).toMatchObject({ redacted_at: null, transcript: [{ text: '电话 13912345678' }] });
  });

  it.skipIf(skip)('runs on its timer and stops', async () => {
    const store = await open();
    const scenarioId = await scenario(store);
    await run(store, scenarioId, 'old', 'test', T0);
    const retention = new TranscriptRetention(store, { days: 1, intervalMs: 20, now: () => T0 + 2 * DAY });
    retention.start();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await retention.stop();
    expect((await getRun(store, 'old'))?.inputs).toBeNull();
  });

  it.skipIf(skip)('refuses a period that is not a whole number of days', async () => {
    const store = await open();
    expect(() => new TranscriptRetention(store, { days: 0 })).toThrow(/at least 1/);
    expect(() => new TranscriptRetention(store, { days: 1.5 })).toThrow(/whole number/);
  });

  it.skipIf(skip)('an ended live session past the period loses its turns and stream; its outputs stay; an active one keeps everything', async () => {
    const store = await open();
    const { db, t } = store;
    const scenarioId = await scenario(store);
    const session = (id: string, status: 'ended' | 'active', endedAt: number | null) => ({ id, scenarioId, slug: 's', version: 1, status, outputs: { risk: 'high' }, alerts: [], deskTokenHash: 'x', createdAt: T0, lastActivityAt: T0, endedAt, inputs: { line: '1' } });
    await db.insert(t.callSessions).values([session('old', 'ended', T0 + 1), session('live', 'active', null)]);
    for (const id of ['old', 'live']) {
      await db.insert(t.callSessionTurns).values({ sessionId: id, seq: 1, turnId: 't1', role: 'customer', text: '电话 13912345678', receivedAt: T0 });
      await db.insert(t.callSessionEvents).values({ sessionId: id, seq: 1, name: 'session.turns', data: { turns: [{ text: '电话 13912345678' }] }, at: T0 });
    }
    const retention = new TranscriptRetention(store, { days: 30, now: () => T0 + 31 * DAY });
    expect((await retention.sweep()).sessions).toBe(1);
    const of = async (id: string) => [await countOf(store, t.callSessionTurns, eq(t.callSessionTurns.sessionId, id)), await countOf(store, t.callSessionEvents, eq(t.callSessionEvents.sessionId, id))];
    expect(await of('old')).toEqual([0, 0]);
    expect(await of('live')).toEqual([1, 1]);
    const [old] = await db.select({ outputs: t.callSessions.outputs, inputs: t.callSessions.inputs }).from(t.callSessions).where(eq(t.callSessions.id, 'old'));
    expect(old).toEqual({ outputs: { risk: 'high' }, inputs: null });
    expect((await retention.sweep()).sessions).toBe(0);
  });
});
