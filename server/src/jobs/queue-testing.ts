/**
 * Test kit of the PostgreSQL job queue (./queue.test.ts, ./queue-sweep.test.ts): a throwaway PostgreSQL
 * server for the file, one database per test with a published scenario `qq`, JobServices ("servers")
 * over it with short queue timings, stopped after each test.
 */
import { Readable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { lineGraph, noServices } from '../engine/testing.js';
import type { ScriptedModel } from '../model/scripted.js';
import type { HttpRequester } from '../nodes/kit.js';
import { publishDraft } from '../publish/publish.js';
import { PublishedScenarios } from '../publish/registry.js';
import type { JobRow } from '../storage/jobs.js';
import { openPostgresStore } from '../storage/pg/store.js';
import { postgresTestsRun, startTestPostgres, type TestPostgres } from '../storage/pg/testing.js';
import { createScenario } from '../storage/scenarios.js';
import type { OpenDataStore } from '../storage/store.js';
import { JobService, type JobServiceOptions } from './service.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const graph = lineGraph([{ id: 'n', kind: 'llm', config: { user: '{{ start.transcript.text }}', retries: 0 } }], [{ name: 'r', value: '{{ n.text }}' }]);

/** Polls `check` every 50 ms; throws `timed out` after `ms`. */
export async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error('timed out');
}

/** Item rows of a job: seq, status, attempts, run id, outputs. */
export function items(store: OpenDataStore, jobId: string) {
  const { db, t } = store;
  return db.select({ seq: t.jobItems.seq, status: t.jobItems.status, attempts: t.jobItems.attempts, runId: t.jobItems.runId, outputs: t.jobItems.outputs }).from(t.jobItems).where(eq(t.jobItems.jobId, jobId));
}

/** Submits `n` items (`c1`…, transcripts `客户：t1`…) through `jobs`, as the API does. */
export async function submit(jobs: JobService, n: number, webhook?: string): Promise<JobRow> {
  const body = Array.from({ length: n }, (_, i) => JSON.stringify({ id: `c${i + 1}`, inputs: { transcript: `客户：t${i + 1}` } })).join('\n');
  const target = await jobs.published.resolve('qq');
  if (!target || 'error' in target) throw new Error('scenario qq is not published');
  const { job } = await jobs.submit(Readable.from([Buffer.from(body)]), { contentType: 'application/x-ndjson', contentEncoding: undefined, idempotencyKey: null, webhookUrl: webhook }, target, 'o');
  return job;
}

/** Registers the file's hooks (PostgreSQL started once, everything a test opened closed after it) and returns the makers. */
export function queueTestKit(databaseName: string) {
  let server: TestPostgres | undefined;
  const open: Array<{ close(): Promise<void> }> = [];
  beforeAll(async () => {
    if (postgresTestsRun()) server = await startTestPostgres({ database: databaseName });
  }, 60_000);
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });
  afterAll(async () => {
    await server?.stop();
  });

  return {
    /** One PostgreSQL database with a published scenario `qq`: two stores over it (two servers). */
    async database(): Promise<[OpenDataStore, OpenDataStore]> {
      if (!server) throw new Error('no PostgreSQL');
      const url = await server.createDatabase(`queue_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`);
      const a = await openPostgresStore(url);
      const b = await openPostgresStore(url);
      open.push(a, b);
      const scenarioId = (await createScenario(a, { name: 'q', graph })).id;
      await publishDraft(a, noServices, scenarioId, { slug: 'qq' });
      return [a, b];
    },

    /** A server: a JobService over `store` answering with `model`, short queue timings (`queue` overrides them). */
    service(store: OpenDataStore, model: ScriptedModel, http: HttpRequester = noServices.http, runner: { leaseMs?: number; deadlineMs?: number } = {}, queue: JobServiceOptions['queue'] = {}): JobService {
      const jobs = new JobService(store, new PublishedScenarios(store, noServices), model.resolver(), { ...noServices, http }, {
        runner: { flushMs: 5, pollMs: 50, targetInFlight: () => 40, ...runner },
        queue: { retryDelaySeconds: 1, maintenanceIntervalSeconds: 1, webhookPollSeconds: 0.5, ...queue },
        webhook: { minTimeoutMs: 1000, retries: 3 },
      });
      let stopped = false;
      open.push({ close: async () => (stopped ? undefined : ((stopped = true), jobs.stop())) });
      return jobs;
    },
  };
}
