import type { GraphEdge } from '@shared/graph.js';
import type { CompileProblem } from '@shared/problems.js';
import type { CheckedNode } from './structure.js';

export interface Topology {
  /** Node ids in an order where every edge goes forward (only when there is no cycle). */
  order: string[];
  /** For each node, every node upstream of it. */
  ancestors: Map<string, Set<string>>;
  startId?: string;
  endId?: string;
  problems: CompileProblem[];
}

/** Finds start and end, cycles, nodes unreachable from start, dead ends, unconnected branches, and each node's ancestors. */
export function checkTopology(nodes: CheckedNode[], edges: GraphEdge[]): Topology {
  const problems: CompileProblem[] = [];
  const starts = nodes.filter((n) => n.def.role === 'entry');
  const ends = nodes.filter((n) => n.def.role === 'exit');
  if (starts.length === 0) problems.push({ code: 'missing_start', message: 'the scenario needs a start node' });
  if (starts.length > 1) for (const n of starts.slice(1)) problems.push({ nodeId: n.id, code: 'multiple_start', message: `only one start node is allowed ("${starts[0].id}" is the first)` });
  if (ends.length === 0) problems.push({ code: 'missing_end', message: 'the scenario needs an end node' });
  if (ends.length > 1) for (const n of ends.slice(1)) problems.push({ nodeId: n.id, code: 'multiple_end', message: `only one end node is allowed ("${ends[0].id}" is the first)` });

  const out = new Map<string, string[]>();
  const inDegree = new Map<string, number>();
  for (const n of nodes) {
    out.set(n.id, []);
    inDegree.set(n.id, 0);
  }
  for (const e of edges) {
    out.get(e.source)?.push(e.target);
    inDegree.set(e.target, (inDegree.get(e.target) ?? 0) + 1);
  }

  // Kahn's algorithm: what is left over lies on or behind a cycle.
  const order: string[] = [];
  const queue = nodes.filter((n) => inDegree.get(n.id) === 0).map((n) => n.id);
  const remaining = new Map(inDegree);
  while (queue.length > 0) {
    const id = queue.shift() ?? '';
    order.push(id);
    for (const next of out.get(id) ?? []) {
      const left = (remaining.get(next) ?? 0) - 1;
      remaining.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  const ancestors = new Map<string, Set<string>>();
  if (order.length < nodes.length) {
    const done = new Set(order);
    const cyclic = cycleMembers(nodes.filter((n) => !done.has(n.id)).map((n) => n.id), out);
    for (const id of cyclic) problems.push({ nodeId: id, code: 'cycle', message: `node "${id}" is part of a cycle; scenarios must flow one way` });
    for (const e of edges) if (cyclic.has(e.source) && cyclic.has(e.target)) problems.push({ edgeId: e.id, code: 'cycle', message: `edge ${e.id} closes a cycle` });
  } else {
    const incoming = new Map<string, string[]>();
    for (const e of edges) incoming.set(e.target, [...(incoming.get(e.target) ?? []), e.source]);
    for (const id of order) {
      const set = new Set<string>();
      for (const parent of incoming.get(id) ?? []) {
        set.add(parent);
        for (const a of ancestors.get(parent) ?? []) set.add(a);
      }
      ancestors.set(id, set);
    }
  }

  const startId = starts[0]?.id;
  const endId = ends[0]?.id;
  if (startId) {
    const reached = new Set<string>([startId]);
    const stack = [startId];
    while (stack.length > 0) {
      for (const next of out.get(stack.pop() ?? '') ?? []) {
        if (reached.has(next)) continue;
        reached.add(next);
        stack.push(next);
      }
    }
    for (const n of nodes) if (!reached.has(n.id)) problems.push({ nodeId: n.id, code: 'unreachable_node', message: `node "${n.id}" cannot be reached from the start node` });
  }
  const wired = new Set(edges.map((e) => `${e.source}\u0000${e.sourcePort}`));
  for (const n of nodes) {
    if (n.def.role !== 'exit' && (out.get(n.id) ?? []).length === 0) {
      problems.push({ nodeId: n.id, code: 'dead_end', message: `node "${n.id}" has no outgoing connection, so its result is never used` });
      continue;
    }
    // A branch that leads nowhere stops the run before the end node whenever it is taken.
    if (n.def.role !== 'branch') continue;
    for (const port of n.outputs) {
      if (wired.has(`${n.id}\u0000${port.id}`)) continue;
      problems.push({
        nodeId: n.id,
        code: 'branch_not_connected',
        message: `${n.kind} node "${n.id}": its branch "${port.id}" (${port.label}) is not connected, so a run that takes it stops before the end node; connect it to the end node or to a node that leads there`,
        params: { port: port.id, label: port.label },
      });
    }
  }
  return { order, ancestors, startId, endId, problems };
}

/** The nodes that lie on a cycle (each can reach itself), among the candidates Kahn could not order. */
function cycleMembers(candidates: string[], out: Map<string, string[]>): Set<string> {
  const set = new Set(candidates);
  const members = new Set<string>();
  for (const id of candidates) {
    const seen = new Set<string>();
    const stack = [...(out.get(id) ?? [])];
    while (stack.length > 0) {
      const next = stack.pop() ?? '';
      if (next === id) {
        members.add(id);
        break;
      }
      if (!set.has(next) || seen.has(next)) continue;
      seen.add(next);
      stack.push(...(out.get(next) ?? []));
    }
  }
  return members;
}
