import { memo, useMemo } from 'react';
import { Handle, Position, ReactFlow, ReactFlowProvider, type Node, type NodeProps } from '@xyflow/react';
import { useTranslation } from 'react-i18next';
import type { Graph } from '@shared/graph';
import type { GraphDiff } from './api';
import { diffFlow, type DiffNodeData } from './diff-flow';

const DiffNode = memo(function DiffNode({ data }: NodeProps<Node<DiffNodeData>>) {
  const { t } = useTranslation();
  return (
    <div data-testid={`diff-node-${data.mark}`}>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div style={{ fontWeight: 600, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', textDecoration: data.mark === 'removed' ? 'line-through' : undefined }}>{data.label}</div>
      <div style={{ color: '#8c8c8c', fontSize: 15 }}>
        {data.kind}
        {data.changes > 0 ? <> · {t('versions.fieldCount', { count: data.changes })}</> : data.mark !== 'same' && <> · {t(`versions.mark.${data.mark}`)}</>}
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});

// Module-level so xyflow does not see a new node-type map on every render.
const nodeTypes = { diff: DiffNode };

/** A read-only canvas of the newer graph with the diff drawn on it; clicking a node reports its id. */
export function DiffCanvas({ older, newer, diff, onNode }: { older: Graph; newer: Graph; diff: GraphDiff; onNode?(id: string): void }) {
  const flow = useMemo(() => {
    const f = diffFlow(older, newer, diff);
    return { nodes: f.nodes.map((n) => ({ ...n, type: 'diff' })), edges: f.edges };
  }, [older, newer, diff]);
  return (
    <ReactFlowProvider>
      <ReactFlow
        nodes={flow.nodes}
        edges={flow.edges}
        nodeTypes={nodeTypes}
        fitView
        fitViewOptions={{ padding: 0.1, maxZoom: 1.2 }}
        minZoom={0.1}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        onNodeClick={(_, n) => onNode?.(n.id)}
        proOptions={{ hideAttribution: true }}
      />
    </ReactFlowProvider>
  );
}
