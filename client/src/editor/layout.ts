import type { ElkNode } from 'elkjs/lib/elk.bundled.js';
import { nodePorts, type FlowEdge, type FlowNode } from './graph';

/** The size assumed for a node not yet measured on screen (a card is 200–260 wide). */
const DEFAULT_SIZE = { width: 220, height: 90 };

/**
 * Lays the graph out left to right with elk's layered algorithm, keeping each node's measured size.
 * Each output port is an elk port in the card's order (a classifier's classes top to bottom), so the
 * branches leave in the order they are drawn and their wires do not cross each other or run through cards.
 * elk is loaded on first use: it is only needed when someone presses "auto layout".
 * Returns each node's new top-left position in flow coordinates.
 */
export async function autoLayout(nodes: FlowNode[], edges: FlowEdge[]): Promise<Map<string, { x: number; y: number }>> {
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  const elk = new ELK();
  const portId = (node: string, port: string, side: 'in' | 'out') => `${node}\u0000${side}\u0000${port}`;
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '70',
      'elk.spacing.nodeNode': '40',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    },
    children: nodes.map((n) => {
      const ports = nodePorts(n.data.kind, n.data.config);
      return {
        id: n.id,
        width: n.measured?.width ?? DEFAULT_SIZE.width,
        height: n.measured?.height ?? DEFAULT_SIZE.height,
        layoutOptions: { 'elk.portConstraints': 'FIXED_ORDER' },
        ports: [
          ...ports.inputs.map((p) => ({ id: portId(n.id, p.id, 'in'), layoutOptions: { 'elk.port.side': 'WEST' } })),
          ...ports.outputs.map((p) => ({ id: portId(n.id, p.id, 'out'), layoutOptions: { 'elk.port.side': 'EAST' } })),
        ],
      };
    }),
    edges: edges.map((e) => ({ id: e.id, sources: [portId(e.source, e.sourceHandle ?? 'out', 'out')], targets: [portId(e.target, e.targetHandle ?? 'in', 'in')] })),
  };
  // A wire whose port is gone (a broken edge the compiler reports) is laid out from the node itself.
  const known = new Set(graph.children?.flatMap((c) => (c.ports ?? []).map((p) => p.id)));
  for (const e of graph.edges ?? []) {
    if (!known.has(e.sources[0])) e.sources = [e.sources[0].split('\u0000')[0]];
    if (!known.has(e.targets[0])) e.targets = [e.targets[0].split('\u0000')[0]];
  }
  const result = await elk.layout(graph);
  const positions = new Map<string, { x: number; y: number }>();
  for (const child of result.children ?? []) positions.set(child.id, { x: child.x ?? 0, y: child.y ?? 0 });
  return positions;
}
