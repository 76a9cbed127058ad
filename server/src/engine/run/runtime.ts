import type { RunErrorCode as SharedRunErrorCode } from '@shared/run-errors.js';
import { newId } from '../../common/ids.js';
import type { ModelCallTrace, RunError, RunEvent } from '@shared/events.js';
import { addUsage, emptyUsage, type Usage } from '@shared/usage.js';
import type { ModelResolver } from '../../model/types.js';
import type { EngineServices } from '../../nodes/kit.js';
import type { ExecutionPlan } from '../plan.js';
import { Channel } from './channel.js';
import { Execution } from './execution.js';

export interface RunOptions {
  models: ModelResolver;
  /** What nodes may call (outbound HTTP, the code sandbox): they get it at run time, the plan holds none. */
  services: EngineServices;
  runId?: string;
  scenario?: string;
  signal?: AbortSignal;
  /** The whole run's deadline in ms (default 120 000). */
  deadlineMs?: number;
  /** How many nodes may run at once (default 8). */
  maxConcurrency?: number;
  onEvent?: (event: RunEvent) => void;
  /** Wall clock for event timestamps (default Date.now). */
  now?: () => number;
  /** Model-call priority: 0 for live calls (default), higher for batch jobs. */
  priority?: number;
  /**
   * A live session's update: nodes marked `final_only` do not run, nor do nodes that wait only for them;
   * the end node still runs, reading null where they would have given a value (see `PlanNode.finalOnly`).
   */
  deferFinalOnly?: boolean;
}

/** Error codes a run can end with; the HTTP layer maps them to statuses (400, 502, 504, …). */
/** One of `RUN_ERROR_CODES` (`@shared/run-errors`), each with zh-CN and en text in the client. */
export type RunErrorCode = SharedRunErrorCode;

export interface RunResult {
  run_id: string;
  status: 'succeeded' | 'failed';
  outputs?: Record<string, unknown>;
  error?: RunError;
  usage: Usage;
  latency_ms: number;
  /** The model client(s) used, e.g. `simulator`. */
  model: string;
  /** True when the built-in simulator answered at least one model call: the outputs are made up (absent on results made without running, e.g. a refused version). */
  simulated?: boolean;
}

/** Runs a plan to the end. Never rejects: failures come back as `status: 'failed'`. */
export function runPlan(plan: ExecutionPlan, inputs: unknown, options: RunOptions): Promise<RunResult> {
  return new Execution(plan, inputs, options, options.runId ?? newId()).run();
}

/**
 * Runs one node of a plan alone: `upstream` holds the outputs of nodes that ran before (by node id, as a
 * previous run's `node.finished` events gave them) and `inputs` that run's inputs. Edges into the node
 * from a node in `upstream` count as taken; nothing downstream runs. The result's `outputs` are the
 * node's own. Never rejects; an unknown node id fails the result with `node_error`.
 */
export function runNode(plan: ExecutionPlan, nodeId: string, upstream: Record<string, unknown>, inputs: unknown, options: RunOptions): Promise<RunResult> {
  return new Execution(plan, inputs, options, options.runId ?? newId(), { nodeId, upstream }).run();
}

/** Runs a plan and exposes its events as an async iterable as well as the final result. */
export function streamRun(plan: ExecutionPlan, inputs: unknown, options: RunOptions): { events: AsyncIterable<RunEvent>; result: Promise<RunResult> } {
  const channel = new Channel<RunEvent>();
  const onEvent = options.onEvent;
  const result = runPlan(plan, inputs, {
    ...options,
    onEvent: (event) => {
      onEvent?.(event);
      channel.push(event);
    },
  }).finally(() => channel.close());
  return { events: channel, result };
}

export { addUsage, emptyUsage };
export type { ModelCallTrace };
