import pRetry, { AbortError } from 'p-retry';
import { isRecord } from '@shared/json.js';
import type { ModelCallTrace, RunError, RunEvent } from '@shared/events.js';
import { addUsage, emptyUsage, type Usage } from '@shared/usage.js';
import { NodeError, type NodeResult, type Scope } from '../../nodes/kit.js';
import { breachDetails, checkJson, describeBreach } from '../../limits.js';
import type { ExecutionPlan, PlanNode } from '../plan.js';
import { backoffMs, classifyError, type AbortCause } from './errors.js';
import { Attempt, NodeContext } from './context.js';
import type { RunOptions, RunResult } from './runtime.js';

const PENDING = 0;
const TAKEN = 1;
const SKIPPED = 2;
/** Not run now: a final-only node (or one waiting for it) in a live session's update. */
const DEFERRED = 3;

/** One run of a plan: a ready queue over the graph with skip propagation, retries and a deadline. */
export class Execution {
  private readonly edgeState: Uint8Array;
  private readonly unresolved: Int32Array;
  private readonly scope: Scope = {};
  private readonly ready: PlanNode[] = [];
  private readonly usage: Usage = emptyUsage();
  /** Made on first use: most runs end without anything needing the run's signal but their model calls. */
  private controllerValue: AbortController | undefined;
  /** The controllers of the attempts under way that have a timeout of their own. */
  private readonly attemptControllers = new Set<AbortController>();
  private aborted = false;
  private readonly emit: ((event: RunEvent) => void) | undefined;
  private readonly now: () => number;
  private readonly models = new Set<string>();
  private readonly simulated = { any: false };
  private abortCause: AbortCause | undefined;
  private running = 0;
  private failure: RunError | undefined;
  private endReached = false;
  private danglingBranch: { node: string; port: string } | undefined;
  private finish!: () => void;
  private readonly startedAt = performance.now();

  constructor(
    private readonly plan: ExecutionPlan,
    private readonly inputs: unknown,
    private readonly options: RunOptions,
    private readonly runId: string,
    /** Run only this node, its upstream's outputs taken as given (see `runNode`); its downstream does not run. */
    private readonly alone?: { nodeId: string; upstream: Record<string, unknown> },
  ) {
    this.edgeState = new Uint8Array(plan.edges.length);
    this.unresolved = new Int32Array(plan.nodes.length);
    plan.nodes.forEach((n, i) => (this.unresolved[i] = n.incoming.length));
    this.emit = options.onEvent;
    this.now = options.now ?? Date.now;
  }

  async run(): Promise<RunResult> {
    const { plan, options } = this;
    this.emit?.({ type: 'run.started', run_id: this.runId, at: this.now(), scenario: options.scenario, inputs: this.inputs ?? null });
    if (this.alone) return this.runAlone(this.alone);
    const problems = plan.validateInputs(this.inputs);
    if (problems) return this.end({ code: 'invalid_inputs', message: `the inputs are not valid: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, details: problems });
    if (options.signal?.aborted) return this.end({ code: 'cancelled', message: 'the run was cancelled before it started' });

    const onCancel = () => this.abort('cancelled');
    options.signal?.addEventListener('abort', onCancel, { once: true });
    const deadline = setTimeout(() => this.abort('deadline'), options.deadlineMs ?? 120_000);
    try {
      await new Promise<void>((resolve) => {
        this.finish = resolve;
        const start = plan.nodes[plan.nodeIndex.get(plan.startId) ?? 0];
        this.ready.push(start);
        this.pump();
      });
    } finally {
      clearTimeout(deadline);
      options.signal?.removeEventListener('abort', onCancel);
    }
    if (this.failure) return this.end(this.failure);
    if (!this.endReached) {
      const dangling = this.danglingBranch;
      const why = dangling ? `node "${dangling.node}" took branch "${dangling.port}", which is not connected` : 'no branch led to it';
      return this.end({ code: 'end_not_reached', message: `the run did not reach the end node: ${why}`, ...(dangling ? { details: { node: dangling.node, branch: dangling.port } } : {}) });
    }
    const outputs = this.scope[plan.endId];
    return this.end(undefined, isRecord(outputs) ? outputs : {});
  }

  /** One node with the outputs its upstream produced before (a reference to any of them resolves as then). */
  private async runAlone(alone: { nodeId: string; upstream: Record<string, unknown> }): Promise<RunResult> {
    const { plan } = this;
    const index = plan.nodeIndex.get(alone.nodeId);
    if (index === undefined) return this.end({ code: 'node_error', message: `no node "${alone.nodeId}" in the plan`, nodeId: alone.nodeId });
    const node = plan.nodes[index];
    Object.assign(this.scope, alone.upstream);
    for (const i of node.incoming) if (plan.edges[i].source in this.scope) this.edgeState[i] = TAKEN;
    const deadline = setTimeout(() => this.abort('deadline'), this.options.deadlineMs ?? 120_000);
    try {
      const result = await this.execute(node);
      if (this.failure || !result) return this.end(this.failure ?? { code: 'node_error', message: `node "${node.id}" did not finish`, nodeId: node.id });
      return this.end(undefined, isRecord(result.outputs) ? result.outputs : { value: result.outputs });
    } finally {
      clearTimeout(deadline);
    }
  }

  private abort(cause: AbortCause): void {
    if (this.aborted) return;
    this.aborted = true;
    this.abortCause = cause;
    this.controller.abort(cause);
    for (const attempt of this.attemptControllers) attempt.abort(cause);
    this.attemptControllers.clear();
    if (cause === 'deadline') this.failure ??= { code: 'deadline_exceeded', message: `the run passed its deadline of ${this.options.deadlineMs ?? 120_000} ms`, details: { deadline_ms: this.options.deadlineMs ?? 120_000 } };
    if (cause === 'cancelled') this.failure ??= { code: 'cancelled', message: 'the run was cancelled' };
    if (this.running === 0) this.finish?.();
  }

  private end(error: RunError | undefined, outputs?: Record<string, unknown>): RunResult {
    const latency = Math.round((performance.now() - this.startedAt) * 1000) / 1000;
    const model = [...this.models].join(', ') || 'none';
    const simulated = this.simulated.any;
    if (error) {
      this.emit?.({ type: 'run.failed', run_id: this.runId, at: this.now(), error, usage: this.usage, latency_ms: latency, simulated });
      return { run_id: this.runId, status: 'failed', error, usage: this.usage, latency_ms: latency, model, simulated };
    }
    this.emit?.({ type: 'run.finished', run_id: this.runId, at: this.now(), outputs, usage: this.usage, latency_ms: latency, simulated });
    return { run_id: this.runId, status: 'succeeded', outputs, usage: this.usage, latency_ms: latency, model, simulated };
  }

  /** Starts ready nodes up to the concurrency limit; finishes the run when nothing is left. */
  private pump(): void {
    const limit = this.options.maxConcurrency ?? 8;
    while (this.ready.length > 0 && this.running < limit && !this.aborted) {
      const node = this.ready.shift();
      if (!node) break;
      this.running++;
      this.execute(node).then(
        (result) => this.completed(node, result),
        (error: unknown) => this.failed(node, error),
      );
    }
    if (this.running === 0 && (this.ready.length === 0 || this.aborted)) this.finish();
  }

  private completed(node: PlanNode, result: NodeResult | null): void {
    this.running--;
    if (result) {
      this.scope[node.id] = result.outputs;
      if (node.id === this.plan.endId) this.endReached = true;
      const branch = result.branch;
      if (branch) for (const port of branch) if (!node.outgoing.some((i) => this.plan.edges[i].sourcePort === port)) this.danglingBranch = { node: node.id, port };
      for (const i of node.outgoing) this.resolveEdge(i, !branch || branch.includes(this.plan.edges[i].sourcePort) ? TAKEN : SKIPPED);
    }
    this.pump();
  }

  private failed(node: PlanNode, error: unknown): void {
    this.running--;
    this.failure ??= { code: 'node_error', message: `node "${node.id}" failed: ${error instanceof Error ? error.message : String(error)}`, nodeId: node.id };
    this.abort('run_failed');
    this.pump();
  }

  private resolveEdge(index: number, state: number): void {
    this.edgeState[index] = state;
    const edge = this.plan.edges[index];
    const targetIndex = this.plan.nodeIndex.get(edge.target) ?? -1;
    if (--this.unresolved[targetIndex] > 0) return;
    const target = this.plan.nodes[targetIndex];
    const taken = (i: number) => this.edgeState[i] === TAKEN;
    const isEnd = target.id === this.plan.endId;
    if (target.join === 'all' ? target.incoming.every(taken) : target.incoming.some(taken)) {
      if (this.options.deferFinalOnly && target.finalOnly && !isEnd) return this.defer(target);
      this.ready.push(target);
      return;
    }
    if (target.incoming.some((i) => this.edgeState[i] === DEFERRED)) {
      // The end still runs in an update: what waits for a deferred node reads as null until the final run.
      if (isEnd) this.ready.push(target);
      else this.defer(target);
      return;
    }
    this.emit?.({ type: 'node.skipped', run_id: this.runId, at: this.now(), node_id: target.id, kind: target.kind });
    for (const i of target.outgoing) this.resolveEdge(i, SKIPPED);
  }

  /** A node left for the final run of a live session, and what only it leads to. */
  private defer(node: PlanNode): void {
    this.emit?.({ type: 'node.skipped', run_id: this.runId, at: this.now(), node_id: node.id, kind: node.kind, reason: 'final_only' });
    for (const i of node.outgoing) this.resolveEdge(i, DEFERRED);
  }

  /**
   * Runs one node with its timeout and retries (p-retry counts the attempts; the wait between them is
   * {@link backoffMs}: jittered exponential backoff, or the endpoint's Retry-After); resolves null when
   * the node failed for good or the run is already failing.
   */
  private async execute(node: PlanNode): Promise<NodeResult | null> {
    const maxAttempts = 1 + (node.step.retries ?? 0);
    try {
      // The first attempt outside p-retry: nearly every node succeeds at once, and a run of five nodes
      // would otherwise pay p-retry's per-call bookkeeping five times (7,400 against 13,600 runs/s in
      // `npm run bench`). Only a node that failed and may be tried again goes on to p-retry.
      try {
        return await this.attempt(node, 1, maxAttempts);
      } catch (error) {
        if (error instanceof AbortError) throw error.originalError;
        if (!(error instanceof RetryableAttempt)) throw error;
        await sleep(backoffMs(1, error.retryAfterMs), this.controller.signal);
      }
      return await pRetry((n) => this.attempt(node, n + 1, maxAttempts), {
        retries: maxAttempts - 2,
        minTimeout: 0,
        shouldRetry: ({ error }) => error instanceof RetryableAttempt,
        onFailedAttempt: ({ error, attemptNumber }) => (error instanceof RetryableAttempt ? sleep(backoffMs(attemptNumber + 1, error.retryAfterMs), this.controller.signal) : undefined),
      });
    } catch (error) {
      // A failure for good (or the run's abort) is already recorded, its node.failed event sent;
      // anything else is a fault in the engine itself, for the caller to report.
      if (error instanceof NodeOver) return null;
      throw error;
    }
  }

  /**
   * One attempt of a node: its events, its timeout, its outputs checked. Throws {@link RetryableAttempt}
   * when another attempt is due, p-retry's AbortError (of a NodeOver) when not (the run's failure recorded first).
   */
  private async attempt(node: PlanNode, attempt: number, maxAttempts: number): Promise<NodeResult> {
    const { step } = node;
    if (this.aborted) throw new AbortError(new NodeOver());
    this.emit?.({ type: 'node.started', run_id: this.runId, at: this.now(), node_id: node.id, kind: node.kind, attempt });
    const started = performance.now();
    const calls: ModelCallTrace[] | undefined = this.emit ? [] : undefined;
    let timedOut = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let signalOf = this.runSignal;
    const timeoutMs = typeof step.timeoutMs === 'function' ? step.timeoutMs(this.options.services) : step.timeoutMs;
    let attemptController: AbortController | undefined;
    if (timeoutMs !== undefined) {
      // Its own controller, aborted by its timeout or with the run (abort() reaches every one that is
      // live): AbortSignal.any and listeners on the run's signal cost more than the rest of the attempt.
      const controller = new AbortController();
      attemptController = controller;
      if (this.aborted) controller.abort(this.abortCause);
      else this.attemptControllers.add(controller);
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort('node_timeout');
      }, timeoutMs);
      signalOf = () => controller.signal;
    }
    const site = new Attempt(node.id, this.options.models, this.models, this.simulated, calls, this.options.priority, timeoutMs, started, signalOf);
    const { usage, warnings, finish } = site;
    try {
      const ranSources = node.sources.filter((id, i) => this.edgeState[node.incoming[i]] === TAKEN && id in this.scope);
      const result = await step.run(new NodeContext(this.runId, node.id, this.scope, this.inputs, ranSources, site, this.options.scenario, this.options.services));
      // What a node hands on (a code node's object, an http reply, a model's JSON) is stored and
      // serialised later: past the limits, the node fails here, naming the limit and its setting.
      const breach = checkJson(result.outputs);
      if (breach) throw new NodeError(breach.code, `node "${node.id}": ${describeBreach(breach, 'output')}`, { details: breachDetails(breach, 'output') });
      addUsage(this.usage, usage);
      if (usage.tokens_estimated) warnings.push({ code: 'usage_estimated', message: 'the endpoint reported no token usage; the counts are estimated' });
      const latency = round(performance.now() - started);
      this.emit?.({
        type: 'node.finished',
        run_id: this.runId,
        at: this.now(),
        node_id: node.id,
        kind: node.kind,
        inputs: result.inputs ?? null,
        outputs: result.outputs,
        branch: result.branch,
        latency_ms: latency,
        usage,
        calls,
        finish_reason: finish.reason,
        ...(warnings.length > 0 ? { warnings } : {}),
      });
      return result;
    } catch (error) {
      addUsage(this.usage, usage);
      const cause = this.abortCause ?? (timedOut ? 'node_timeout' : undefined);
      const classified = classifyError(error, node.id, cause, timeoutMs);
      const willRetry = classified.retryable && attempt < maxAttempts && !this.aborted;
      this.emit?.({ type: 'node.failed', run_id: this.runId, at: this.now(), node_id: node.id, kind: node.kind, error: classified.error, attempt, will_retry: willRetry, latency_ms: round(performance.now() - started), calls });
      if (!willRetry) {
        if (this.abortCause !== 'run_failed') {
          // After retries, say so: a 100 ms timeout that fails after 700 ms is three attempts and their backoff.
          this.failure ??= attempt > 1 ? { ...classified.error, message: `${classified.error.message} (after ${attempt} attempts)` } : classified.error;
          this.abort('run_failed');
        }
        throw new AbortError(new NodeOver());
      }
      throw new RetryableAttempt(classified.retryAfterMs);
    } finally {
      if (timer) clearTimeout(timer);
      if (attemptController) this.attemptControllers.delete(attemptController);
    }
  }

  private get controller(): AbortController {
    this.controllerValue ??= new AbortController();
    return this.controllerValue;
  }

  /** The run's signal, made on first use (one function per run, shared by its attempts). */
  private readonly runSignal = (): AbortSignal => this.controller.signal;


}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** No further attempt: the node failed for good, or the run is over (p-retry rethrows it as it is). */
class NodeOver extends Error {}

/** An attempt that failed and may be tried again, after the endpoint's Retry-After when it gave one. */
class RetryableAttempt extends Error {
  constructor(readonly retryAfterMs: number | undefined) {
    super('retryable node failure');
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
