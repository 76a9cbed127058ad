import { isRecord } from '@shared/json.js';
import { GraphEdgeSchema, GraphNodeSchema, GRAPH_FORMAT, UNREADABLE_GRAPH_FORMAT, type GraphEdge, type Join } from '@shared/graph.js';
import { issueParams } from '@shared/issues.js';
import type { CompileProblem } from '@shared/problems.js';
import { getNodeDefinition, type NodeDefinition, type PortDef } from '@shared/nodes/index.js';
import type { z } from 'zod';

/** A node whose structure and config parsed, with its definition and ports. */
export interface CheckedNode {
  id: string;
  kind: string;
  name?: string;
  config: unknown;
  /** How several wires into the input combine (`any` when the graph does not say). */
  join: Join;
  /** Runs only in a live session's final run (`final_only` in the graph). */
  finalOnly: boolean;
  def: NodeDefinition<unknown>;
  inputs: PortDef[];
  outputs: PortDef[];
}

export interface Structure {
  name: string;
  nodes: CheckedNode[];
  edges: GraphEdge[];
  problems: CompileProblem[];
}

/** Turns zod issues into problems on a node or edge, with dotted field paths. */
export function zodProblems(issues: z.core.$ZodIssue[], where: { nodeId?: string; edgeId?: string }, code: CompileProblem['code'], prefix = ''): CompileProblem[] {
  return issues.map((issue) => {
    const field = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    return { ...where, ...(field ? { field } : {}), code, message: field ? `${field}: ${issue.message}` : issue.message, params: { hint: 'zod', issue: issue.code, ...issueParams(issue) } };
  });
}

/**
 * Checks the graph's shape node by node and edge by edge, so that one bad node does not hide the
 * problems of the others: ids, kinds, versions, configs, edges and their ports.
 */
export function checkStructure(graph: unknown): Structure {
  const problems: CompileProblem[] = [];
  if (!isRecord(graph)) return { name: '', nodes: [], edges: [], problems: [{ code: 'invalid_graph', message: 'a graph must be a JSON object', params: { hint: 'not_object' } }] };
  if (graph.schema === UNREADABLE_GRAPH_FORMAT) {
    const message = 'the stored graph is damaged (its text is not JSON): import a good copy or restore the database from a backup';
    return { name: '', nodes: [], edges: [], problems: [{ code: 'invalid_graph', field: 'schema', message, params: { hint: 'damaged' } }] };
  }
  if (graph.schema !== GRAPH_FORMAT) problems.push({ code: 'invalid_graph', field: 'schema', message: `schema must be "${GRAPH_FORMAT}"`, params: { hint: 'schema', format: GRAPH_FORMAT } });
  if (typeof graph.name !== 'string' || !graph.name) problems.push({ code: 'invalid_graph', field: 'name', message: 'name must be a non-empty string', params: { hint: 'name' } });
  if (!Array.isArray(graph.nodes)) problems.push({ code: 'invalid_graph', field: 'nodes', message: 'nodes must be an array', params: { hint: 'nodes' } });
  if (!Array.isArray(graph.edges)) problems.push({ code: 'invalid_graph', field: 'edges', message: 'edges must be an array', params: { hint: 'edges' } });
  const rawNodes: unknown[] = Array.isArray(graph.nodes) ? graph.nodes : [];
  const rawEdges: unknown[] = Array.isArray(graph.edges) ? graph.edges : [];

  const nodes: CheckedNode[] = [];
  const byId = new Map<string, CheckedNode>();
  const seenIds = new Set<string>();
  rawNodes.forEach((raw, index) => {
    const rawId = isRecord(raw) && typeof raw.id === 'string' ? raw.id : undefined;
    const parsed = GraphNodeSchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(...zodProblems(parsed.error.issues, { nodeId: rawId }, 'invalid_graph', rawId ? '' : `nodes.${index}`));
      return;
    }
    const node = parsed.data;
    if (seenIds.has(node.id)) {
      problems.push({ nodeId: node.id, code: 'duplicate_node_id', message: `node id "${node.id}" is used by more than one node`, params: { id: node.id } });
      return;
    }
    seenIds.add(node.id);
    const def = getNodeDefinition(node.kind);
    if (!def) {
      problems.push({ nodeId: node.id, field: 'kind', code: 'unknown_kind', message: `unknown node kind "${node.kind}"`, params: { kind: node.kind } });
      return;
    }
    if (node.version > def.version) {
      problems.push({ nodeId: node.id, field: 'version', code: 'unsupported_version', message: `${node.kind} version ${node.version} is newer than this server knows (${def.version})`, params: { kind: node.kind, version: node.version, known: def.version } });
      return;
    }
    const config = def.configSchema.safeParse(node.config);
    if (!config.success) {
      problems.push(...zodProblems(config.error.issues, { nodeId: node.id }, 'invalid_config'));
      return;
    }
    const checked: CheckedNode = { id: node.id, kind: node.kind, name: node.name, config: config.data, join: node.join ?? 'any', finalOnly: node.final_only === true, def, inputs: def.inputs(config.data), outputs: def.outputs(config.data) };
    nodes.push(checked);
    byId.set(node.id, checked);
  });

  const edges: GraphEdge[] = [];
  const seenEdgeIds = new Set<string>();
  const seenLinks = new Set<string>();
  rawEdges.forEach((raw, index) => {
    const rawId = isRecord(raw) && typeof raw.id === 'string' ? raw.id : undefined;
    const parsed = GraphEdgeSchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(...zodProblems(parsed.error.issues, { edgeId: rawId }, 'invalid_graph', rawId ? '' : `edges.${index}`));
      return;
    }
    const edge = parsed.data;
    if (seenEdgeIds.has(edge.id)) {
      problems.push({ edgeId: edge.id, code: 'duplicate_edge_id', message: `edge id "${edge.id}" is used by more than one edge`, params: { id: edge.id } });
      return;
    }
    seenEdgeIds.add(edge.id);
    const problem = checkEdge(edge, byId, seenIds);
    if (problem) {
      problems.push(problem);
      return;
    }
    const link = `${edge.source}\u0000${edge.sourcePort}\u0000${edge.target}\u0000${edge.targetPort}`;
    if (seenLinks.has(link)) {
      problems.push({ edgeId: edge.id, code: 'duplicate_edge', message: `${edge.source}.${edge.sourcePort} → ${edge.target}.${edge.targetPort} is connected twice`, params: { source: edge.source, target: edge.target } });
      return;
    }
    seenLinks.add(link);
    edges.push(edge);
  });

  return { name: typeof graph.name === 'string' ? graph.name : '', nodes, edges, problems };
}

function checkEdge(edge: GraphEdge, byId: Map<string, CheckedNode>, knownIds: Set<string>): CompileProblem | null {
  const source = byId.get(edge.source);
  const target = byId.get(edge.target);
  for (const [end, id, node] of [['source', edge.source, source], ['target', edge.target, target]] as const) {
    if (!node) {
      // A node that exists but failed its own checks already has a problem; do not pile on.
      if (knownIds.has(id)) return null;
      return { edgeId: edge.id, field: end, code: 'edge_missing_node', message: `edge ${edge.id}: ${end} node "${id}" does not exist`, params: { node: id } };
    }
  }
  if (!source || !target) return null;
  if (edge.source === edge.target) return { edgeId: edge.id, nodeId: edge.source, code: 'self_loop', message: `edge ${edge.id} connects ${edge.source} to itself`, params: { node: edge.source } };
  const out = source.outputs.find((p) => p.id === edge.sourcePort);
  if (!out) {
    const known = source.outputs.map((p) => p.id).join(', ') || 'none';
    return { edgeId: edge.id, nodeId: source.id, field: 'sourcePort', code: 'edge_missing_port', message: `${source.kind} node "${source.id}" has no output port "${edge.sourcePort}" (it has: ${known})`, params: { hint: 'output', node: source.id, port: edge.sourcePort, known } };
  }
  const input = target.inputs.find((p) => p.id === edge.targetPort);
  if (!input) {
    const known = target.inputs.map((p) => p.id).join(', ') || 'none';
    return { edgeId: edge.id, nodeId: target.id, field: 'targetPort', code: 'edge_missing_port', message: `${target.kind} node "${target.id}" has no input port "${edge.targetPort}" (it has: ${known})`, params: { hint: 'input', node: target.id, port: edge.targetPort, known } };
  }
  return null;
}
