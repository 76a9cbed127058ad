import { GRAPH_FORMAT, type Graph } from '@shared/graph.js';
import { nodeDefinitions } from '@shared/nodes/index.js';

/** A new scenario's graph: a start node (default inputs) wired to an end node, laid out left to right. */
export function blankGraph(name: string): Graph {
  return {
    schema: GRAPH_FORMAT,
    name,
    nodes: [
      { id: 'start', kind: 'start', version: nodeDefinitions.start.version, position: { x: 80, y: 200 }, config: { ...nodeDefinitions.start.defaults() } },
      { id: 'end', kind: 'end', version: nodeDefinitions.end.version, position: { x: 520, y: 200 }, config: { ...nodeDefinitions.end.defaults() } },
    ],
    edges: [{ id: 'e_start_end', source: 'start', sourcePort: 'out', target: 'end', targetPort: 'in' }],
  };
}
