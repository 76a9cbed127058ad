import { useMemo } from 'react';
import { useEditor } from '../editor/store';
import { availableRefs } from '../editor/references';

/** The references one node's templates may use, recomputed when the graph changes. */
export function useRefs(nodeId: string) {
  const nodes = useEditor((s) => s.nodes);
  const edges = useEditor((s) => s.edges);
  return useMemo(() => availableRefs(nodes, edges, nodeId), [nodes, edges, nodeId]);
}
