/**
 * When each node of a graph runs, as an exact function of the branch choices.
 *
 * Every branching node (a classifier, a condition) is a variable whose value is the one output port it
 * takes. A node runs when at least one incoming edge is taken, and an edge is taken when its source ran
 * and (for a branching source) took that edge's port:
 *
 *     runs(N) = OR over edges e into N of ( runs(source(e)) AND taken(e) )
 *
 * and, for a node whose input joins with `all`, the same with AND over the edges.
 *
 * Those formulas are kept as a reduced, ordered multi-valued decision diagram (MDD: Bryant's ROBDD,
 * "Graph-Based Algorithms for Boolean Function Manipulation", 1986, with one child per value as in
 * Srinivasan et al., "Algorithms for discrete function manipulation", 1990), variables ordered
 * topologically. Two questions then have exact answers with an example path: may a node be skipped, and
 * may a node run while another one was skipped (a reference to it is then empty).
 */

/** A branch choice: the branching node and the port it takes (for the first choice of an example, every port that leads the same way). */
export interface Choice {
  nodeId: string;
  port: string;
  /** On the first choice only: all the ports of that node for which the example holds. */
  ports?: string[];
}

export interface ConditionNode {
  id: string;
  /** Output port ids; for a branching node, the values its variable can take. */
  ports: string[];
  /** Whether the node takes exactly one of its output ports (a classifier, a condition). */
  branches: boolean;
  /** `all`: the node runs only when every incoming edge is taken (AND instead of OR); absent means `any`. */
  join?: 'any' | 'all';
}

export interface ConditionEdge {
  source: string;
  sourcePort: string;
  target: string;
}

/** Diagram nodes past which the analysis gives up and answers conservatively (every node may be skipped). */
const DEFAULT_BUDGET = 200_000;

const FALSE = 0;
const TRUE = 1;

class BudgetExceeded extends Error {}

/** The run conditions of one graph. Build once per compile; every query is memoised. */
export class RunConditions {
  private readonly vars: Array<{ nodeId: string; ports: string[] }> = [];
  private readonly varOf = new Map<string, number>();
  /** Diagram nodes: variable index (-1 for the two terminals) and one child per value. */
  private readonly level: number[] = [-1, -1];
  private readonly kids: number[][] = [[], []];
  private readonly unique = new Map<string, number>();
  private readonly memo = new Map<string, number>();
  private readonly runs = new Map<string, number>();
  private exceeded = false;

  /** Nodes no edge leads into (the start node): they always run. */
  private readonly roots = new Set<string>();

  /**
   * @param order node ids in topological order (every edge goes forward)
   * @param budget diagram nodes allowed before answering conservatively
   */
  constructor(order: string[], nodes: ConditionNode[], edges: ConditionEdge[], private readonly budget = DEFAULT_BUDGET) {
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const incoming = new Map<string, ConditionEdge[]>();
    const outgoing = new Map<string, string[]>();
    for (const e of edges) {
      incoming.set(e.target, [...(incoming.get(e.target) ?? []), e]);
      outgoing.set(e.source, [...(outgoing.get(e.source) ?? []), e.target]);
    }
    for (const id of order) if (!incoming.has(id)) this.roots.add(id);
    // Variables in depth-first order keep the choices of one path of the graph next to each other, the
    // classic ordering for decision diagrams of circuits: in plain topological (breadth-first) order, n
    // independent branches each followed by another grow a diagram of 2^n nodes.
    const depthFirst = reversePostorder(order, outgoing);
    for (const id of depthFirst) {
      const node = byId.get(id);
      if (node?.branches) {
        this.varOf.set(id, this.vars.length);
        this.vars.push({ nodeId: id, ports: node.ports });
      }
    }
    try {
      for (const id of depthFirst) {
        const into = incoming.get(id) ?? [];
        if (into.length === 0) {
          this.runs.set(id, TRUE);
          continue;
        }
        const all = byId.get(id)?.join === 'all';
        let runs = all ? TRUE : FALSE;
        for (const e of into) {
          const taken = this.and(this.runs.get(e.source) ?? FALSE, this.taken(e));
          runs = all ? this.and(runs, taken) : this.or(runs, taken);
        }
        this.runs.set(id, runs);
      }
    } catch (error) {
      // A diagram past the budget, or one deep enough to exhaust the stack.
      if (!(error instanceof BudgetExceeded) && !(error instanceof RangeError)) throw error;
      this.exceeded = true;
    }
  }

  /** Null when the node runs on every path; else branch choices under which it does not. */
  mayBeSkipped(nodeId: string): Choice[] | null {
    if (this.roots.has(nodeId)) return null;
    return this.guard(() => this.witness(this.not(this.runsOf(nodeId))));
  }

  /**
   * Null when `whenRuns` never runs without `needed` having run (every reference from the one to the
   * other has a value); else branch choices under which it does.
   */
  mayRunWithout(whenRuns: string, needed: string): Choice[] | null {
    return this.mayRunWithoutAll(whenRuns, [[needed]]);
  }

  /**
   * Null when, whenever `whenRuns` runs, at least one of the groups had all its nodes run (an empty group
   * always counts as run); else branch choices under which none did.
   */
  mayRunWithoutAll(whenRuns: string, groups: string[][]): Choice[] | null {
    // A group of nodes that always run (the start node) always has its value, whatever the budget.
    if (groups.some((g) => g.every((id) => this.roots.has(id)))) return null;
    return this.guard(() => {
      let any = FALSE;
      for (const group of groups) {
        let all = TRUE;
        for (const id of group) all = this.and(all, this.runsOf(id));
        any = this.or(any, all);
      }
      return this.witness(this.and(this.runsOf(whenRuns), this.not(any)));
    });
  }

  /** Past the budget (or the stack), every answer is "it may": conservative, never a wrong "always". */
  private guard(query: () => Choice[] | null): Choice[] | null {
    if (this.exceeded) return [];
    try {
      return query();
    } catch (error) {
      if (!(error instanceof BudgetExceeded) && !(error instanceof RangeError)) throw error;
      this.exceeded = true;
      return [];
    }
  }

  private runsOf(nodeId: string): number {
    return this.runs.get(nodeId) ?? FALSE;
  }

  /** The condition that an edge is taken once its source ran. */
  private taken(e: ConditionEdge): number {
    const v = this.varOf.get(e.source);
    if (v === undefined) return TRUE;
    const ports = this.vars[v].ports;
    return this.mk(v, ports.map((p) => (p === e.sourcePort ? TRUE : FALSE)));
  }

  /** A path to TRUE: the choices made along it (null when the diagram is FALSE). */
  private witness(node: number): Choice[] | null {
    if (node === FALSE) return null;
    const choices: Choice[] = [];
    let current = node;
    while (current !== TRUE) {
      const v = this.level[current];
      const children = this.kids[current];
      const index = children.findIndex((c) => c !== FALSE);
      const choice: Choice = { nodeId: this.vars[v].nodeId, port: this.vars[v].ports[index] };
      // "when classify_1 takes billing, complaint or other" says more than one of them.
      if (choices.length === 0) choice.ports = this.vars[v].ports.filter((_, i) => children[i] !== FALSE);
      choices.push(choice);
      current = children[index];
    }
    return choices;
  }

  private mk(v: number, children: number[]): number {
    if (children.every((c) => c === children[0])) return children[0];
    const key = `${v}:${children.join(',')}`;
    const hit = this.unique.get(key);
    if (hit !== undefined) return hit;
    if (this.level.length >= this.budget) throw new BudgetExceeded();
    const id = this.level.length;
    this.level.push(v);
    this.kids.push(children);
    this.unique.set(key, id);
    return id;
  }

  private not(a: number): number {
    if (a === TRUE) return FALSE;
    if (a === FALSE) return TRUE;
    const key = `!${a}`;
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    const result = this.mk(this.level[a], this.kids[a].map((c) => this.not(c)));
    this.memo.set(key, result);
    return result;
  }

  private and(a: number, b: number): number {
    if (a === FALSE || b === FALSE) return FALSE;
    if (a === TRUE) return b;
    if (b === TRUE || a === b) return a;
    return this.apply('&', a, b);
  }

  private or(a: number, b: number): number {
    if (a === TRUE || b === TRUE) return TRUE;
    if (a === FALSE) return b;
    if (b === FALSE || a === b) return a;
    return this.apply('|', a, b);
  }

  private apply(op: '&' | '|', a: number, b: number): number {
    const [x, y] = a < b ? [a, b] : [b, a];
    const key = `${op}${x},${y}`;
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    const lx = this.level[x];
    const ly = this.level[y];
    const v = lx === -1 ? ly : ly === -1 ? lx : Math.min(lx, ly);
    const width = this.vars[v].ports.length;
    const children: number[] = [];
    for (let i = 0; i < width; i++) {
      const cx = this.level[x] === v ? this.kids[x][i] : x;
      const cy = this.level[y] === v ? this.kids[y][i] : y;
      children.push(op === '&' ? this.and(cx, cy) : this.or(cx, cy));
    }
    const result = this.mk(v, children);
    this.memo.set(key, result);
    return result;
  }
}

/**
 * A topological order from depth-first search (reverse postorder), children in edge order; iterative,
 * so a long chain cannot exhaust the stack. Nodes unreached from the roots keep their given order.
 */
function reversePostorder(order: string[], outgoing: Map<string, string[]>): string[] {
  const visited = new Set<string>();
  const post: string[] = [];
  for (const root of order) {
    if (visited.has(root)) continue;
    visited.add(root);
    const stack: Array<{ id: string; next: number }> = [{ id: root, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const children = outgoing.get(top.id) ?? [];
      if (top.next < children.length) {
        const child = children[top.next++];
        if (!visited.has(child)) {
          visited.add(child);
          stack.push({ id: child, next: 0 });
        }
      } else {
        post.push(top.id);
        stack.pop();
      }
    }
  }
  return post.reverse();
}
