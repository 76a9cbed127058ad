import { nodePorts, type FlowEdge, type FlowNode } from './graph';
import { nodeRole } from '@shared/index';

export interface ConnectionAttempt {
  source: string;
  sourceHandle?: string | null;
  target: string;
  targetHandle?: string | null;
}

/** Why a connection is refused: an i18n key under `connect.` and its parameters. */
export interface Refusal {
  reason: 'selfLoop' | 'duplicate' | 'cycle' | 'startInput' | 'endOutput' | 'unknownPort';
  params?: Record<string, string>;
}

/** Whether `from` can reach `to` following edges downstream. */
export function reaches(edges: FlowEdge[], from: string, to: string): boolean {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.source, [...(next.get(e.source) ?? []), e.target]);
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop();
    if (id === undefined || seen.has(id)) continue;
    if (id === to) return true;
    seen.add(id);
    stack.push(...(next.get(id) ?? []));
  }
  return false;
}

/**
 * Checks a connection the way the compiler will: ports exist, no self-loop, no
 * duplicate, no cycle, nothing into start or out of end. An input may take several edges (a join). Null when allowed.
 */
export function checkConnection(nodes: FlowNode[], edges: FlowEdge[], c: ConnectionAttempt): Refusal | null {
  if (c.source === c.target) return { reason: 'selfLoop' };
  const source = nodes.find((n) => n.id === c.source);
  const target = nodes.find((n) => n.id === c.target);
  if (!source || !target) return { reason: 'unknownPort' };
  if (nodeRole(target.data.kind) === 'entry') return { reason: 'startInput' };
  if (nodeRole(source.data.kind) === 'exit') return { reason: 'endOutput' };
  const out = nodePorts(source.data.kind, source.data.config).outputs.find((p) => p.id === (c.sourceHandle ?? 'out'));
  const inp = nodePorts(target.data.kind, target.data.config).inputs.find((p) => p.id === (c.targetHandle ?? 'in'));
  if (!out || !inp) return { reason: 'unknownPort' };
  const sameEnds = (e: FlowEdge) => e.target === c.target && (e.targetHandle ?? 'in') === inp.id;
  if (edges.some((e) => sameEnds(e) && e.source === c.source && (e.sourceHandle ?? 'out') === out.id)) return { reason: 'duplicate' };
  if (reaches(edges, c.target, c.source)) return { reason: 'cycle' };
  return null;
}
