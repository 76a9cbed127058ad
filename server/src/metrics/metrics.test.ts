import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createScenarioNow } from '../storage/scenarios.testing.js';
import { GRAPH_FORMAT } from '@shared/graph.js';
import { openStore, type Store } from '../storage/db.js';
import { getStoredApiRun, RunLog, type ApiRunRecord } from '../storage/run-log.js';
import { apiRunMetrics, listApiRuns } from './queries.js';
import { sqliteOf } from '../storage/sqlite.js';
import { dataStoreOf } from '../storage/store.js';

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.splice(0).reverse()) f();
});

function open(): { store: Store; scenarioId: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'mofang-metrics-'));
  const store = openStore(dir);
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }), () => store.close());
  const scenarioId = createScenarioNow(store.db, { name: 's', graph: { schema: GRAPH_FORMAT, name: 's', nodes: [], edges: [] } }).id;
  sqliteOf(store.db).prepare("update scenarios set slug = 's' where id = ?").run(scenarioId);
  return { store, scenarioId };
}

function record(scenarioId: string, i: number, over: Partial<ApiRunRecord> = {}): ApiRunRecord {
  return {
    id: `run-${String(i).padStart(4, '0')}`,
    scenarioId,
    slug: 's',
    version: 1,
    apiKeyId: 'k',
    inputs: { i },
    status: 'succeeded',
    outputs: { ok: true },
    usage: { model_calls: 1, prompt_tokens: 10, completion_tokens: 5 },
    latencyMs: i,
    model: 'simulator',
    events: [{ type: 'run.started', run_id: `run-${i}`, at: 0, inputs: { i } }],
    createdAt: 1_000_000 + i,
    finishedAt: 1_000_000 + i,
    ...over,
  };
}

describe('run log', () => {
  it('keeps runs readable while queued, writes them in one flush, and prunes by age and count', async () => {
    const { store, scenarioId } = open();
    let now = 1_000_000;
    const log = new RunLog(dataStoreOf(store.db), { flushIntervalMs: 60_000, retentionDays: 1, retentionRows: 3, now: () => now });
    cleanup.push(() => log.close());
    for (let i = 1; i <= 5; i++) log.add(record(scenarioId, i));
    expect(log.pending('run-0003')?.latencyMs).toBe(3);
    expect(await getStoredApiRun(dataStoreOf(store.db), 'run-0003')).toBeUndefined();
    log.flush();
    expect(log.pending('run-0003')).toBeUndefined();
    expect(await getStoredApiRun(dataStoreOf(store.db), 'run-0003')).toMatchObject({ slug: 's', status: 'succeeded', latencyMs: 3, inputs: { i: 3 }, events: [{ type: 'run.started' }] });
    expect(await log.prune()).toBe(2);
    expect(await getStoredApiRun(dataStoreOf(store.db), 'run-0002')).toBeUndefined();
    now += 2 * 86_400_000;
    expect(await log.prune()).toBe(3);
  });
});

describe('api run queries', () => {
  it('pages newest first with a cursor and filters by status and version', async () => {
    const { store, scenarioId } = open();
    const log = new RunLog(dataStoreOf(store.db), { flushIntervalMs: 60_000 });
    cleanup.push(() => log.close());
    for (let i = 1; i <= 7; i++) log.add(record(scenarioId, i, i % 3 === 0 ? { status: 'failed', error: { code: 'model_error', message: 'x' }, version: 2 } : {}));
    log.flush();
    const first = await listApiRuns(dataStoreOf(store.db), scenarioId, { limit: 3 });
    expect(first.items.map((r) => r.id)).toEqual(['run-0007', 'run-0006', 'run-0005']);
    const second = await listApiRuns(dataStoreOf(store.db), scenarioId, { limit: 3, cursor: first.next_cursor ?? '' });
    expect(second.items.map((r) => r.id)).toEqual(['run-0004', 'run-0003', 'run-0002']);
    const third = await listApiRuns(dataStoreOf(store.db), scenarioId, { limit: 3, cursor: second.next_cursor ?? '' });
    expect(third).toEqual({ items: [expect.objectContaining({ id: 'run-0001' })], next_cursor: null });
    const failed = await listApiRuns(dataStoreOf(store.db), scenarioId, { limit: 10, status: 'failed' });
    expect(failed.items).toEqual([expect.objectContaining({ id: 'run-0006', error_code: 'model_error', version: 2 }), expect.objectContaining({ id: 'run-0003' })]);
    expect((await listApiRuns(dataStoreOf(store.db), scenarioId, { limit: 10, version: 2 })).items).toHaveLength(2);
  });

  it('aggregates per bucket: counts, timeouts, errors by code, nearest-rank p50/p95, tokens', async () => {
    const { store, scenarioId } = open();
    const log = new RunLog(dataStoreOf(store.db), { flushIntervalMs: 60_000 });
    cleanup.push(() => log.close());
    const minute = 60_000;
    const t0 = 100 * minute;
    // Minute 0: latencies 1..20, two timeouts and one model error among them, one refused input.
    for (let i = 1; i <= 20; i++) {
      const failure = i === 19 || i === 20 ? { code: 'deadline_exceeded' } : i === 5 ? { code: 'model_error' } : undefined;
      log.add(record(scenarioId, i, { createdAt: t0 + i, latencyMs: i, ...(failure ? { status: 'failed', error: { ...failure, message: 'x' } } : {}) }));
    }
    log.add(record(scenarioId, 21, { createdAt: t0 + 30, latencyMs: 0, status: 'failed', error: { code: 'invalid_inputs', message: 'x' }, usage: { model_calls: 0, prompt_tokens: 0, completion_tokens: 0 } }));
    // Minute 2: one run.
    log.add(record(scenarioId, 22, { createdAt: t0 + 2 * minute + 5, latencyMs: 7 }));
    log.flush();
    const buckets = await apiRunMetrics(dataStoreOf(store.db), scenarioId, { from: t0, to: t0 + 3 * minute, bucket: 'minute' });
    expect(buckets).toEqual([
      {
        start: new Date(t0).toISOString(),
        runs: 21,
        succeeded: 17,
        failed: 4,
        timeouts: 2,
        errors: { deadline_exceeded: 2, model_error: 1, invalid_inputs: 1 },
        p50_ms: 10,
        p95_ms: 19,
        prompt_tokens: 200,
        completion_tokens: 100,
      },
      { start: new Date(t0 + 2 * minute).toISOString(), runs: 1, succeeded: 1, failed: 0, timeouts: 0, errors: {}, p50_ms: 7, p95_ms: 7, prompt_tokens: 10, completion_tokens: 5 },
    ]);
    expect(await apiRunMetrics(dataStoreOf(store.db), scenarioId, { from: t0, to: t0 + 3 * minute, bucket: 'hour' })).toEqual([
      expect.objectContaining({ runs: 22, p50_ms: 10, p95_ms: 19 }),
    ]);
  });
});

describe('a run that cannot be stored as it is', () => {
  it('is stored failed with the reason, without its values, and the runs beside it are kept', async () => {
    const { store, scenarioId } = open();
    const log = new RunLog(dataStoreOf(store.db), { flushIntervalMs: 60_000 });
    cleanup.push(() => log.close());
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = { a: deep };
    log.add(record(scenarioId, 1, { inputs: { meta: deep } }));
    // A value JSON cannot write (a BigInt from a bug anywhere) fails on the writer's side.
    log.add(record(scenarioId, 2, { outputs: { n: 1n } }));
    log.add(record(scenarioId, 3));
    // Checked by the writer, not on the request thread: queued as it came.
    expect(log.pending('run-0001')?.status).toBe('succeeded');
    log.flush();
    expect(await getStoredApiRun(dataStoreOf(store.db), 'run-0001')).toMatchObject({ status: 'failed', inputs: null, outputs: null, events: [], error: { code: 'log_write_failed' } });
    expect(JSON.stringify((await getStoredApiRun(dataStoreOf(store.db), 'run-0001'))?.error)).toContain('MOFANG_MAX_JSON_DEPTH');
    const runs = await listApiRuns(dataStoreOf(store.db), scenarioId, { limit: 10 });
    expect(runs.items.map((r) => [r.id, r.status, r.error_code])).toEqual([
      ['run-0003', 'succeeded', null],
      ['run-0002', 'failed', 'log_write_failed'],
      ['run-0001', 'failed', 'log_write_failed'],
    ]);
  });
});
