import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GRAPH_FORMAT } from '@shared/graph.js';
import type { RunEvent } from '@shared/events.js';
import { callDetail } from '../jobs/dashboard-calls.js';
import { dataStoreOf } from './store.js';
import { openStore, type Store } from './db.js';
import { JobStore } from './jobs.js';
import { TranscriptRetention } from './retention.js';
import { finishRun, getRun, startRun } from './runs.js';
import { createScenario } from './scenarios.js';
import { sqliteOf } from './sqlite.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const usage = { model_calls: 1, prompt_tokens: 3, completion_tokens: 2 };
const inputs = { transcript: '客户：电话 13912345678' };
const stores: Store[] = [];
const dirs: string[] = [];

function open(): { store: Store; scenarioId: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'mofang-retention-'));
  dirs.push(dir);
  const store = openStore(dir);
  stores.push(store);
  const scenarioId = createScenario(store.db, { name: 's', graph: { schema: GRAPH_FORMAT, name: 's', nodes: [], edges: [] } }).id;
  return { store, scenarioId };
}

afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function run(store: Store, scenarioId: string, id: string, kind: 'test' | 'api', at: number): void {
  startRun(store.db, { id, scenarioId, kind, inputs }, at);
  const events: RunEvent[] = [
    { type: 'run.started', run_id: id, at, inputs },
    { type: 'run.finished', run_id: id, at: at + 5, outputs: { phone: '13912345678' }, usage, latency_ms: 5 },
  ];
  finishRun(store.db, id, { status: 'succeeded', outputs: { phone: '13912345678', score: 90 }, usage, latency_ms: 5, model: 'simulator' }, events, at + 5);
}

function job(store: Store, scenarioId: string, id: string, at: number, status: 'completed' | 'running', items = 2): void {
  const sql = sqliteOf(store.db);
  sql.prepare(`insert into jobs (id, scenario_id, slug, version, owner, status, total, body_hash, created_at) values (?, ?, 's', 1, 'admin', ?, ?, 'h', ?)`).run(id, scenarioId, status, items, at);
  const insert = sql.prepare(`insert into job_items (job_id, seq, item_id, inputs, status, attempts, outputs, finished_at) values (?, ?, ?, ?, 'succeeded', 1, ?, ?)`);
  for (let seq = 1; seq <= items; seq++) insert.run(id, seq, `c${seq}`, JSON.stringify({ transcript: { turns: [{ role: 'customer', text: '电话 13912345678' }] } }), JSON.stringify({ score: 80, verdict: 'pass', items: [] }), at + 1);
}

describe('TranscriptRetention', () => {
  it('leaves no cleared transcript in the database file (secure_delete)', async () => {
    const { store, scenarioId } = open();
    const marker = '客户：我家住在幸福路一号院 secure-delete-marker-7f3a';
    const at = T0;
    for (let i = 0; i < 20; i++) {
      startRun(store.db, { id: `r${i}`, scenarioId, kind: 'api', inputs: { transcript: `${marker} ${i}` } }, at);
      finishRun(store.db, `r${i}`, { status: 'succeeded', outputs: { score: 90 }, usage, latency_ms: 5, model: 'simulator' }, [], at + 5);
    }
    expect((await new TranscriptRetention(store.db, { days: 30, now: () => T0 + 31 * DAY }).sweep()).runs).toBe(20);
    const file = store.file;
    store.close();
    stores.splice(stores.indexOf(store), 1);
    // Closing checkpoints the WAL into the file and removes it: what is left is what a disk image shows.
    expect(readFileSync(file).includes(Buffer.from('secure-delete-marker-7f3a'))).toBe(false);
  });

  it('clears runs\' inputs and traces past the period, keeps outputs and usage, and stamps them', async () => {
    const { store, scenarioId } = open();
    run(store, scenarioId, 'old-test', 'test', T0);
    run(store, scenarioId, 'old-api', 'api', T0 + 1);
    run(store, scenarioId, 'new-test', 'test', T0 + 20 * DAY);
    startRun(store.db, { id: 'still-running', scenarioId, kind: 'api', inputs }, T0);
    let now = T0 + 29 * DAY;
    const retention = new TranscriptRetention(store.db, { days: 30, now: () => now });

    expect(await retention.sweep()).toEqual({ runs: 0, jobs: 0, sessions: 0 });
    expect(getRun(store.db, 'old-test')?.inputs).toEqual(inputs);

    now = T0 + 30 * DAY + 10;
    expect(await retention.sweep()).toEqual({ runs: 2, jobs: 0, sessions: 0 });
    for (const id of ['old-test', 'old-api']) {
      const cleared = getRun(store.db, id);
      expect(cleared).toMatchObject({ inputs: null, events: [], outputs: { phone: '13912345678', score: 90 }, usage, status: 'succeeded', redacted_at: new Date(now).toISOString() });
    }
    expect(getRun(store.db, 'new-test')).toMatchObject({ inputs, redacted_at: null });
    expect(getRun(store.db, 'new-test')?.events).toHaveLength(2);
    expect(getRun(store.db, 'still-running')?.inputs).toEqual(inputs);
    // Nothing left to do: a second sweep changes nothing.
    expect(await retention.sweep()).toEqual({ runs: 0, jobs: 0, sessions: 0 });

    now = T0 + 50 * DAY + 10;
    expect(await retention.sweep()).toEqual({ runs: 1, jobs: 0, sessions: 0 });
    expect(getRun(store.db, 'new-test')?.inputs).toBeNull();
  });

  it('clears the events of runs stored before the events column, in chunks past one statement\'s size', async () => {
    const { store, scenarioId } = open();
    const sql = sqliteOf(store.db);
    const insertRun = sql.prepare(`insert into runs (id, scenario_id, kind, status, inputs, outputs, created_at, finished_at) values (?, ?, 'api', 'succeeded', ?, '{"ok":true}', ?, ?)`);
    const insertEvent = sql.prepare(`insert into run_events (run_id, seq, type, data) values (?, 0, 'run.started', ?)`);
    for (let i = 0; i < 1234; i++) {
      insertRun.run(`r${i}`, scenarioId, JSON.stringify(inputs), T0 + i, T0 + i);
      insertEvent.run(`r${i}`, JSON.stringify({ type: 'run.started', run_id: `r${i}`, at: T0, inputs }));
    }
    const retention = new TranscriptRetention(store.db, { days: 1, now: () => T0 + 2 * DAY });
    expect(await retention.sweep()).toEqual({ runs: 1234, jobs: 0, sessions: 0 });
    expect(sql.prepare('select count(*) as n from run_events').get()).toEqual({ n: 0 });
    expect(sql.prepare("select count(*) as n from runs where inputs is null and events = '[]' and outputs = '{\"ok\":true}'").get()).toEqual({ n: 1234 });
  });

  it('clears the items of ended jobs past the period, which the dashboard then shows without a transcript', async () => {
    const { store, scenarioId } = open();
    job(store, scenarioId, 'old', T0, 'completed', 1203);
    job(store, scenarioId, 'busy', T0, 'running');
    job(store, scenarioId, 'new', T0 + 10 * DAY, 'completed');
    expect((await callDetail(dataStoreOf(store.db), scenarioId, 'old', 'c1'))?.transcript).toEqual([{ id: 't1', role: 'customer', text: '电话 13912345678' }]);

    const now = T0 + 7 * DAY + 1;
    const retention = new TranscriptRetention(store.db, { days: 7, now: () => now });
    expect(await retention.sweep()).toEqual({ runs: 0, jobs: 1, sessions: 0 });
    const sql = sqliteOf(store.db);
    expect(sql.prepare("select count(*) as n from job_items where job_id = 'old' and inputs = 'null' and outputs is not null").get()).toEqual({ n: 1203 });
    expect(await callDetail(dataStoreOf(store.db), scenarioId, 'old', 'c1')).toMatchObject({ transcript: null, score: 80, verdict: 'pass', redacted_at: new Date(now).toISOString() });
    expect(new JobStore(store.db).getJob('old')?.redactedAt).toBe(now);
    for (const kept of ['busy', 'new']) expect(await callDetail(dataStoreOf(store.db), scenarioId, kept, 'c1')).toMatchObject({ redacted_at: null, transcript: [{ text: '电话 13912345678' }] });
  });

  it('runs on its timer and stops', async () => {
    const { store, scenarioId } = open();
    run(store, scenarioId, 'old', 'test', T0);
    const retention = new TranscriptRetention(store.db, { days: 1, intervalMs: 20, now: () => T0 + 2 * DAY });
    retention.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await retention.stop();
    expect(getRun(store.db, 'old')?.inputs).toBeNull();
  });

  it('refuses a period that is not a whole number of days', () => {
    const { store } = open();
    expect(() => new TranscriptRetention(store.db, { days: 0 })).toThrow(/at least 1/);
    expect(() => new TranscriptRetention(store.db, { days: 1.5 })).toThrow(/whole number/);
  });
});

describe('live call sessions', () => {
  it('an ended session past the period loses its turns and stream; its outputs stay; an active one keeps everything', async () => {
    const { store, scenarioId } = open();
    const sql = sqliteOf(store.db);
    const session = sql.prepare(`insert into call_sessions (id, scenario_id, slug, version, status, outputs, alerts, desk_token_hash, created_at, last_activity_at, ended_at, inputs) values (?, ?, 's', 1, ?, '{"risk":"high"}', '[]', 'x', ?, ?, ?, '{"line":"1"}')`);
    session.run('old', scenarioId, 'ended', T0, T0, T0 + 1);
    session.run('live', scenarioId, 'active', T0, T0, null);
    for (const id of ['old', 'live']) {
      sql.prepare(`insert into call_session_turns (session_id, seq, turn_id, role, text, received_at) values (?, 1, 't1', 'customer', '电话 13912345678', ?)`).run(id, T0);
      sql.prepare(`insert into call_session_events (session_id, seq, name, data, at) values (?, 1, 'session.turns', '{"turns":[{"text":"电话 13912345678"}]}', ?)`).run(id, T0);
    }
    const retention = new TranscriptRetention(store.db, { days: 30, now: () => T0 + 31 * DAY });
    expect((await retention.sweep()).sessions).toBe(1);
    const count = (table: string, id: string) => (sql.prepare(`select count(*) as n from ${table} where session_id = ?`).get(id) as { n: number }).n;
    expect([count('call_session_turns', 'old'), count('call_session_events', 'old')]).toEqual([0, 0]);
    expect([count('call_session_turns', 'live'), count('call_session_events', 'live')]).toEqual([1, 1]);
    expect(sql.prepare('select outputs, inputs from call_sessions where id = ?').get('old')).toEqual({ outputs: '{"risk":"high"}', inputs: null });
    expect((await retention.sweep()).sessions).toBe(0);
  });
});
