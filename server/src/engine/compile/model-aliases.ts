import type { CompileProblem } from '@shared/problems.js';
import type { CheckedNode } from './structure.js';

/**
 * Problems for nodes naming a model alias that no endpoint serves (`unknown_model_alias`, params
 * `{ alias }`, on the node and its field). `known` is the list the server's endpoints give; without one
 * (the CLI's `mofang compile`, which knows no endpoints) nothing is flagged.
 */
export function modelAliasProblems(nodes: readonly CheckedNode[], known: readonly string[] | undefined): CompileProblem[] {
  if (!known) return [];
  const served = new Set(known);
  const problems: CompileProblem[] = [];
  for (const node of nodes) {
    for (const { field, alias } of node.def.modelAliases?.(node.config) ?? []) {
      if (served.has(alias)) continue;
      problems.push({ nodeId: node.id, field, code: 'unknown_model_alias', message: `no model endpoint serves the alias "${alias}"`, params: { alias } });
    }
  }
  return problems;
}
