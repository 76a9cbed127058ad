import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useEditor } from '../editor/store';
import { availableRefs } from '../editor/references';

/** The references one node's templates may use, recomputed when the graph changes. */
export function useRefs(nodeId: string) {
  // Only ids and data matter: dragging a node (a new position) must not recompute every schema.
  const ids = useEditor(useShallow((s) => s.nodes.map((n) => n.id)));
  const datas = useEditor(useShallow((s) => s.nodes.map((n) => n.data)));
  const edges = useEditor((s) => s.edges);
  return useMemo(() => availableRefs(ids.map((id, i) => ({ id, data: datas[i] })), edges, nodeId), [ids, datas, edges, nodeId]);
}
