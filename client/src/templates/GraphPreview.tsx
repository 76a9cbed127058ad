import { memo, useEffect, useMemo } from 'react';
import { ReactFlow, useNodesInitialized, useReactFlow, useStore, type Edge, type Node } from '@xyflow/react';
import type { GraphPreview as Preview } from '@shared/template-api';

/** Node colours by kind, so a thumbnail reads at a glance (unknown kinds are grey). */
const KIND_COLORS: Record<string, string> = {
  start: '#52c41a',
  end: '#8c8c8c',
  llm: '#722ed1',
  classify: '#fa8c16',
  extract: '#13c2c2',
  audit: '#eb2f96',
  condition: '#faad14',
  merge: '#2f54eb',
  template: '#1677ff',
  code: '#595959',
  http: '#a0d911',
};

/** Turns a preview payload into xyflow nodes and edges (pure, so it is computed once per preview). */
export function toFlow(preview: Preview): { nodes: Node[]; edges: Edge[] } {
  return {
    nodes: preview.nodes.map((n) => ({
      id: n.id,
      position: { x: n.x, y: n.y },
      data: { label: n.name ?? n.id },
      draggable: false,
      connectable: false,
      selectable: false,
      style: { fontSize: 11, padding: 4, width: 140, borderColor: KIND_COLORS[n.kind] ?? '#bfbfbf', borderLeftWidth: 4 },
    })),
    edges: preview.edges.map((e) => ({ id: e.id, source: e.source, target: e.target })),
  };
}

/**
 * Fits the view again whenever the box changes size: a card's width settles after the first layout
 * (fonts, scrollbars), and `fitView` alone fits only once, against the first size.
 */
function FitOnResize() {
  const { fitView } = useReactFlow();
  const width = useStore((s) => s.width);
  const height = useStore((s) => s.height);
  const ready = useNodesInitialized();
  useEffect(() => {
    if (ready && width > 0 && height > 0) void fitView({ padding: 0.1 });
  }, [ready, width, height, fitView]);
  return null;
}

/** A read-only thumbnail of a template's graph: no dragging, connecting, selecting or zooming. */
export const GraphPreview = memo(function GraphPreview({ preview, height = 160, testId }: { preview: Preview; height?: number; testId?: string }) {
  const { nodes, edges } = useMemo(() => toFlow(preview), [preview]);
  return (
    <div style={{ height, background: '#fafafa', borderRadius: 6 }} data-testid={testId}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        fitView
        fitViewOptions={{ padding: 0.1 }}
        minZoom={0.05}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        panOnDrag={false}
        zoomOnScroll={false}
        zoomOnPinch={false}
        zoomOnDoubleClick={false}
        preventScrolling={false}
        proOptions={{ hideAttribution: true }}
      >
        <FitOnResize />
      </ReactFlow>
    </div>
  );
});
