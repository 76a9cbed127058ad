import { createHash } from 'node:crypto';
import type { CompileProblem } from '@shared/problems.js';
import { graphLimitProblems } from '../../limits.js';
import { getServerNode } from '../../nodes/index.js';
import type { CompiledStep, NodeCompileContext } from '../../nodes/kit.js';
import type { TemplateLimits } from '../../common/template-limits.js';
import type { ExecutionPlan, PlanNode } from '../plan.js';
import { compileSchema, schemaProblems } from '../../common/validation.js';
import { checkReferences } from './references.js';
import { RunConditions } from './run-conditions.js';
import { checkStructure, type CheckedNode } from './structure.js';
import { checkTopology } from './topology.js';
import { modelAliasProblems } from './model-aliases.js';

/**
 * How to compile. No services: a plan is compiled once and its nodes get the services of each run
 * (`RunOptions.services`), so compiling needs neither a sandbox nor outbound HTTP.
 */
export interface CompileOptions {
  /** How far one template render may go (MOFANG_TEMPLATE_*); the defaults when absent. */
  templateLimits?: TemplateLimits;
  /**
   * The model aliases the configured endpoints serve: a node naming another is a problem
   * (`unknown_model_alias`). Absent (the CLI, a stored version being loaded), aliases are not checked.
   */
  modelAliases?: readonly string[];
}
export type CompileResult = { ok: true; errors: []; plan: ExecutionPlan } | { ok: false; errors: CompileProblem[]; plan?: undefined };

/**
 * Compiles a graph (any JSON value) into an execution plan. Never throws: every problem found is
 * returned, each naming its node or edge and the config field where it can.
 */
export function compileGraph(graph: unknown, options: CompileOptions = {}): CompileResult {
  const steps = compileSteps(graph, options);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** Work between two yields to the event loop in {@link compileGraphAsync}, ms. */
const SLICE_MS = 8;

/**
 * {@link compileGraph} for the request thread: the same result, but the event loop runs every
 * ~{@link SLICE_MS} ms of work, so compiling the biggest graph allowed never holds other requests for
 * long (a 500-node graph takes a few hundred ms of work on a busy machine).
 */
export async function compileGraphAsync(graph: unknown, options: CompileOptions = {}): Promise<CompileResult> {
  const steps = compileSteps(graph, options);
  let sliceStart = performance.now();
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    if (performance.now() - sliceStart >= SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
}

/** The compiler as steps: it yields after each node of the per-node passes. */
function* compileSteps(graph: unknown, options: CompileOptions): Generator<void, CompileResult> {
  // Size first: the rest of the work grows with the graph, and runs on the request thread.
  const tooBig = graphLimitProblems(graph);
  if (tooBig.length > 0) return { ok: false, errors: tooBig };
  const structure = checkStructure(graph);
  const topology = checkTopology(structure.nodes, structure.edges);
  const problems = [...structure.problems, ...topology.problems, ...modelAliasProblems(structure.nodes, options.modelAliases)];
  const cyclic = problems.some((p) => p.code === 'cycle');
  const conditions = cyclic
    ? null
    : new RunConditions(
        topology.order,
        structure.nodes.map((n) => ({ id: n.id, ports: n.outputs.map((p) => p.id), branches: n.def.role === 'branch', join: n.join })),
        structure.edges,
      );
  yield;
  const references = conditions ? yield* checkReferences(structure.nodes, topology.order, topology.ancestors, conditions, options.templateLimits) : null;
  if (references) problems.push(...references.problems);
  if (problems.length > 0 || !references || !topology.startId || !topology.endId) {
    return { ok: false, errors: problems.length > 0 ? problems : [{ code: 'invalid_graph', message: 'the graph could not be compiled', params: { hint: 'uncompiled' } }] };
  }

  const byId = new Map(structure.nodes.map((n) => [n.id, n]));
  const edgeIndexes = new Map<string, { incoming: number[]; outgoing: number[] }>();
  for (const n of structure.nodes) edgeIndexes.set(n.id, { incoming: [], outgoing: [] });
  structure.edges.forEach((e, i) => {
    edgeIndexes.get(e.source)?.outgoing.push(i);
    edgeIndexes.get(e.target)?.incoming.push(i);
  });

  const nodes: PlanNode[] = [];
  for (const id of topology.order) {
    const node = byId.get(id);
    const typed = references.typed.get(id);
    const indexes = edgeIndexes.get(id);
    if (!node || !typed || !indexes) continue;
    const sources = indexes.incoming.map((i) => structure.edges[i].source);
    try {
      const step = compileNode(node, { nodeId: id, templates: typed.templates, templateTypes: typed.templateTypes, outputSchema: typed.outputSchema, sources });
      nodes.push({ id, kind: node.kind, name: node.name, step, incoming: indexes.incoming, outgoing: indexes.outgoing, sources, join: node.join, finalOnly: node.finalOnly });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      problems.push({ nodeId: id, code: 'invalid_config', message, params: { message } });
    }
    yield;
  }
  if (problems.length > 0) return { ok: false, errors: problems };

  const start = byId.get(topology.startId);
  const inputSchema = start?.def.runInputSchema?.(start.config) ?? { type: 'object' };
  const validator = compileSchema(inputSchema);
  const outputSchema = references.typed.get(topology.endId)?.outputSchema ?? {};
  const plan: ExecutionPlan = {
    name: structure.name,
    nodes,
    nodeIndex: new Map(nodes.map((n, i) => [n.id, i])),
    edges: structure.edges,
    startId: topology.startId,
    endId: topology.endId,
    inputSchema,
    outputSchema,
    validateInputs: (inputs) => (validator(inputs) ? null : schemaProblems(validator.errors, 'inputs')),
    hash: planHash(structure.nodes, structure.edges),
  };
  return { ok: true, errors: [], plan };
}

function compileNode(node: CheckedNode, ctx: NodeCompileContext): CompiledStep {
  const server = getServerNode(node.kind);
  if (!server) throw new Error(`no executor for kind "${node.kind}"`);
  return server.compile(node.config, ctx);
}

/**
 * A stable hash of what the plan does: kinds, parsed configs, joins, `final_only` and edges, not positions
 * or names. A node joining with `any` (the default) and not final-only hashes as before those fields
 * existed, so published hashes stay put.
 */
function planHash(nodes: CheckedNode[], edges: Array<{ source: string; sourcePort: string; target: string; targetPort: string }>): string {
  const canonical = JSON.stringify({
    nodes: [...nodes].sort((a, b) => a.id.localeCompare(b.id)).map((n) => [n.id, n.kind, n.def.version, sortKeys(n.config), ...(n.join === 'all' ? ['all'] : []), ...(n.finalOnly ? ['final_only'] : [])]),
    edges: edges.map((e) => [e.source, e.sourcePort, e.target, e.targetPort]).sort((a, b) => a.join().localeCompare(b.join())),
  });
  return createHash('sha256').update(canonical).digest('hex');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortKeys(v)]));
  return value;
}
