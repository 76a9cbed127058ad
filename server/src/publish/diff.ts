/**
 * What changed between two graphs, for the version diff view: nodes added, removed and changed (field
 * by field, with dotted paths into the config), edges added and removed. Positions are ignored: moving
 * a node is not a change in what the scenario does.
 */
import { isRecord } from '@shared/json.js';
import type { Graph, GraphEdge, GraphNode } from '@shared/graph.js';
import type { FieldChange, GraphDiff } from '@shared/publish.js';
import { getNodeDefinition } from '@shared/nodes/index.js';

/**
 * Deep comparison yielding one change per differing leaf. Objects recurse by key, arrays by index (a
 * longer array reports its extra items as added with `before: undefined`), anything else compares by
 * value. A value that changes type (object ↔ array ↔ scalar) is reported whole at its path.
 */
export function diffValues(before: unknown, after: unknown, path: string, out: FieldChange[] = []): FieldChange[] {
  if (Object.is(before, after)) return out;
  const join = (key: string | number) => (path ? `${path}.${key}` : String(key));
  if (isRecord(before) && isRecord(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const key of [...keys].sort()) diffValues(before[key], after[key], join(key), out);
    return out;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    for (let i = 0; i < length; i++) diffValues(before[i], after[i], join(i), out);
    return out;
  }
  out.push({ path, before, after });
  return out;
}

function nodeRef(node: GraphNode): { id: string; kind: string; name?: string } {
  return node.name === undefined ? { id: node.id, kind: node.kind } : { id: node.id, kind: node.kind, name: node.name };
}

function edgeRef(edge: GraphEdge): GraphEdge {
  return { id: edge.id, source: edge.source, sourcePort: edge.sourcePort, target: edge.target, targetPort: edge.targetPort };
}

/** Edges are the same edge when they connect the same ports; their ids are editor bookkeeping. */
function edgeKey(edge: GraphEdge): string {
  return JSON.stringify([edge.source, edge.sourcePort, edge.target, edge.targetPort]);
}

type DiffableGraph = Pick<Graph, 'nodes' | 'edges'>;

/**
 * A node's config with its kind's defaults filled in (as the compiler reads it), so a setting the editor
 * wrote out with its default value (`fatal: false`, `instructions: ''`) is not shown as a change; a config
 * that does not parse, or of a version the kind does not define, is compared as it is.
 */
function settled(node: GraphNode): unknown {
  const def = getNodeDefinition(node.kind);
  if (!def || def.version !== node.version) return node.config;
  const parsed = def.configSchema.safeParse(node.config);
  return parsed.success ? parsed.data : node.config;
}

/** The difference from graph `from` to graph `to`. Pure; lists keep the order of the graphs. */
export function diffGraphs(from: DiffableGraph, to: DiffableGraph): GraphDiff {
  const before = new Map(from.nodes.map((n) => [n.id, n]));
  const after = new Map(to.nodes.map((n) => [n.id, n]));
  const diff: GraphDiff = { nodes: { added: [], removed: [], changed: [] }, edges: { added: [], removed: [] } };

  for (const node of to.nodes) if (!before.has(node.id)) diff.nodes.added.push(nodeRef(node));
  for (const node of from.nodes) {
    const next = after.get(node.id);
    if (!next) {
      diff.nodes.removed.push(nodeRef(node));
      continue;
    }
    const fields: FieldChange[] = [];
    diffValues(node.kind, next.kind, 'kind', fields);
    diffValues(node.version, next.version, 'version', fields);
    diffValues(node.name, next.name, 'name', fields);
    const same = node.kind === next.kind && node.version === next.version;
    diffValues(same ? settled(node) : node.config, same ? settled(next) : next.config, 'config', fields);
    if (fields.length > 0) diff.nodes.changed.push({ id: node.id, fields });
  }

  const beforeEdges = new Set(from.edges.map(edgeKey));
  const afterEdges = new Set(to.edges.map(edgeKey));
  for (const edge of to.edges) if (!beforeEdges.has(edgeKey(edge))) diff.edges.added.push(edgeRef(edge));
  for (const edge of from.edges) if (!afterEdges.has(edgeKey(edge))) diff.edges.removed.push(edgeRef(edge));
  return diff;
}
