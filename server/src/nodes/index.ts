import type { NodeKind } from '@shared/nodes/index.js';
import { auditNode } from './audit.js';
import { classifyNode } from './classify.js';
import { codeNode } from './code.js';
import { conditionNode } from './condition.js';
import { endNode } from './end.js';
import { extractNode } from './extract.js';
import { httpNode } from './http.js';
import type { ServerNode } from './kit.js';
import { llmNode } from './llm.js';
import { mergeNode } from './merge.js';
import { startNode } from './start.js';
import { templateNode } from './template.js';

/** The server side of every node kind; a kind without an executor does not compile. */
export const serverNodes = {
  start: startNode,
  end: endNode,
  llm: llmNode,
  classify: classifyNode,
  extract: extractNode,
  audit: auditNode,
  condition: conditionNode,
  merge: mergeNode,
  template: templateNode,
  code: codeNode,
  http: httpNode,
} satisfies Record<NodeKind, ServerNode<never>>;

const registry: Record<string, ServerNode<unknown>> = serverNodes;

/** The executor of a kind, or undefined for an unknown kind. */
export function getServerNode(kind: string): ServerNode<unknown> | undefined {
  return Object.prototype.hasOwnProperty.call(registry, kind) ? registry[kind] : undefined;
}
