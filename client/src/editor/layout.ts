import type { ElkNode } from 'elkjs/lib/elk.bundled.js';
import type { FlowEdge, FlowNode } from './graph';

/**
 * Lays the graph out left to right with elk's layered algorithm, keeping each node's measured size.
 * elk is loaded on first use: it is only needed when someone presses "auto layout".
 */
export async function autoLayout(nodes: FlowNode[], edges: FlowEdge[]): Promise<Map<string, { x: number; y: number }>> {
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  const elk = new ELK();
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '60',
      'elk.spacing.nodeNode': '40',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    },
    children: nodes.map((n) => ({ id: n.id, width: n.measured?.width ?? 220, height: n.measured?.height ?? 90 })),
    edges: edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
  const result = await elk.layout(graph);
  const positions = new Map<string, { x: number; y: number }>();
  for (const child of result.children ?? []) positions.set(child.id, { x: child.x ?? 0, y: child.y ?? 0 });
  return positions;
}
