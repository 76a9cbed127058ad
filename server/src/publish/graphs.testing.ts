/**
 * Small graphs for publishing tests: a transcript → llm → end scenario whose prompt can be varied so
 * that each variant has a different plan hash.
 */
import { GRAPH_FORMAT, type Graph } from '@shared/graph.js';

/** start (transcript, required; channel, optional) → llm → end (`reply`), with a prompt you choose. */
export function replyGraph(name = 'Reply', system = '你是电信客服助手。'): Graph {
  return {
    schema: GRAPH_FORMAT,
    name,
    inputs: { transcript: '坐席：您好，请问有什么可以帮您？\n客户：我家宽带断了。', channel: 'hotline' },
    nodes: [
      {
        id: 'start',
        kind: 'start',
        version: 1,
        position: { x: 0, y: 0 },
        config: { inputs: [{ name: 'transcript', type: 'transcript', required: true }, { name: 'channel', type: 'string', required: false }] },
      },
      { id: 'llm_1', kind: 'llm', version: 1, position: { x: 300, y: 0 }, config: { system, user: '{{ start.transcript.text }}' } },
      { id: 'end', kind: 'end', version: 1, position: { x: 600, y: 0 }, config: { outputs: [{ name: 'reply', value: '{{ llm_1.text }}' }] } },
    ],
    edges: [
      { id: 'e1', source: 'start', sourcePort: 'out', target: 'llm_1', targetPort: 'in' },
      { id: 'e2', source: 'llm_1', sourcePort: 'out', target: 'end', targetPort: 'in' },
    ],
  };
}

/** A graph that parses but does not compile (an edge to a missing node, no end). */
export function brokenReplyGraph(): Graph {
  return {
    schema: GRAPH_FORMAT,
    name: 'broken',
    nodes: [{ id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [] } }],
    edges: [{ id: 'e1', source: 'start', sourcePort: 'out', target: 'ghost', targetPort: 'in' }],
  };
}
