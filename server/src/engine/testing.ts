import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Graph } from '@shared/graph.js';
import { getNodeDefinition } from '@shared/nodes/index.js';
import type { EngineServices } from '../nodes/kit.js';

function portsOf(kind: string, config: Record<string, unknown>): string[] {
  const def = getNodeDefinition(kind);
  const parsed = def?.configSchema.safeParse(config);
  return def && parsed?.success ? def.outputs(parsed.data).map((p) => p.id) : ['out'];
}

/** Services for engine tests that use neither outbound HTTP nor the sandbox: using them is a test bug. */
export const noServices: EngineServices = {
  http: { request: () => Promise.reject(new Error('this test does not expect outbound HTTP')) },
  sandbox: { run: () => Promise.reject(new Error('this test does not expect the code sandbox')) },
};

/** Reads a built-in template's graph. */
export function loadTemplateGraph(name: string): Graph {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../../../templates/${name}/graph.json`, import.meta.url)), 'utf8'));
}

/**
 * A minimal valid graph: start → the given middle nodes in a line → end, with edges between them; every
 * output port of a node (each class of a classifier, both sides of a condition) leads to the next one.
 */
export function lineGraph(middle: Array<{ id: string; kind: string; config: Record<string, unknown> }>, endOutputs: Array<{ name: string; value: string; type?: string }>): Graph {
  const nodes = [
    { id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [{ name: 'transcript', type: 'transcript' }] } },
    ...middle.map((n, i) => ({ ...n, version: 1, position: { x: (i + 1) * 200, y: 0 } })),
    { id: 'end', kind: 'end', version: 1, position: { x: (middle.length + 1) * 200, y: 0 }, config: { outputs: endOutputs } },
  ];
  const edges = nodes.slice(1).flatMap((n, i) =>
    portsOf(nodes[i].kind, nodes[i].config).map((port, j) => ({ id: `e${i + 1}${j === 0 ? '' : `_${port}`}`, source: nodes[i].id, sourcePort: port, target: n.id, targetPort: 'in' })),
  );
  return { schema: 'mofang.graph/v1', name: 'test', nodes, edges };
}
