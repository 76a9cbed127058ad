/**
 * The engine's public face: compile a graph into a plan, run a plan. It imports neither Express nor
 * the database; the model client, outbound HTTP and the sandbox are injected.
 */
export { compileGraph, compileGraphAsync, type CompileResult, type CompileOptions } from './compile/index.js';
export { runNode, runPlan, streamRun, type RunOptions, type RunResult } from './run/runtime.js';
export type { ExecutionPlan, InputProblem } from './plan.js';
export { pureReferenceOf } from './compile/templates.js';
