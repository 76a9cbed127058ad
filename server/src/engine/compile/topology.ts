import type { GraphEdge } from '@shared/graph.js';
import type { CompileProblem } from '@shared/problems.js';
import type { CheckedNode } from './structure.js';

export interface Topology {
  /** Node ids in an order where every edge goes forward (only when there is no cycle). */
  order: string[];
  /** Which nodes are upstream of which (empty when there is a cycle). */
  ancestors: Ancestry;
  startId?: string;
  endId?: string;
  problems: CompileProblem[];
}

/** Finds start and end, cycles, nodes unreachable from start, dead ends, unconnected branches, and each node's ancestors. */
export function checkTopology(nodes: CheckedNode[], edges: GraphEdge[]): Topology {
  const problems: CompileProblem[] = [];
  const starts = nodes.filter((n) => n.def.role === 'entry');
  const ends = nodes.filter((n) => n.def.role === 'exit');
  if (starts.length === 0) problems.push({ code: 'missing_start', message: 'the scenario needs a start node', params: {} });
  if (starts.length > 1) for (const n of starts.slice(1)) problems.push({ nodeId: n.id, code: 'multiple_start', message: `only one start node is allowed ("${starts[0].id}" is the first)`, params: { first: starts[0].id } });
  if (ends.length === 0) problems.push({ code: 'missing_end', message: 'the scenario needs an end node', params: {} });
  if (ends.length > 1) for (const n of ends.slice(1)) problems.push({ nodeId: n.id, code: 'multiple_end', message: `only one end node is allowed ("${ends[0].id}" is the first)`, params: { first: ends[0].id } });

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
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head];
    order.push(id);
    for (const next of out.get(id) ?? []) {
      const left = (remaining.get(next) ?? 0) - 1;
      remaining.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  let ancestors: Ancestry = NO_ANCESTRY;
  if (order.length < nodes.length) {
    const done = new Set(order);
    const cyclic = cycleMembers(nodes.filter((n) => !done.has(n.id)).map((n) => n.id), out);
    for (const id of cyclic) problems.push({ nodeId: id, code: 'cycle', message: `node "${id}" is part of a cycle; scenarios must flow one way`, params: { node: id } });
    for (const e of edges) if (cyclic.has(e.source) && cyclic.has(e.target)) problems.push({ edgeId: e.id, code: 'cycle', message: `edge ${e.id} closes a cycle`, params: { hint: 'edge', source: e.source, target: e.target } });
  } else {
    ancestors = new BitAncestry(order, edges);
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
    for (const n of nodes) if (!reached.has(n.id)) problems.push({ nodeId: n.id, code: 'unreachable_node', message: `node "${n.id}" cannot be reached from the start node`, params: { node: n.id } });
  }
  const wired = new Set(edges.map((e) => `${e.source}\u0000${e.sourcePort}`));
  for (const n of nodes) {
    if (n.def.role !== 'exit' && (out.get(n.id) ?? []).length === 0) {
      problems.push({ nodeId: n.id, code: 'dead_end', message: `node "${n.id}" has no outgoing connection, so its result is never used`, params: { node: n.id } });
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

/** Which nodes are upstream of which. */
export interface Ancestry {
  /** Whether `ancestor` runs before `id` on some path (is upstream of it). */
  has(id: string, ancestor: string): boolean;
}

const NO_ANCESTRY: Ancestry = { has: () => false };

/**
 * Ancestors as one bit set per node (n² bits: 2 000 nodes take 500 KB), built in topological order by
 * OR-ing each node's parents' sets: linear in edges × n/32 words, where sets of ids were quadratic in
 * time and garbage.
 */
class BitAncestry implements Ancestry {
  private readonly index = new Map<string, number>();
  private readonly words: number;
  private readonly bits: Uint32Array;

  constructor(order: string[], edges: GraphEdge[]) {
    order.forEach((id, i) => this.index.set(id, i));
    this.words = Math.ceil(order.length / 32);
    this.bits = new Uint32Array(this.words * order.length);
    const parents: number[][] = order.map(() => []);
    for (const e of edges) {
      const s = this.index.get(e.source);
      const t = this.index.get(e.target);
      if (s !== undefined && t !== undefined) parents[t].push(s);
    }
    const w = this.words;
    for (let i = 0; i < order.length; i++) {
      const row = i * w;
      for (const p of parents[i]) {
        const from = p * w;
        for (let k = 0; k < w; k++) this.bits[row + k] |= this.bits[from + k];
        this.bits[row + (p >>> 5)] |= 1 << (p & 31);
      }
    }
  }

  has(id: string, ancestor: string): boolean {
    const i = this.index.get(id);
    const a = this.index.get(ancestor);
    if (i === undefined || a === undefined) return false;
    return (this.bits[i * this.words + (a >>> 5)] & (1 << (a & 31))) !== 0;
  }
}

/**
 * The nodes that lie on a cycle, among the candidates Kahn could not order: the members of strongly
 * connected components with more than one node or a self-loop (Tarjan's algorithm, iterative).
 */
function cycleMembers(candidates: string[], out: Map<string, string[]>): Set<string> {
  const set = new Set(candidates);
  const members = new Set<string>();
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  let counter = 0;
  for (const root of candidates) {
    if (index.has(root)) continue;
    const successors = (id: string) => (out.get(id) ?? []).filter((n) => set.has(n));
    const work: Array<{ id: string; next: number; succ: string[] }> = [{ id: root, next: 0, succ: successors(root) }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const succ = frame.succ;
      if (frame.next < succ.length) {
        const next = succ[frame.next++];
        if (!index.has(next)) {
          index.set(next, counter);
          low.set(next, counter++);
          stack.push(next);
          onStack.add(next);
          work.push({ id: next, next: 0, succ: successors(next) });
        } else if (onStack.has(next)) {
          low.set(frame.id, Math.min(low.get(frame.id) ?? 0, index.get(next) ?? 0));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id) ?? 0, low.get(frame.id) ?? 0));
      if (low.get(frame.id) !== index.get(frame.id)) continue;
      const component: string[] = [];
      for (;;) {
        const member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
        if (member === frame.id) break;
      }
      const selfLoop = (out.get(frame.id) ?? []).includes(frame.id);
      if (component.length > 1 || selfLoop) for (const member of component) members.add(member);
    }
  }
  return members;
}
