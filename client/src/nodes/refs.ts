import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useEditor } from '../editor/store';
import { availableRefs } from '../editor/references';

type Refs = ReturnType<typeof availableRefs>;

/** The last references worked out, with what they came from: the fields of one panel share them. */
let last: { ids: string[]; datas: unknown[]; edges: unknown; nodeId: string; refs: Refs } | undefined;

function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The references one node's templates may use, recomputed when the graph changes. A panel's fields
 * (an end node's ten outputs, a prompt and its instructions) ask for the same node's references at
 * once: they share one computation instead of one each.
 */
export function useRefs(nodeId: string): Refs {
  // Only ids and data matter: dragging a node (a new position) must not recompute every schema.
  const ids = useEditor(useShallow((s) => s.nodes.map((n) => n.id)));
  const datas = useEditor(useShallow((s) => s.nodes.map((n) => n.data)));
  const edges = useEditor((s) => s.edges);
  return useMemo(() => {
    if (last && last.nodeId === nodeId && last.edges === edges && sameItems(last.ids, ids) && sameItems(last.datas, datas)) return last.refs;
    const refs = availableRefs(ids.map((id, i) => ({ id, data: datas[i] })), edges, nodeId);
    last = { ids, datas, edges, nodeId, refs };
    return refs;
  }, [ids, datas, edges, nodeId]);
}
