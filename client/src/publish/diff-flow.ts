/**
 * The nodes and edges of the visual diff: the newer graph as it is, added nodes and edges green,
 * changed nodes amber, and the older graph's removed nodes and edges drawn faded red where they were.
 */
import type { Edge, Node } from '@xyflow/react';
import type { Graph } from '@shared/graph';
import type { GraphDiff } from './api';

export type DiffMark = 'added' | 'removed' | 'changed' | 'same';

export const DIFF_COLORS: Record<DiffMark, { border: string; background: string }> = {
  added: { border: '#52c41a', background: '#f6ffed' },
  removed: { border: '#ff4d4f', background: '#fff1f0' },
  changed: { border: '#faad14', background: '#fffbe6' },
  same: { border: '#d9d9d9', background: '#ffffff' },
};

export interface DiffNodeData extends Record<string, unknown> {
  label: string;
  kind: string;
  mark: DiffMark;
  changes: number;
}

function nodeStyle(mark: DiffMark) {
  const c = DIFF_COLORS[mark];
  return {
    // Large type: the diff is fitted to the dialog, often at half size or less.
    width: 220,
    fontSize: 20,
    padding: '8px 12px',
    border: `2px ${mark === 'removed' ? 'dashed' : 'solid'} ${c.border}`,
    background: c.background,
    opacity: mark === 'removed' ? 0.55 : 1,
    borderRadius: 8,
  };
}

function edgeStyle(mark: 'added' | 'removed' | 'same') {
  if (mark === 'same') return { stroke: '#bfbfbf' };
  return { stroke: DIFF_COLORS[mark].border, strokeWidth: 2, strokeDasharray: mark === 'removed' ? '6 4' : undefined, opacity: mark === 'removed' ? 0.7 : 1 };
}

/** Builds the diff canvas from the older graph, the newer graph and the server's diff of the two. */
export function diffFlow(older: Graph, newer: Graph, diff: GraphDiff): { nodes: Array<Node<DiffNodeData>>; edges: Edge[] } {
  const added = new Set(diff.nodes.added.map((n) => n.id));
  const changed = new Map(diff.nodes.changed.map((n) => [n.id, n.fields.length]));
  const nodes: Array<Node<DiffNodeData>> = newer.nodes.map((n) => {
    const mark: DiffMark = added.has(n.id) ? 'added' : changed.has(n.id) ? 'changed' : 'same';
    return {
      id: n.id,
      position: n.position,
      data: { label: n.name ?? n.id, kind: n.kind, mark, changes: changed.get(n.id) ?? 0 },
      style: nodeStyle(mark),
      draggable: false,
      connectable: false,
    };
  });
  const present = new Set(newer.nodes.map((n) => n.id));
  const removedIds = new Set(diff.nodes.removed.map((n) => n.id));
  for (const n of older.nodes) {
    if (!removedIds.has(n.id)) continue;
    // A removed node keeps its old place; an id reused by the newer graph gets its own key.
    const id = present.has(n.id) ? `removed:${n.id}` : n.id;
    nodes.push({ id, position: n.position, data: { label: n.name ?? n.id, kind: n.kind, mark: 'removed', changes: 0 }, style: nodeStyle('removed'), draggable: false, connectable: false });
  }
  const addedEdges = new Set(diff.edges.added.map((e) => e.id));
  const edges: Edge[] = newer.edges.map((e) => {
    const mark = addedEdges.has(e.id) ? 'added' : 'same';
    return { id: e.id, source: e.source, target: e.target, style: edgeStyle(mark), animated: mark === 'added', data: { mark } };
  });
  const ids = new Set(nodes.map((n) => n.id));
  for (const e of diff.edges.removed) {
    if (!ids.has(e.source) || !ids.has(e.target)) continue;
    edges.push({ id: `removed:${e.id}`, source: e.source, target: e.target, style: edgeStyle('removed'), data: { mark: 'removed' } });
  }
  return { nodes, edges };
}

/** A short text of a field value for the change list. */
export function showValue(value: unknown): string {
  if (value === undefined) return '—';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}
