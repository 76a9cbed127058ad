import type { CompileProblem } from '@shared/problems.js';
import type { EngineServices } from '../../nodes/kit.js';
import type { ExecutionPlan } from '../plan.js';

export interface CompileOptions {
  services: EngineServices;
}
export type CompileResult = { ok: true; errors: []; plan: ExecutionPlan } | { ok: false; errors: CompileProblem[]; plan?: undefined };

/** Compiles a graph (any JSON value) into a plan; never throws, reports every problem it finds. */
export function compileGraph(graph: unknown, options: CompileOptions): CompileResult {
  void graph;
  void options;
  throw new Error('compileGraph: being written');
}
