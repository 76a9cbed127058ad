import type { ModelCallTrace, NodeWarning, RunError, RunEvent } from '@shared/index';

export type NodeRunStatus = 'running' | 'succeeded' | 'failed' | 'skipped';

/** What the canvas shows of one node in a run. */
export interface NodeRun {
  status: NodeRunStatus;
  latency_ms?: number;
  tokens?: number;
  inputs?: unknown;
  outputs?: unknown;
  calls?: ModelCallTrace[];
  error?: RunError;
  branch?: string[];
  /** Why the model stopped (`stop`, `length`…); null for a node without a model call. */
  finishReason?: string | null;
  warnings?: NodeWarning[];
}

export interface RunView {
  runId: string | null;
  status: 'idle' | 'running' | 'succeeded' | 'failed';
  nodes: Record<string, NodeRun>;
  outputs?: unknown;
  error?: RunError;
  latency_ms?: number;
  tokens?: number;
  /** The built-in simulator answered (a model call said so, or the run's end did): the outputs are made up. */
  simulated?: boolean;
}

export const idleRun: RunView = { runId: null, status: 'idle', nodes: {} };

/** Folds one run event into the view. Pure, so a stored run replays the same way a live one streams. */
export function applyEvent(view: RunView, e: RunEvent): RunView {
  switch (e.type) {
    case 'run.started':
      return { runId: e.run_id, status: 'running', nodes: {} };
    case 'node.started':
      return { ...view, nodes: { ...view.nodes, [e.node_id]: { ...view.nodes[e.node_id], status: 'running' } } };
    case 'node.finished':
      return {
        ...view,
        ...(e.calls?.some((c) => c.simulated) ? { simulated: true } : {}),
        nodes: {
          ...view.nodes,
          [e.node_id]: {
            status: 'succeeded',
            latency_ms: e.latency_ms,
            tokens: e.usage.prompt_tokens + e.usage.completion_tokens,
            inputs: e.inputs,
            outputs: e.outputs,
            calls: e.calls,
            branch: e.branch,
            finishReason: e.finish_reason,
            warnings: e.warnings,
          },
        },
      };
    case 'node.failed':
      return {
        ...view,
        nodes: {
          ...view.nodes,
          [e.node_id]: { ...view.nodes[e.node_id], status: e.will_retry ? 'running' : 'failed', latency_ms: e.latency_ms, error: e.error, calls: e.calls },
        },
      };
    case 'node.skipped':
      return { ...view, nodes: { ...view.nodes, [e.node_id]: { status: 'skipped' } } };
    case 'run.finished':
      return { ...view, runId: e.run_id, status: 'succeeded', outputs: e.outputs, latency_ms: e.latency_ms, tokens: e.usage.prompt_tokens + e.usage.completion_tokens, simulated: e.simulated ?? view.simulated };
    case 'run.failed':
      return { ...view, runId: e.run_id, status: 'failed', error: e.error, latency_ms: e.latency_ms, tokens: e.usage.prompt_tokens + e.usage.completion_tokens, simulated: e.simulated ?? view.simulated };
  }
}

/** Replays a whole stored run. */
export function replay(events: RunEvent[]): RunView {
  return events.reduce(applyEvent, idleRun);
}
