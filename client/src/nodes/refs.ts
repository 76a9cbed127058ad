import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { JsonSchema } from '@shared/index';
import { useEditor } from '../editor/store';
import { outputSchemas, upstreamRefs } from '../editor/references';

type Refs = ReturnType<typeof upstreamRefs>;

/** Every node's output schema, with the ids and data it came from: the same graph's schemas are worked out once. */
let lastSchemas: { ids: string[]; datas: unknown[]; all: Map<string, JsonSchema> } | undefined;
/** The last references worked out, with what they came from: the fields of one panel share them. */
let last: { all: Map<string, JsonSchema>; edges: unknown; nodeId: string; refs: Refs } | undefined;

function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The references one node's templates may use, recomputed when the graph changes. A panel's fields
 * (an end node's ten outputs, a prompt and its instructions) ask for the same node's references at
 * once: they share one computation instead of one each; selecting another node of the same graph
 * reuses every node's output schema (parsing each config), only the upstream walk is new.
 */
export function useRefs(nodeId: string): Refs {
  // Only ids and data matter: dragging a node (a new position) must not recompute every schema.
  const ids = useEditor(useShallow((s) => s.nodes.map((n) => n.id)));
  const datas = useEditor(useShallow((s) => s.nodes.map((n) => n.data)));
  const edges = useEditor((s) => s.edges);
  return useMemo(() => {
    if (!lastSchemas || !sameItems(lastSchemas.ids, ids) || !sameItems(lastSchemas.datas, datas)) {
      lastSchemas = { ids, datas, all: outputSchemas(ids.map((id, i) => ({ id, data: datas[i] }))) };
    }
    const all = lastSchemas.all;
    if (last && last.nodeId === nodeId && last.edges === edges && last.all === all) return last.refs;
    const refs = upstreamRefs(all, edges, nodeId);
    last = { all, edges, nodeId, refs };
    return refs;
  }, [ids, datas, edges, nodeId]);
}
