import type { JsonSchema } from '@shared/json-schema.js';
import type { CompiledStep } from '../nodes/kit.js';

/** One node of an execution plan: its compiled step and where its edges go. */
export interface PlanNode {
  id: string;
  kind: string;
  name?: string;
  step: CompiledStep;
  /** Indexes into `plan.edges` of the edges that end here. */
  incoming: number[];
  /** Indexes into `plan.edges` of the edges that start here. */
  outgoing: number[];
  /** The node's upstream sources, in edge order. */
  sources: string[];
  /** How its incoming edges combine: `any` runs it when one was taken, `all` only when every one was. */
  join: 'any' | 'all';
  /** Deferred in a live session's updates (`RunOptions.deferFinalOnly`): runs only in the final run. */
  finalOnly: boolean;
}

export interface PlanEdge {
  id: string;
  source: string;
  sourcePort: string;
  target: string;
  targetPort: string;
}

/** What the compiler produces and the runtime executes. Built once, run many times. */
export interface ExecutionPlan {
  name: string;
  nodes: PlanNode[];
  nodeIndex: Map<string, number>;
  edges: PlanEdge[];
  startId: string;
  endId: string;
  /** JSON Schema of the run's inputs (as callers send them) and of its outputs. */
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
  /** Validates raw inputs: null when valid, else the failing paths. */
  validateInputs(inputs: unknown): InputProblem[] | null;
  /** A stable hash of the compiled graph (nodes, configs, edges), for published versions. */
  hash: string;
}

export interface InputProblem {
  path: string;
  message: string;
}
