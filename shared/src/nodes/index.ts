import { start } from './start.js';
import { end } from './end.js';
import { llm } from './llm.js';
import { classify } from './classify.js';
import { extract } from './extract.js';
import { audit } from './audit.js';
import { condition } from './condition.js';
import { merge } from './merge.js';
import { template } from './template.js';
import { code } from './code.js';
import { http } from './http.js';
import type { NodeDefinition, NodeRole } from './kit.js';

/** Every node kind, keyed by kind. The server and client registries are typed against these keys. */
export const nodeDefinitions = { start, end, llm, classify, extract, audit, condition, merge, template, code, http };
export type NodeKind = keyof typeof nodeDefinitions;
export const NODE_KINDS = Object.keys(nodeDefinitions) as NodeKind[];

/** The definition of a kind, or undefined for an unknown one. */
export function getNodeDefinition(kind: string): NodeDefinition<unknown> | undefined {
  return Object.prototype.hasOwnProperty.call(nodeDefinitions, kind)
    ? (nodeDefinitions[kind as NodeKind] as unknown as NodeDefinition<unknown>)
    : undefined;
}

/** The role of a kind (`entry`, `exit`, …), or undefined for an unknown one: code tests roles, never kind names. */
export function nodeRole(kind: string): NodeRole | undefined {
  return getNodeDefinition(kind)?.role;
}

export type { NodeDefinition, NodeRole, PortDef, PortType, TemplateField, ConfigIssue, TypeOfTemplate } from './kit.js';
export * from './start.js';
export * from './end.js';
export * from './llm.js';
export * from './classify.js';
export * from './extract.js';
export * from './audit.js';
export * from './condition.js';
export * from './merge.js';
export * from './template.js';
export * from './code.js';
export * from './http.js';
export * from './fields.js';
