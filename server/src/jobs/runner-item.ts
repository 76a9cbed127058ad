/**
 * One job item's run, as the runner does it: its plan (a published version or a frozen draft), its
 * inputs parsed from the row, the run at batch priority (1) with the item deadline, its run logged
 * (so its `run_id` resolves at `GET /v1/runs/{id}`), and the outcome to write: final, or back to
 * pending when the failure is worth another attempt (or the job was cancelled under it).
 */
import { newId } from '../common/ids.js';
import type { RunEvent } from '@shared/events.js';
import { parseJson } from '@shared/json.js';
import { runPlan, type RunResult } from '../engine/index.js';
import type { ModelResolver } from '../model/types.js';
import type { EngineServices } from '../nodes/kit.js';
import type { ClaimedItem, ItemOutcome } from '../storage/jobs.js';
import type { ApiRunRecord } from '../storage/run-log.js';
import type { JobPlans } from './job-plans.js';
import { keyIdOfOwner } from './owner.js';

/** A batch job's item that succeeded, as `JobRunnerOptions.onItemsSucceeded` hears of it. */
export interface SucceededItem {
  jobId: string;
  /** The item's position in its job (with jobId, its row's key). */
  seq: number;
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

/** What an item's run needs from its runner. */
export interface ItemRunContext {
  plans: JobPlans;
  models: ModelResolver;
  services: EngineServices;
  runLog?: { add(run: ApiRunRecord): void };
  deadlineMs: number;
  maxAttempts: number;
  /** The runner is stopping: its items' rows are left running (taken up again later), nothing is written. */
  stopped: () => boolean;
  /** Whether the runner tells anyone of succeeded items (they are collected only then). */
  collectSucceeded: boolean;
  now: () => number;
}

/**
 * Runs a claimed item; resolves with its outcome (and the succeeded item to tell of), or undefined when
 * the runner stopped under it. `stop` aborts on the runner's stop, `cancel` on the job's cancellation.
 */
export async function runClaimedItem(item: ClaimedItem, ctx: ItemRunContext, stop: AbortSignal, cancel: AbortSignal): Promise<{ outcome: ItemOutcome; succeeded?: SucceededItem } | undefined> {
  const runId = newId();
  const started = ctx.now();
  const planned = ctx.plans.planOf(item);
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
      models: ctx.models,
      services: ctx.services,
      runId,
      scenario: item.slug,
      signal: AbortSignal.any([stop, cancel]),
      deadlineMs: ctx.deadlineMs,
      priority: 1,
      onEvent: ctx.runLog ? (e) => keepForTrace(e, events) : undefined,
    });
  }
  // Stopping: leave the row running, so the item runs again (next start, or another server).
  if (ctx.stopped()) return undefined;
  const retry = cancel.aborted || (result.status === 'failed' && TRANSIENT.has(result.error?.code ?? '') && item.attempts < ctx.maxAttempts);
  ctx.runLog?.add({
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
    finishedAt: ctx.now(),
  });
  const succeeded = !retry && result.status === 'succeeded' && item.purpose === 'batch' && item.graphHash === null && ctx.collectSucceeded
    ? { jobId: item.jobId, seq: item.seq, itemId: item.itemId, scenarioId: item.scenarioId, slug: item.slug, version: item.version, runId: result.run_id, inputs, outputs: result.outputs ?? {}, simulated: result.simulated ?? false }
    : undefined;
  const outcome: ItemOutcome = {
    jobId: item.jobId,
    seq: item.seq,
    attempt: item.attempts,
    status: retry ? 'pending' : result.status,
    runId: result.run_id,
    outputs: result.outputs,
    error: result.error,
    latencyMs: ctx.now() - started,
    finishedAt: ctx.now(),
    model: result.model,
  };
  return { outcome, succeeded };
}
