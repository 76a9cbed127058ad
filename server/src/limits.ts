/**
 * The server's side of the JSON limit policy (shared/src/limits.ts): the limits in force, read from
 * the environment at start, and the checks the HTTP layer and the engine apply with them.
 */
import { z } from 'zod';
import { wholeNumber } from './env-settings.js';
import { DEFAULT_JSON_LIMITS, describeBreach, findJsonLimitBreach, LIMIT_SETTINGS, type JsonLimitBreach, type JsonLimits } from '@shared/limits.js';
import type { CompileProblem } from '@shared/problems.js';
import { DomainError } from './common/domain-error.js';

export { describeBreach, findJsonLimitBreach, type JsonLimitBreach, type JsonLimits } from '@shared/limits.js';

const limit = (name: string, fallback: number, max: number) => wholeNumber(name, { min: 1, max }).transform((v) => v ?? fallback);

const LimitsEnvSchema = z.object({
  [LIMIT_SETTINGS.depth]: limit(LIMIT_SETTINGS.depth, DEFAULT_JSON_LIMITS.depth, 1000),
  [LIMIT_SETTINGS.stringChars]: limit(LIMIT_SETTINGS.stringChars, DEFAULT_JSON_LIMITS.stringChars, 256 * 1024 * 1024),
  [LIMIT_SETTINGS.arrayItems]: limit(LIMIT_SETTINGS.arrayItems, DEFAULT_JSON_LIMITS.arrayItems, 10_000_000),
  [LIMIT_SETTINGS.totalBytes]: limit(LIMIT_SETTINGS.totalBytes, DEFAULT_JSON_LIMITS.totalBytes, 1024 * 1024 * 1024),
  MOFANG_MAX_GRAPH_NODES: limit('MOFANG_MAX_GRAPH_NODES', 500, 100_000),
  MOFANG_MAX_GRAPH_EDGES: limit('MOFANG_MAX_GRAPH_EDGES', 2_000, 400_000),
  MOFANG_MAX_NODE_CONFIG_BYTES: limit('MOFANG_MAX_NODE_CONFIG_BYTES', 256 * 1024, 64 * 1024 * 1024),
});

/**
 * How big a graph may be. The defaults keep the compiler (which runs on the request thread) well
 * under 100 ms for the biggest graph allowed; call-center scenarios have tens of nodes.
 */
export interface GraphLimits {
  nodes: number;
  edges: number;
  /** One node's config as JSON, bytes (a code node's source, a long prompt). */
  nodeConfigBytes: number;
}

export const DEFAULT_GRAPH_LIMITS: GraphLimits = { nodes: 500, edges: 2_000, nodeConfigBytes: 256 * 1024 };

/** Every limit in force. */
export interface Limits {
  json: JsonLimits;
  graph: GraphLimits;
}

/** Reads the limits from the environment; throws an Error naming every bad variable. */
export function limitsFromEnv(env: NodeJS.ProcessEnv): Limits {
  const parsed = LimitsEnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const e = parsed.data as Record<string, number>;
  return {
    json: { depth: e[LIMIT_SETTINGS.depth], stringChars: e[LIMIT_SETTINGS.stringChars], arrayItems: e[LIMIT_SETTINGS.arrayItems], totalBytes: e[LIMIT_SETTINGS.totalBytes] },
    graph: { nodes: e.MOFANG_MAX_GRAPH_NODES, edges: e.MOFANG_MAX_GRAPH_EDGES, nodeConfigBytes: e.MOFANG_MAX_NODE_CONFIG_BYTES },
  };
}

let current: Limits = { json: DEFAULT_JSON_LIMITS, graph: DEFAULT_GRAPH_LIMITS };

/** The JSON limits in force (the defaults until the server or CLI sets its configuration's). */
export function jsonLimits(): JsonLimits {
  return current.json;
}

/** The graph limits in force. */
export function graphLimits(): GraphLimits {
  return current.graph;
}

/** Sets the limits in force, process-wide: called once at start with the configuration's. */
export function setLimits(limits: Limits): void {
  current = limits;
}

/** The first breach of the JSON limits in force by `value`, or null. */
export function checkJson(value: unknown): JsonLimitBreach | null {
  return findJsonLimitBreach(value, current.json);
}

/**
 * What makes a graph too big to store or compile: too many nodes or edges, a node's config past its
 * size, or a value past the JSON limits. Cheap (no parsing of templates): checked before anything else.
 */
export function graphLimitProblems(graph: unknown): CompileProblem[] {
  const breach = checkJson(graph);
  if (breach) return [{ code: 'graph_too_large', message: describeBreach(breach, 'graph'), params: { hint: 'json', path: breach.path, limit: breach.limit, setting: breach.setting } }];
  if (typeof graph !== 'object' || graph === null) return [];
  const { nodes, edges } = graph as { nodes?: unknown; edges?: unknown };
  const limits = current.graph;
  const problems: CompileProblem[] = [];
  if (Array.isArray(nodes) && nodes.length > limits.nodes) {
    problems.push({ code: 'graph_too_large', message: `the graph has ${nodes.length} nodes; at most ${limits.nodes} are allowed (the limit, set by MOFANG_MAX_GRAPH_NODES)`, params: { count: nodes.length, limit: limits.nodes, setting: 'MOFANG_MAX_GRAPH_NODES', hint: 'nodes' } });
  }
  if (Array.isArray(edges) && edges.length > limits.edges) {
    problems.push({ code: 'graph_too_large', message: `the graph has ${edges.length} connections; at most ${limits.edges} are allowed (the limit, set by MOFANG_MAX_GRAPH_EDGES)`, params: { count: edges.length, limit: limits.edges, setting: 'MOFANG_MAX_GRAPH_EDGES', hint: 'edges' } });
  }
  if (problems.length > 0 || !Array.isArray(nodes)) return problems;
  for (const node of nodes) {
    if (typeof node !== 'object' || node === null) continue;
    const { id, config } = node as { id?: unknown; config?: unknown };
    const bytes = config === undefined ? 0 : Buffer.byteLength(JSON.stringify(config));
    if (bytes > limits.nodeConfigBytes) {
      const nodeId = typeof id === 'string' ? id : undefined;
      problems.push({ nodeId, code: 'config_too_large', message: `node "${nodeId ?? '?'}": its settings take ${bytes} bytes; at most ${limits.nodeConfigBytes} are allowed (the limit, set by MOFANG_MAX_NODE_CONFIG_BYTES)`, params: { bytes, limit: limits.nodeConfigBytes, setting: 'MOFANG_MAX_NODE_CONFIG_BYTES' } });
    }
  }
  return problems;
}

/** A value or graph past a limit, where it was given: a {@link DomainError} the HTTP layer answers with its kind's status, the CLI prints. */
export class LimitError extends DomainError {
  declare readonly details: Record<string, unknown>;
  constructor(kind: 'invalid' | 'too_large', code: string, message: string, details: Record<string, unknown>) {
    super(kind, code, message, details);
    this.name = 'LimitError';
  }
}

/** Throws {@link LimitError} (`too_large`: `graph_too_large`/`config_too_large`) when a graph to store is past the limits. */
export function assertGraphLimits(graph: unknown): void {
  const problems = graphLimitProblems(graph);
  const first = problems[0];
  if (first) throw new LimitError('too_large', first.code, first.message, { problems });
}

/** `invalid` for nesting (a malformed value), `too_large` for size. */
export function breachKind(breach: JsonLimitBreach): 'invalid' | 'too_large' {
  return breach.kind === 'depth' ? 'invalid' : 'too_large';
}

/** The `details` of an error about a breach. */
export function breachDetails(breach: JsonLimitBreach, where: string): Record<string, unknown> {
  return { path: breach.path ? `${where}.${breach.path}` : where, limit: breach.limit, setting: breach.setting };
}
