/**
 * What a job runner (./runner.ts) is given: its store, the plans and models items run with, where items
 * come from and where their runs and ends are told, and its timings, with the defaults both the runner
 * and the JobService (which sizes the PostgreSQL queue by them) read.
 */
import type { CompileOptions } from '../engine/index.js';
import type { ModelResolver } from '../model/types.js';
import type { EngineServices } from '../nodes/kit.js';
import type { PublishedScenarios } from '../publish/registry.js';
import type { JobRow, JobStore } from '../storage/jobs.js';
import type { ApiRunRecord } from '../storage/run-log.js';
import type { ItemSource } from './item-source.js';
import type { SucceededItem } from './runner-item.js';
import type { WebhookSink } from './webhook.js';

export interface JobRunnerOptions {
  store: JobStore;
  published: PublishedScenarios;
  models: ModelResolver;
  /** What nodes may call at run time (outbound HTTP, the code sandbox). */
  services: EngineServices;
  webhooks?: WebhookSink;
  /** Where items come from (default: the job tables, StoreItemSource of ./item-source.ts). */
  source?: ItemSource;
  /** How a frozen draft stored in a job is compiled again (template limits). */
  compile?: CompileOptions;
  /**
   * Told of every job the runner completes (including, at start, one whose last items ended before a
   * crash). Called after the job row says `completed`; an exception is logged, never stops the runner.
   */
  onJobEnded?: (job: JobRow) => void;
  /**
   * Told of the items of batch jobs over a published version that succeeded, after their outcomes are
   * written, in batches (human review chooses from them). An exception is logged, never stops the runner.
   */
  onItemsSucceeded?: (items: SucceededItem[]) => void;
  /**
   * Where each item's run goes with its events, so its `run_id` resolves at `GET /v1/runs/{id}`: the
   * `/v1` run log, which queues and writes in batches off this thread.
   */
  runLog?: { add(run: ApiRunRecord): void };
  /** How many items to keep in flight (read before every claim); default 16. */
  targetInFlight?: () => number;
  /** Deadline of one item's run in ms (default 120 000). */
  deadlineMs?: number;
  /** Attempts per item, counting runs cut short by a crash (default 3). */
  maxAttempts?: number;
  /** How often outcomes are written (default 100 ms) and how many force a write (default 200). */
  flushMs?: number;
  flushBatch?: number;
  /** How often to look for work when nobody called JobRunner.wake (default 1000 ms). */
  pollMs?: number;
  /**
   * On a store several servers share (PostgreSQL): how long after its claim an item still running is
   * taken to belong to a live server (default twice the deadline plus a minute); after that another
   * server runs it again. Also how old an unfinished upload must be to be dropped (times 12).
   */
  leaseMs?: number;
  now?: () => number;
}

/** An item's deadline when none is set, ms. */
export const DEFAULT_ITEM_DEADLINE_MS = 120_000;

/** The lease of a runner with these options (see {@link JobRunnerOptions.leaseMs}): as set, or twice the deadline plus a minute. */
export function leaseMsOf(options: Pick<JobRunnerOptions, 'leaseMs' | 'deadlineMs'>): number {
  return options.leaseMs ?? 2 * (options.deadlineMs ?? DEFAULT_ITEM_DEADLINE_MS) + 60_000;
}
