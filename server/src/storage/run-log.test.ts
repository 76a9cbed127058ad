import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GRAPH_FORMAT } from '@shared/graph.js';
import type { RunEvent } from '@shared/events.js';
import { DEFAULT_JSON_LIMITS } from '@shared/limits.js';
import { DEFAULT_GRAPH_LIMITS, setLimits } from '../limits.js';
import { openStore, openStoreFile, schema, type Db } from './db.js';
import { compactEvents, expandEvents, nestedDeeperThan } from './run-log-rows.mjs';
import { getStoredApiRun, RunLog, type ApiRunRecord } from './run-log.js';
import { getRun, startRun } from './runs.js';
import { eq } from 'drizzle-orm';
import { dataStoreOf, type DataStore } from './store.js';
import { storesUnderTest } from './testing-stores.js';
import { createScenarioNow } from './scenarios.testing.js';
import { sqliteOf } from './sqlite.js';

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.splice(0).reverse()) f();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mofang-run-log-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A scenario with slug `s` in `db`; its id. */
function scenario(db: Db): string {
  const id = createScenarioNow(db, { name: 's', graph: { schema: GRAPH_FORMAT, name: 's', nodes: [], edges: [] } }).id;
  sqliteOf(db).prepare("update scenarios set slug = 's' where id = ?").run(id);
  return id;
}

const usage = { model_calls: 1, prompt_tokens: 10, completion_tokens: 5 };

function eventsOf(id: string, inputs: unknown, outputs: unknown): RunEvent[] {
  return [
    { type: 'run.started', run_id: id, at: 1, scenario: 's', inputs },
    { type: 'node.started', run_id: id, at: 2, node_id: 'llm', kind: 'llm', attempt: 1 },
    { type: 'node.finished', run_id: id, at: 3, node_id: 'llm', kind: 'llm', inputs: { prompt: '坐席："你好" \\ [{' }, outputs: { text: '}]"' }, latency_ms: 1, usage, calls: [], finish_reason: 'stop' },
    { type: 'run.finished', run_id: id, at: 4, outputs, usage, latency_ms: 3 },
  ];
}

function record(scenarioId: string, id: string, over: Partial<ApiRunRecord> = {}): ApiRunRecord {
  const inputs = { transcript: '坐席：您好\n客户：宽带断了' };
  const outputs = { summary: '宽带故障' };
  return { id, scenarioId, slug: 's', version: 1, apiKeyId: 'k', inputs, status: 'succeeded', outputs, usage, latencyMs: 3, model: 'sim', events: eventsOf(id, inputs, outputs), createdAt: 1_000, finishedAt: 1_003, ...over };
}

/** A scenario with slug `s` in the store; its id. */
async function scenarioIn(store: DataStore): Promise<string> {
  const id = `sc-${Math.random().toString(36).slice(2, 8)}`;
  await store.db.insert(store.t.scenarios).values({ id, slug: 's', name: 's', graph: { schema: GRAPH_FORMAT, name: 's', nodes: [], edges: [] }, createdAt: 1, updatedAt: 1 });
  return id;
}

describe.each(storesUnderTest('run_log'))('the run log on %s writes one row per run', (_name, open, skip) => {
  it.skipIf(skip)('with its events in the row: read back whole through both readers, none in run_events', async () => {
    const store = await open();
    const scenarioId = await scenarioIn(store);
    const log = new RunLog(store, { flushIntervalMs: 60_000 });
    cleanup.push(() => void log.close());
    const r = record(scenarioId, 'run-1');
    log.add(r);
    log.flush();
    await log.close();
    const { db, t } = store;
    expect(await db.select().from(t.runEvents)).toEqual([]);
    // What the row holds already is not stored again: the run id, its inputs and outputs.
    const [stored] = await db.select({ events: t.runs.events }).from(t.runs).where(eq(t.runs.id, 'run-1'));
    const text = JSON.stringify(stored.events);
    expect(text).not.toContain('run_id');
    expect(text).not.toContain('宽带断了');
    expect(text).not.toContain('宽带故障');
    expect(text).not.toContain('prompt_tokens');
    expect(await getStoredApiRun(store, 'run-1')).toMatchObject({ slug: 's', status: 'succeeded', inputs: r.inputs, outputs: r.outputs, latencyMs: 3, createdAt: 1_000, finishedAt: 1_003, apiKeyId: 'k', version: 1 });
    expect((await getStoredApiRun(store, 'run-1'))?.events).toEqual(r.events);
    expect(await getRun(store, 'run-1')).toMatchObject({ kind: 'api', inputs: r.inputs, outputs: r.outputs });
    expect((await getRun(store, 'run-1'))?.events).toEqual(r.events);
    expect(await getStoredApiRun(store, 'nope')).toBeUndefined();
  });

  it.skipIf(skip)('stores a run larger than the log takes, or one JSON cannot write, as a failed run that says why', async () => {
    setLimits({ json: { ...DEFAULT_JSON_LIMITS, totalBytes: 1_000 }, graph: DEFAULT_GRAPH_LIMITS });
    cleanup.push(() => setLimits({ json: DEFAULT_JSON_LIMITS, graph: DEFAULT_GRAPH_LIMITS }));
    const store = await open();
    const scenarioId = await scenarioIn(store);
    const log = new RunLog(store, { flushIntervalMs: 60_000 });
    log.add(record(scenarioId, 'big', { inputs: { transcript: '客'.repeat(2_000) } }));
    log.add(record(scenarioId, 'bigint', { outputs: { n: 1n } }));
    log.add(record(scenarioId, 'small'));
    log.flush();
    await log.close();
    const big = await getStoredApiRun(store, 'big');
    expect(big).toMatchObject({ status: 'failed', inputs: null, outputs: null, events: [], usage, error: { code: 'log_write_failed' } });
    expect(JSON.stringify(big?.error)).toContain('MOFANG_MAX_VALUE_BYTES');
    expect(await getStoredApiRun(store, 'bigint')).toMatchObject({ status: 'failed', outputs: null, events: [], error: { code: 'log_write_failed' } });
    expect((await getStoredApiRun(store, 'small'))?.status).toBe('succeeded');
  });

  it.skipIf(skip)('drops only the run whose scenario was deleted while it was queued, not its batch', async () => {
    const store = await open();
    const scenarioId = await scenarioIn(store);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    cleanup.push(() => errors.mockRestore());
    const log = new RunLog(store, { flushIntervalMs: 60_000 });
    log.add(record(scenarioId, 'kept-1'));
    log.add(record('deleted-scenario', 'orphan'));
    log.add(record(scenarioId, 'kept-2'));
    log.flush();
    await log.close();
    expect(log.pending('orphan')).toBeUndefined();
    expect(await getStoredApiRun(store, 'orphan')).toBeUndefined();
    // Said on stderr by the driver's message, never with the run's values.
    const said = errors.mock.calls.map((c) => c.join(' ')).join('\n');
    expect(said).toMatch(/orphan not logged/);
    expect(said).not.toContain('宽带');
    expect((await getStoredApiRun(store, 'kept-1'))?.status).toBe('succeeded');
    expect((await getStoredApiRun(store, 'kept-2'))?.status).toBe('succeeded');
  });

  it.skipIf(skip)('writes a run in the transaction of another write: both or neither', async () => {
    const store = await open();
    const scenarioId = await scenarioIn(store);
    const log = new RunLog(store, { flushIntervalMs: 60_000 });
    cleanup.push(() => void log.close());
    await store.transaction(async (tx) => {
      await log.writeIn(tx, record(scenarioId, 'with-session-end'));
      await tx.db.update(tx.t.scenarios).set({ name: 'ended' }).where(eq(tx.t.scenarios.id, scenarioId));
    });
    expect((await getStoredApiRun(store, 'with-session-end'))?.events).toEqual(record(scenarioId, 'with-session-end').events);
    await expect(
      store.transaction(async (tx) => {
        await log.writeIn(tx, record(scenarioId, 'rolled-back'));
        throw new Error('the other write failed');
      }),
    ).rejects.toThrow('the other write failed');
    expect(await getStoredApiRun(store, 'rolled-back')).toBeUndefined();
  });

  it.skipIf(skip)('prunes API and job runs past the row cap and the period, oldest first, keeping test runs', async () => {
    const store = await open();
    const scenarioId = await scenarioIn(store);
    const log = new RunLog(store, { flushIntervalMs: 60_000, retentionRows: 2, retentionDays: 1, now: () => 5 * 86_400_000 });
    for (let i = 0; i < 4; i++) log.add(record(scenarioId, `r${i}`, { createdAt: 4 * 86_400_000 + i }));
    log.add(record(scenarioId, 'ancient', { createdAt: 1 }));
    log.flush();
    await startRun(store, { id: 'test-run', scenarioId, kind: 'test', inputs: {} }, 1);
    await log.close();
    expect(await log.prune()).toBe(0); // closed: nothing more
    const again = new RunLog(store, { flushIntervalMs: 60_000, retentionRows: 2, retentionDays: 1, now: () => 5 * 86_400_000 });
    expect(await again.prune()).toBe(3);
    await again.close();
    const left = await store.db.select({ id: store.t.runs.id }).from(store.t.runs).orderBy(store.t.runs.id);
    expect(left.map((r) => r.id)).toEqual(['r2', 'r3', 'test-run']);
  });
});

describe('the run log on SQLite', () => {
  it('writes on its worker thread, committed by close()', async () => {
    const opened = openStore(tempDir());
    cleanup.push(() => opened.close());
    const store = dataStoreOf(opened.db);
    const scenarioId = await scenarioIn(store);
    const log = new RunLog(store, { flushIntervalMs: 60_000, worker: true });
    for (let i = 0; i < 3; i++) log.add(record(scenarioId, `run-${i}`));
    // A value JSON cannot write (a BigInt from a bug anywhere): read back as the failed run it will be.
    log.add(record(scenarioId, 'bigint', { outputs: { n: 1n } }));
    log.flush();
    expect(log.pending('run-1')?.status).toBe('succeeded');
    expect(log.pending('bigint')).toMatchObject({ status: 'failed', error: { code: 'log_write_failed' } });
    await log.close();
    expect(await getStoredApiRun(store, 'bigint')).toMatchObject({ status: 'failed', outputs: null, events: [], error: { code: 'log_write_failed' } });
    expect(log.pending('run-1')).toBeUndefined();
    expect((await getStoredApiRun(store, 'run-2'))?.events).toEqual(record(scenarioId, 'run-2').events);
  });
});

describe('runs written before runs.events existed', () => {
  it('keep their events in run_events: a database from before the migration is read, and pruned, as before', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'mofang.db');
    // The migrations as they were before runs.events: all but the newest.
    const migrations = path.join(dir, 'drizzle');
    cpSync(fileURLToPath(new URL('../../drizzle', import.meta.url)), migrations, { recursive: true });
    const journalFile = path.join(migrations, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: Array<{ tag: string }> };
    const newest = journal.entries.findIndex((e) => e.tag.endsWith('run_events_column'));
    expect(newest).toBeGreaterThan(0);
    writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, newest) }));
    const old = new Database(file);
    old.pragma('foreign_keys = ON');
    migrate(drizzle(old, { schema }), { migrationsFolder: migrations });
    expect(old.prepare("select count(*) as n from pragma_table_info('runs') where name = 'events'").get()).toEqual({ n: 0 });
    const scenarioId = scenario(drizzle(old, { schema }));
    // What the previous writer wrote: the run, then one row per event.
    const r = record(scenarioId, 'old-run');
    old.prepare(
      `insert into runs (id, scenario_id, kind, status, inputs, outputs, error, usage, latency_ms, model, version, api_key_id, created_at, finished_at)
       values (?, ?, 'api', 'succeeded', ?, ?, null, ?, 3, 'sim', 1, 'k', 1000, 1003)`,
    ).run(r.id, scenarioId, JSON.stringify(r.inputs), JSON.stringify(r.outputs), JSON.stringify(usage));
    r.events.forEach((e, seq) => old.prepare('insert into run_events (run_id, seq, type, node_id, data) values (?, ?, ?, ?, ?)').run(r.id, seq, e.type, 'node_id' in e ? e.node_id : null, JSON.stringify(e)));
    old.close();

    const opened = openStoreFile(file);
    cleanup.push(() => opened.close());
    const store = dataStoreOf(opened.db);
    expect(await getStoredApiRun(store, 'old-run')).toMatchObject({ status: 'succeeded', inputs: r.inputs, events: r.events });
    expect((await getRun(store, 'old-run'))?.events).toEqual(r.events);
    // New runs beside it take the new layout; pruning takes the old run's events with it.
    const log = new RunLog(store, { flushIntervalMs: 60_000, retentionRows: 1, now: () => 2_000 });
    cleanup.push(() => void log.close());
    log.add(record(scenarioId, 'new-run', { createdAt: 1_500 }));
    log.flush();
    expect((await getStoredApiRun(store, 'new-run'))?.events).toEqual(record(scenarioId, 'new-run').events);
    expect(await log.prune()).toBe(1);
    expect(await getStoredApiRun(store, 'old-run')).toBeUndefined();
    expect(sqliteOf(opened.db).prepare('select count(*) as n from run_events').get()).toEqual({ n: 0 });
    expect((await getStoredApiRun(store, 'new-run'))?.status).toBe('succeeded');
  });
});

describe('compactEvents and expandEvents', () => {
  it('give back the events as emitted, leaving alone what is not the run’s own', () => {
    const inputs = { transcript: 'a' };
    const outputs = { summary: 'b' };
    const events: RunEvent[] = [
      ...eventsOf('r', inputs, outputs),
      // Equal but not the same object, and another run's event: stored whole.
      { type: 'run.started', run_id: 'r', at: 5, inputs: { transcript: 'a' } },
      { type: 'run.finished', run_id: 'other', at: 6, outputs, usage, latency_ms: 1 },
    ];
    const run = { id: 'r', inputs, outputs, usage, events };
    const stored: unknown = JSON.parse(JSON.stringify(compactEvents(run)));
    expect(JSON.stringify(stored).match(/run_id/g)).toHaveLength(1);
    // The equal copy of the inputs stays; the other run's event keeps the run's outputs and usage.
    expect(JSON.stringify(stored).match(/transcript/g)).toHaveLength(1);
    expect(JSON.stringify(stored).match(/summary/g)).toHaveLength(1);
    expect(JSON.stringify(stored).match(/prompt_tokens/g)).toHaveLength(1);
    expect(expandEvents(stored, { id: 'r', inputs, outputs, usage })).toEqual(events);
    // Old-layout and test-run events, stored whole, pass unchanged.
    expect(expandEvents(JSON.parse(JSON.stringify(events)), { id: 'r', inputs: null, outputs: null, usage: null })).toEqual(events);
    expect(expandEvents('not a list', { id: 'r', inputs, outputs, usage })).toEqual([]);
  });
});

describe('model-call traces in the stored events', () => {
  it('hold a prompt or answer that repeats the node’s own once, and read back as emitted', () => {
    const messages = [{ role: 'system', content: '你是坐席助手。' }, { role: 'user', content: '客户：电话 139 1234 5678' }];
    const call = (m: unknown, raw: string) => ({ model: 'm', messages: m, response_format: 'json_schema', raw, latency_ms: 1, prompt_tokens: 3, completion_tokens: 2 });
    const events: RunEvent[] = [
      {
        type: 'node.finished', run_id: 'r', at: 1, node_id: 'llm', kind: 'llm', latency_ms: 1, usage,
        inputs: { messages }, outputs: { json: { a: 1 }, text: '{"a":1}' },
        // The first call repeats both; the repair round's prompt is longer and its answer differs.
        calls: [call(messages.map((m) => ({ ...m })), '{"a":1}'), call([...messages, { role: 'user', content: '请只输出 JSON' }], '{"a":1} ')],
      },
      // A trace whose messages carry more than role and content, or another prompt: stored whole.
      { type: 'node.finished', run_id: 'r', at: 2, node_id: 'x', kind: 'llm', latency_ms: 1, usage, inputs: { messages }, outputs: { text: 'b' }, calls: [call([{ role: 'system', content: '你是坐席助手。', name: 'n' }, messages[1]], 'c'), call([messages[0]], 'd')] },
    ] as unknown as RunEvent[];
    const stored: unknown = JSON.parse(JSON.stringify(compactEvents({ id: 'r', inputs: null, outputs: null, usage: null, events })));
    const text = JSON.stringify(stored);
    expect(text.match(/139 1234 5678/g)).toHaveLength(4); // the first node's prompt once (was twice), its repair round, the second node's two
    expect(text.match(/\$messages/g)).toHaveLength(1);
    expect(text.match(/\$raw/g)).toHaveLength(1);
    expect(expandEvents(stored, { id: 'r', inputs: null, outputs: null, usage: null })).toEqual(events);
  });
});

describe('nestedDeeperThan', () => {
  it('counts the nesting of JSON text, not brackets or escaped quotes inside its strings', () => {
    const text = JSON.stringify({ a: [{ b: '[[[{{{"\\"[[' }] });
    expect(nestedDeeperThan(text, 3)).toBe(false);
    expect(nestedDeeperThan(text, 2)).toBe(true);
    expect(nestedDeeperThan(JSON.stringify('[[[['), 0)).toBe(false);
    expect(nestedDeeperThan(JSON.stringify([[['\\']]]), 3)).toBe(false);
    expect(nestedDeeperThan(JSON.stringify([[['\\']]]), 2)).toBe(true);
  });
});
