import { isRecord } from '@shared/json';
import type { Edge, Node } from '@xyflow/react';
import { getNodeDefinition, GRAPH_FORMAT, nodeRole, type Graph, type GraphNode, type Join, type PortDef } from '@shared/index';

/** What a canvas node carries: exactly the serializable parts of a graph node. */
export type NodeData = { kind: string; version: number; name?: string; config: Record<string, unknown>; join?: Join; finalOnly?: boolean };
export type FlowNode = Node<NodeData, 'mofang'>;
export type FlowEdge = Edge;

/** The scenario-level fields kept beside nodes and edges. */
export interface GraphMeta {
  name: string;
  description?: string;
  inputs?: Record<string, unknown>;
}

/** A node's config after its schema's defaults, or the raw config when it does not parse. */
export function parsedConfig(kind: string, config: Record<string, unknown>): unknown {
  const def = getNodeDefinition(kind);
  if (!def) return config;
  const parsed = def.configSchema.safeParse(config);
  return parsed.success ? parsed.data : config;
}

/** A node's ports, computed from its config; empty when the kind is unknown or the config too broken. */
export function nodePorts(kind: string, config: Record<string, unknown>): { inputs: PortDef[]; outputs: PortDef[] } {
  const def = getNodeDefinition(kind);
  if (!def) return { inputs: [], outputs: [] };
  const c = parsedConfig(kind, config);
  try {
    return { inputs: def.inputs(c), outputs: def.outputs(c) };
  } catch {
    return { inputs: [], outputs: [] };
  }
}

/** Converts a stored graph into canvas nodes and edges. */
export function fromGraph(graph: Graph): { nodes: FlowNode[]; edges: FlowEdge[]; meta: GraphMeta } {
  return {
    nodes: graph.nodes.map(toFlowNode),
    edges: graph.edges.map((e) => ({ id: e.id, source: e.source, sourceHandle: e.sourcePort, target: e.target, targetHandle: e.targetPort })),
    meta: { name: graph.name, description: graph.description, inputs: graph.inputs },
  };
}

/** One graph node as a canvas node. */
export function toFlowNode(n: GraphNode): FlowNode {
  const data: NodeData = { kind: n.kind, version: n.version, config: n.config };
  if (n.name !== undefined) data.name = n.name;
  if (n.join !== undefined) data.join = n.join;
  if (n.final_only) data.finalOnly = true;
  return { id: n.id, type: 'mofang', position: n.position, data };
}

/** Converts the canvas back into the stored graph format. */
export function toGraph(nodes: FlowNode[], edges: FlowEdge[], meta: GraphMeta): Graph {
  const graph: Graph = {
    schema: GRAPH_FORMAT,
    name: meta.name || 'untitled',
    nodes: nodes.map((n) => {
      const g: GraphNode = {
        id: n.id,
        kind: n.data.kind,
        version: n.data.version,
        position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
        config: n.data.config,
      };
      if (n.data.name) g.name = n.data.name;
      if (n.data.join) g.join = n.data.join;
      if (n.data.finalOnly) g.final_only = true;
      return g;
    }),
    edges: edges.map((e) => ({ id: e.id, source: e.source, sourcePort: e.sourceHandle ?? 'out', target: e.target, targetPort: e.targetHandle ?? 'in' })),
  };
  if (meta.description) graph.description = meta.description;
  if (meta.inputs) graph.inputs = meta.inputs;
  return graph;
}

/** A fresh identifier-shaped id such as `llm_2`, unused among `taken`. */
export function freshNodeId(kind: string, taken: Set<string>): string {
  const base = kind.replace(/[^A-Za-z0-9_]/g, '_');
  if (!taken.has(base) && (nodeRole(kind) === 'entry' || nodeRole(kind) === 'exit')) return base;
  for (let i = 1; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}

/** A new canvas node of a kind with its default config, or undefined for an unknown kind. */
export function createNode(kind: string, position: { x: number; y: number }, taken: Set<string>): FlowNode | undefined {
  const def = getNodeDefinition(kind);
  if (!def) return undefined;
  const config: unknown = structuredClone(def.defaults());
  return {
    id: freshNodeId(kind, taken),
    type: 'mofang',
    position,
    data: { kind, version: def.version, config: isRecord(config) ? config : {} },
    selected: true,
  };
}

/** An edge id from its ends, unique per port pair. */
export function edgeId(source: string, sourcePort: string, target: string, targetPort: string): string {
  return `e_${source}_${sourcePort}__${target}_${targetPort}`.slice(0, 200);
}

