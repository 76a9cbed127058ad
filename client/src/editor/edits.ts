import { getNodeDefinition, nodeRole } from '@shared/index';
import { edgeId, nodePorts, parsedConfig, type FlowEdge, type FlowNode } from './graph';
import { findRefs } from './references';

/** A wire that deleting nodes removes, by the ids of its ends. */
export interface BrokenWire {
  edgeId: string;
  source: string;
  sourcePort: string;
  target: string;
}

/** A template of a kept node that reads the output of a deleted one. */
export interface BrokenRef {
  /** The node whose template holds the reference (it stays). */
  nodeId: string;
  /** The config field of the template, e.g. `outputs.0.value`. */
  field: string;
  /** The reference as written, e.g. `extract_1.form.phone`. */
  ref: string;
}

/** What deleting some nodes breaks beyond themselves: wires to nodes that stay, and references to their outputs. */
export interface DeletionImpact {
  wires: BrokenWire[];
  refs: BrokenRef[];
}

/**
 * What deleting `gone` breaks: every wire between a deleted and a kept node, and every `{{ id.… }}`
 * reference in a kept node's templates to a deleted one. Wires among deleted nodes go with them unnoticed.
 */
export function deletionImpact(nodes: FlowNode[], edges: FlowEdge[], gone: Set<string>): DeletionImpact {
  const wires = edges
    .filter((e) => gone.has(e.source) !== gone.has(e.target))
    .map((e) => ({ edgeId: e.id, source: e.source, sourcePort: e.sourceHandle ?? 'out', target: e.target }));
  const refs: BrokenRef[] = [];
  for (const n of nodes) {
    if (gone.has(n.id)) continue;
    const def = getNodeDefinition(n.data.kind);
    if (!def) continue;
    let fields: Array<{ field: string; source: string }> = [];
    try {
      fields = def.templates(parsedConfig(n.data.kind, n.data.config));
    } catch {
      continue; // a config too broken to list its templates has none to break
    }
    for (const { field, source } of fields) for (const r of findRefs(source)) if (gone.has(r.nodeId)) refs.push({ nodeId: n.id, field, ref: r.ref });
  }
  return { wires, refs };
}

/**
 * Output port renames between two configs of one node: a port at the same position whose id vanished
 * while a new id appeared there (a class id edited, or cleared and retyped). Ports added, removed or
 * reordered are not renames. Maps old id to new id.
 */
export function portRenames(kind: string, before: Record<string, unknown>, after: Record<string, unknown>): Map<string, string> {
  const old = nodePorts(kind, before).outputs.map((p) => p.id);
  const now = nodePorts(kind, after).outputs.map((p) => p.id);
  const renames = new Map<string, string>();
  if (old.length !== now.length) return renames;
  old.forEach((id, i) => {
    if (id !== now[i] && !now.includes(id) && !old.includes(now[i])) renames.set(id, now[i]);
  });
  return renames;
}

/** The edges with the wires leaving `nodeId` by a renamed port moved to its new id (and a matching edge id). */
export function followPortRenames(edges: FlowEdge[], nodeId: string, renames: Map<string, string>): FlowEdge[] {
  if (renames.size === 0) return edges;
  return edges.map((e) => {
    const to = e.source === nodeId ? renames.get(e.sourceHandle ?? 'out') : undefined;
    if (to === undefined) return e;
    return { ...e, id: edgeId(e.source, to, e.target, e.targetHandle ?? 'in'), sourceHandle: to };
  });
}

/** The wires already leading into one input of a node. */
export function incomingWires(edges: FlowEdge[], target: string, targetPort: string): FlowEdge[] {
  return edges.filter((e) => e.target === target && (e.targetHandle ?? 'in') === targetPort);
}

/**
 * Where a new node is wired from when it is added while `selectedId` is selected: the first output
 * port with no wire yet, else the first output (a second wire from a plain `out` is a parallel branch).
 * Null when nothing is selected or the selected node has no output (the end node).
 */
export function autoConnectFrom(nodes: FlowNode[], edges: FlowEdge[], selectedId: string | null): { source: string; sourceHandle: string } | null {
  const selected = selectedId === null ? undefined : nodes.find((n) => n.id === selectedId);
  if (!selected || nodeRole(selected.data.kind) === 'exit') return null;
  const outputs = nodePorts(selected.data.kind, selected.data.config).outputs;
  if (outputs.length === 0) return null;
  const wired = new Set(edges.filter((e) => e.source === selected.id).map((e) => e.sourceHandle ?? 'out'));
  const port = outputs.find((p) => !wired.has(p.id)) ?? outputs[0];
  return { source: selected.id, sourceHandle: port.id };
}

/**
 * The edges after splitting `edge` through `node`: source → node's input, node's first output →
 * target. Null when the node cannot sit in the middle of a wire (no input or no output: start, end).
 */
export function splitEdge(edges: FlowEdge[], edge: FlowEdge, node: FlowNode): FlowEdge[] | null {
  const ports = nodePorts(node.data.kind, node.data.config);
  const input = ports.inputs[0];
  const output = ports.outputs[0];
  if (!input || !output) return null;
  const sourcePort = edge.sourceHandle ?? 'out';
  const targetPort = edge.targetHandle ?? 'in';
  return [
    ...edges.filter((e) => e.id !== edge.id),
    { id: edgeId(edge.source, sourcePort, node.id, input.id), source: edge.source, sourceHandle: sourcePort, target: node.id, targetHandle: input.id },
    { id: edgeId(node.id, output.id, edge.target, targetPort), source: node.id, sourceHandle: output.id, target: edge.target, targetHandle: targetPort },
  ];
}

/** Node kinds that can be put in the middle of a wire: every kind with an input and an output. */
export function insertableKinds(kinds: string[]): string[] {
  return kinds.filter((k) => {
    const role = nodeRole(k);
    return role !== 'entry' && role !== 'exit';
  });
}
