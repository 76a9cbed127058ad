import { edgeId, freshNodeId, type FlowEdge, type FlowNode } from './graph';
import { nodeRole } from '@shared/index';

/** What a copy keeps: the chosen nodes and the edges between them. */
export interface Clip {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

/** Copies the selected nodes and the edges whose two ends are both selected. */
export function copySelection(nodes: FlowNode[], edges: FlowEdge[]): Clip {
  const picked = nodes.filter((n) => n.selected && nodeRole(n.data.kind) !== 'entry');
  const ids = new Set(picked.map((n) => n.id));
  return { nodes: structuredClone(picked), edges: structuredClone(edges.filter((e) => ids.has(e.source) && ids.has(e.target))) };
}

/**
 * Pastes a clip with fresh ids, offset so it does not hide the originals; the pasted nodes become the
 * selection. A second end node is allowed here and reported by the compiler.
 */
export function pasteClip(clip: Clip, nodes: FlowNode[], offset = 40): { nodes: FlowNode[]; edges: FlowEdge[]; added: FlowNode[]; addedEdges: FlowEdge[] } {
  const taken = new Set(nodes.map((n) => n.id));
  const rename = new Map<string, string>();
  const added: FlowNode[] = clip.nodes.map((n) => {
    const id = freshNodeId(n.data.kind, taken);
    taken.add(id);
    rename.set(n.id, id);
    return { ...structuredClone(n), id, position: { x: n.position.x + offset, y: n.position.y + offset }, selected: true };
  });
  const addedEdges: FlowEdge[] = clip.edges.map((e) => {
    const source = rename.get(e.source) ?? e.source;
    const target = rename.get(e.target) ?? e.target;
    return { ...e, id: edgeId(source, e.sourceHandle ?? 'out', target, e.targetHandle ?? 'in'), source, target, selected: false };
  });
  return { nodes: [...nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...added], edges: addedEdges, added, addedEdges };
}
