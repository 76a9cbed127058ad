/**
 * The job runner: claims pending items in batches, runs each through its job's published plan at
 * batch priority (1), and writes outcomes back in batched transactions. It keeps about 1.5× the
 * endpoint's adaptive limit of items in flight, so the limiter, not the runner, sets the pace. After
 * a crash, items left running are put back to pending by {@link JobStore.recover}: at start on SQLite
 * (one server per file); on PostgreSQL (several servers on one database) at start and every
 * {@link JobRunnerOptions.leaseMs} / 4, taking up only items claimed longer than a lease ago, so items a
 * live server runs are left to it (its late outcome of an item taken over is not written: see
 * JobStore.record).
 */
import { loggableError, loggableMessage } from '../storage/db-errors.js';
import { newId } from '../common/ids.js';
import type { RunEvent } from '@shared/events.js';
import { parseJson } from '@shared/json.js';
import { runPlan, type CompileOptions, type RunResult } from '../engine/index.js';
import type { ModelResolver } from '../model/types.js';
import type { EngineServices } from '../nodes/kit.js';
import type { PublishedScenarios } from '../publish/registry.js';
import type { ClaimedItem, ItemOutcome, JobRow, JobStore } from '../storage/jobs.js';
import type { ApiRunRecord } from '../storage/run-log.js';
import { RateMeter, webhookPayload } from './progress.js';
import type { WebhookSender } from './webhook.js';
import { keyIdOfOwner } from './owner.js';
import { JobPlans } from './job-plans.js';

export interface JobRunnerOptions {
  store: JobStore;
  published: PublishedScenarios;
  models: ModelResolver;
  /** What nodes may call at run time (outbound HTTP, the code sandbox). */
  services: EngineServices;
  webhooks?: WebhookSender;
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
  /** How often to look for work when nobody called {@link JobRunner.wake} (default 1000 ms). */
  pollMs?: number;
  /**
   * On a store several servers share (PostgreSQL): how long after its claim an item still running is
   * taken to belong to a live server (default twice the deadline plus a minute); after that another
   * server runs it again. Also how old an unfinished upload must be to be dropped (times 12).
   */
  leaseMs?: number;
  now?: () => number;
}

/** A batch job's item that succeeded, as {@link JobRunnerOptions.onItemsSucceeded} hears of it. */
export interface SucceededItem {
  jobId: string;
  itemId: string;
  scenarioId: string;
  slug: string;
  version: number;
  runId: string;
  inputs: unknown;
  outputs: unknown;
  simulated: boolean;
}

/** Run errors worth another attempt of the whole item (the engine already retried the node). */
const TRANSIENT = new Set(['model_error', 'deadline_exceeded', 'code_queue_timeout']);

/**
 * Keeps the events a run's per-node trace is built from (what `GET /v1/runs/{id}` shows): a job's
 * items log about half the events an API run does, so logging them costs the runner less.
 */
function keepForTrace(e: RunEvent, events: RunEvent[]): void {
  if (e.type === 'node.finished' || e.type === 'node.skipped' || (e.type === 'node.failed' && !e.will_retry)) events.push(e);
}

/** Most items claimed and started in one turn of the event loop. */
const CLAIM_PER_TURN = 64;

/** Runs jobs in the background; one per server. */
export class JobRunner {
  readonly rates = new RateMeter();
  /** The plans items run: published versions and frozen drafts. */
  readonly plans: JobPlans;
  private readonly store: JobStore;
  private readonly options: JobRunnerOptions;
  private readonly now: () => number;
  private readonly controller = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  /** Abort handles of the items in flight, by job, so a cancel stops them at once. */
  private readonly byJob = new Map<string, Set<AbortController>>();
  private buffer: ItemOutcome[] = [];
  /** Succeeded items of the outcomes in {@link buffer}, told of after they are written. */
  private succeeded: SucceededItem[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private pumping = false;
  private wakeSoon: ReturnType<typeof setImmediate> | undefined;
  private started = false;
  /** Recovery at start has run: claims may begin (before it, a claimed item could be recovered as interrupted). */
  private ready = false;
  /** {@link wake} was called while a claim was under way: look again once it is done. */
  private wakeAgain = false;
  /** The claim under way, and the outcome writes: {@link drain} and {@link stop} wait for them. */
  private claiming: Promise<void> | undefined;
  private readonly writing = new Set<Promise<void>>();
  private recoverTimer: ReturnType<typeof setInterval> | undefined;
  private stopped = false;
  /** Claims no more items (a stopping server lets those in flight end first). */
  private draining = false;

  constructor(options: JobRunnerOptions) {
    this.options = options;
    this.store = options.store;
    this.now = options.now ?? Date.now;
    this.plans = new JobPlans(options.published, (jobId) => this.store.frozenGraph(jobId), options.compile);
  }

  private get maxAttempts(): number {
    return this.options.maxAttempts ?? 3;
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? 2 * (this.options.deadlineMs ?? 120_000) + 60_000;
  }

  /**
   * Recovers interrupted items, resends undelivered webhooks, and starts pulling work. Settles once
   * recovery is done (work is pulled from then on); a store that fails is logged, not thrown.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    try {
      await this.recover();
      for (const job of await this.store.undeliveredWebhooks()) this.options.webhooks?.send(job, webhookPayload(job, await this.store.counts(job.id)));
    } catch (error) {
      console.error('[mofang] jobs: recovery at start failed:', loggableError(error));
    }
    if (this.stopped) return;
    this.ready = true;
    this.pollTimer = setInterval(() => this.wake(), this.options.pollMs ?? 1000);
    this.pollTimer.unref();
    if (this.store.shared) {
      // Another server's crash is seen here, not at this one's start.
      this.recoverTimer = setInterval(() => void this.recover().catch((error: unknown) => console.error('[mofang] jobs: recovery failed:', loggableError(error))), Math.max(1000, this.leaseMs / 4));
      this.recoverTimer.unref();
    }
    this.wake();
  }

  /** Takes up interrupted items (all on SQLite; past their lease on a shared store) and completes jobs they leave finished. */
  private async recover(): Promise<void> {
    const now = this.now();
    const scope = this.store.shared ? { runningBefore: now - this.leaseMs, uploadingBefore: now - 12 * this.leaseMs } : {};
    const active = await this.store.recover(this.maxAttempts, now, scope);
    // A job whose last items failed for good during recovery (or were written before a crash) may now be complete.
    await this.finishJobs(active);
  }

  /** Looks for work now (after a submission or a retry). */
  wake(): void {
    if (!this.ready || this.stopped || this.draining) return;
    if (this.pumping) {
      this.wakeAgain = true;
      return;
    }
    const target = Math.max(1, Math.floor(this.options.targetInFlight?.() ?? 16));
    const room = target - this.inFlight.size;
    if (room <= 0) return;
    this.pumping = true;
    this.wakeAgain = false;
    // Starting an item costs CPU before its first await: a few at a turn, the rest on the next ones.
    const want = Math.min(room, CLAIM_PER_TURN);
    this.claiming = this.store.claim(want, this.now()).then(
      (claimed) => {
        this.pumping = false;
        // Claimed while stopping: the rows stay running and are taken up again (at the next start, or past their lease).
        if (!this.stopped) for (const item of claimed) this.track(item);
        if (this.wakeAgain || (room > CLAIM_PER_TURN && claimed.length === want)) this.wakeAfterIo();
      },
      (error: unknown) => {
        this.pumping = false;
        console.error('[mofang] jobs: claiming items failed:', loggableError(error));
      },
    );
  }

  /**
   * {@link wake} on the next turn of the event loop. An item that ends without I/O (a failed resolve,
   * a graph with no model call, an instant endpoint) ends in a microtask; waking there would claim and
   * finish the next batch in microtasks too, and a 100,000-item job would hold the loop to the end.
   */
  private wakeAfterIo(): void {
    if (this.wakeSoon !== undefined || this.stopped) return;
    this.wakeSoon = setImmediate(() => {
      this.wakeSoon = undefined;
      this.wake();
    });
  }

  /** Items being run right now. */
  get running(): number {
    return this.inFlight.size;
  }

  /**
   * Stops claiming and settles once the items in flight have ended and their outcomes are written (a
   * stopping server calls this first, then {@link stop} for whatever the drain timeout left).
   */
  async drain(): Promise<void> {
    this.draining = true;
    if (this.wakeSoon !== undefined) clearImmediate(this.wakeSoon);
    this.wakeSoon = undefined;
    await this.claiming;
    await Promise.allSettled([...this.inFlight]);
    if (!this.stopped) await this.flush();
    await Promise.allSettled([...this.writing]);
  }

  /**
   * Stops claiming, aborts items in flight (their rows stay `running` and are retried at the next
   * start, attempt counted) and writes the outcomes already known.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.recoverTimer) clearInterval(this.recoverTimer);
    if (this.wakeSoon !== undefined) clearImmediate(this.wakeSoon);
    this.controller.abort();
    await this.claiming;
    await Promise.allSettled([...this.inFlight]);
    await this.flush();
    await Promise.allSettled([...this.writing]);
  }

  private track(item: ClaimedItem): void {
    const task = this.runItem(item).catch((error: unknown) => {
      console.error(`[mofang] job ${item.jobId} item ${item.itemId}:`, loggableError(error));
    });
    const tracked = task.finally(() => {
      this.inFlight.delete(tracked);
      this.wakeAfterIo();
    });
    this.inFlight.add(tracked);
  }

  /** Stops a cancelled job's items in flight; their rows go back to pending (not failed). */
  cancelJob(jobId: string): void {
    for (const controller of this.byJob.get(jobId) ?? []) controller.abort(new Error('job cancelled'));
  }

  private async runItem(item: ClaimedItem): Promise<void> {
    const own = new AbortController();
    let set = this.byJob.get(item.jobId);
    if (!set) this.byJob.set(item.jobId, (set = new Set()));
    set.add(own);
    try {
      await this.runOnce(item, own.signal);
    } finally {
      set.delete(own);
      if (set.size === 0) this.byJob.delete(item.jobId);
    }
  }

  private async runOnce(item: ClaimedItem, cancel: AbortSignal): Promise<void> {
    const runId = newId();
    const started = this.now();
    const planned = this.plans.planOf(item);
    // A cached plan is a value; only a frozen draft not compiled yet reads the store.
    const resolved = planned instanceof Promise ? await planned : planned;
    const events: RunEvent[] = [];
    // Inputs were checked on submit; a row whose text is not JSON (damaged) fails its item, never the runner.
    const parsed = parseJson(item.inputs);
    const inputs: unknown = parsed ?? null;
    let result: RunResult;
    if (parsed === undefined) {
      result = { run_id: runId, status: 'failed', error: { code: 'invalid_inputs', message: "the item's stored inputs are damaged (their text is not JSON)" }, usage: { model_calls: 0, prompt_tokens: 0, completion_tokens: 0 }, latency_ms: 0, model: '' };
    } else if ('error' in resolved) {
      result = { run_id: runId, status: 'failed', error: resolved.error, usage: { model_calls: 0, prompt_tokens: 0, completion_tokens: 0 }, latency_ms: 0, model: '' };
    } else {
      result = await runPlan(resolved.plan, inputs, {
        models: this.options.models,
        services: this.options.services,
        runId,
        scenario: item.slug,
        signal: AbortSignal.any([this.controller.signal, cancel]),
        deadlineMs: this.options.deadlineMs ?? 120_000,
        priority: 1,
        onEvent: this.options.runLog ? (e) => keepForTrace(e, events) : undefined,
      });
    }
    // Stopping: leave the row running, so the next start runs the item again.
    if (this.stopped) return;
    const retry = cancel.aborted || (result.status === 'failed' && TRANSIENT.has(result.error?.code ?? '') && item.attempts < this.maxAttempts);
    this.options.runLog?.add({
      id: result.run_id,
      kind: 'job',
      scenarioId: item.scenarioId,
      slug: item.slug,
      // A frozen draft's run names no version (as the editor's test runs of a draft).
      version: item.graphHash === null ? item.version : null,
      apiKeyId: keyIdOfOwner(item.owner),
      inputs,
      status: result.status,
      outputs: result.outputs,
      error: result.error,
      usage: result.usage,
      latencyMs: result.latency_ms,
      model: result.model,
      events,
      createdAt: started,
      finishedAt: this.now(),
    });
    if (!retry && result.status === 'succeeded' && item.purpose === 'batch' && item.graphHash === null && this.options.onItemsSucceeded) {
      this.succeeded.push({ jobId: item.jobId, itemId: item.itemId, scenarioId: item.scenarioId, slug: item.slug, version: item.version, runId: result.run_id, inputs, outputs: result.outputs ?? {}, simulated: result.simulated ?? false });
    }
    this.push({
      jobId: item.jobId,
      seq: item.seq,
      attempt: item.attempts,
      status: retry ? 'pending' : result.status,
      runId: result.run_id,
      outputs: result.outputs,
      error: result.error,
      latencyMs: this.now() - started,
      finishedAt: this.now(),
      model: result.model,
    });
  }

  private push(outcome: ItemOutcome): void {
    this.buffer.push(outcome);
    if (this.buffer.length >= (this.options.flushBatch ?? 200)) void this.flush();
    else this.flushTimer ??= setTimeout(() => void this.flush(), this.options.flushMs ?? 100);
  }

  /**
   * Writes buffered outcomes in one statement, then completes jobs that have nothing left. Settles when
   * they are written; never rejects (a store that fails is logged, the rows stay running and are taken up again).
   */
  flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.buffer.length === 0) return Promise.resolve();
    const batch = this.buffer;
    this.buffer = [];
    const succeeded = this.succeeded;
    this.succeeded = [];
    const write = this.write(batch, succeeded).catch((error: unknown) => console.error('[mofang] jobs: writing outcomes failed:', loggableError(error)));
    const tracked = write.finally(() => this.writing.delete(tracked));
    this.writing.add(tracked);
    return tracked;
  }

  private async write(batch: ItemOutcome[], succeeded: SucceededItem[]): Promise<void> {
    await this.recordSafely(batch);
    if (succeeded.length > 0) this.tellSucceeded(succeeded);
    const jobs = new Set<string>();
    for (const o of batch) {
      jobs.add(o.jobId);
      if (o.status !== 'pending') this.rates.add(o.jobId);
    }
    await this.finishJobs(jobs);
  }

  /**
   * Writes outcomes; one that cannot be written (a value SQLite or the serialiser refuses) becomes a
   * failed item saying why, instead of an exception out of a timer that would take the process down,
   * again at every restart as the item is recovered and run again.
   */
  private async recordSafely(batch: ItemOutcome[]): Promise<void> {
    try {
      await this.store.record(batch);
      return;
    } catch {
      // One at a time below, to find the ones at fault.
    }
    for (const o of batch) {
      try {
        await this.store.record([o]);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        try {
          await this.store.record([{ ...o, status: 'failed', outputs: undefined, error: { code: 'result_write_failed', message: `the item's result could not be stored: ${reason}` } }]);
        } catch (again) {
          // The store itself is failing (disk full?): the row stays running and is run again after a restart.
          console.error(`[mofang] job ${o.jobId} item ${o.seq}: result not stored:`, loggableMessage(again));
        }
      }
    }
  }

  private async finishJobs(jobIds: Iterable<string>): Promise<void> {
    for (const job of await this.store.completeFinished(jobIds, this.now())) {
      if (job.webhookUrl !== null) this.options.webhooks?.send(job, webhookPayload(job, await this.store.counts(job.id)));
      this.tellEnded(job);
    }
  }

  /** Calls {@link JobRunnerOptions.onItemsSucceeded}; a listener's fault is logged, not the runner's. */
  private tellSucceeded(items: SucceededItem[]): void {
    try {
      this.options.onItemsSucceeded?.(items);
    } catch (error) {
      console.error(`[mofang] ${items.length} succeeded job items: a listener failed:`, loggableError(error));
    }
  }

  /** Calls {@link JobRunnerOptions.onJobEnded}; a listener's fault is logged, not the runner's. */
  tellEnded(job: JobRow): void {
    try {
      this.options.onJobEnded?.(job);
    } catch (error) {
      console.error(`[mofang] job ${job.id}: a listener of its end failed:`, loggableError(error));
    }
  }
}
