import { schemaAtPath, type JsonSchema } from '@shared/json-schema.js';
import type { CompileProblem } from '@shared/problems.js';
import type { CompiledTemplate } from '../../nodes/kit.js';
import type { CheckedNode } from './structure.js';
import { compileTemplate, type Segment } from './templates.js';

export interface TypedNode {
  templates: Record<string, CompiledTemplate>;
  templateTypes: Record<string, JsonSchema>;
  outputSchema: JsonSchema;
}

function formatPath(path: Segment[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/**
 * Compiles every template in topological order, checking each reference: the node exists, is upstream,
 * and has the output at that path. Output schemas are computed along the way, since an end or merge
 * node's output type follows the types of what it references.
 */
export function checkReferences(
  nodes: CheckedNode[],
  order: string[],
  ancestors: Map<string, Set<string>>,
): { typed: Map<string, TypedNode>; problems: CompileProblem[] } {
  const problems: CompileProblem[] = [];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const outputSchemas = new Map<string, JsonSchema>();
  const typed = new Map<string, TypedNode>();

  for (const id of order) {
    const node = byId.get(id);
    if (!node) continue;
    const upstream = ancestors.get(id) ?? new Set<string>();
    const templates: Record<string, CompiledTemplate> = {};
    const templateTypes: Record<string, JsonSchema> = {};

    /** Type of a template's value, checking its references; reports problems only once per source. */
    const reported = new Set<string>();
    // The same template is typed for its field, again by validate() and outputSchema(): parse it once.
    const parses = new Map<string, ReturnType<typeof compileTemplate>>();
    const parse = (source: string, mode: 'text' | 'value') => {
      const key = `${mode}\u0000${source}`;
      let parsed = parses.get(key);
      if (!parsed) parses.set(key, (parsed = compileTemplate(source, mode)));
      return parsed;
    };
    const typeOf = (source: string, field?: string, mode: 'text' | 'value' = 'value'): JsonSchema => {
      const parsed = parse(source, mode);
      const report = (problem: CompileProblem) => {
        const key = `${problem.code}:${problem.field}:${problem.message}`;
        if (reported.has(key)) return;
        reported.add(key);
        problems.push(problem);
      };
      if (!parsed.ok) {
        report({ nodeId: id, field, code: 'template_syntax', message: `${field ?? 'template'}: ${parsed.message}` });
        return {};
      }
      let pureType: JsonSchema = {};
      for (const ref of parsed.references) {
        const [head, ...rest] = ref;
        const refNode = byId.get(String(head));
        if (!refNode) {
          report({ nodeId: id, field, code: 'unknown_reference', message: `{{ ${formatPath(ref)} }}: there is no node "${head}"` });
          continue;
        }
        if (!upstream.has(refNode.id)) {
          report({ nodeId: id, field, code: 'reference_not_upstream', message: `{{ ${formatPath(ref)} }}: node "${head}" does not run before "${id}"` });
          continue;
        }
        const schema = outputSchemas.get(refNode.id) ?? {};
        const at = schemaAtPath(schema, rest);
        if (!at) {
          const known = Object.keys(schema.properties ?? {}).join(', ') || 'none';
          report({ nodeId: id, field, code: 'unknown_reference', message: `{{ ${formatPath(ref)} }}: ${refNode.kind} node "${head}" has no output ${formatPath(rest)} (it has: ${known})` });
          continue;
        }
        if (parsed.pureReference) pureType = at;
      }
      if (parsed.pureReference) return pureType;
      return source.length === 0 ? {} : { type: 'string' };
    };

    for (const field of node.def.templates(node.config)) {
      templateTypes[field.field] = typeOf(field.source, field.field, field.mode);
      const parsed = parse(field.source, field.mode);
      if (parsed.ok) templates[field.field] = parsed.template;
    }
    const plainTypeOf = (source: string) => typeOf(source, undefined, 'value');
    for (const issue of node.def.validate?.(node.config, plainTypeOf) ?? []) {
      problems.push({ nodeId: id, field: issue.field, code: 'invalid_config', message: `${issue.field}: ${issue.message}` });
    }
    const outputSchema = node.def.outputSchema(node.config, plainTypeOf);
    outputSchemas.set(id, outputSchema);
    typed.set(id, { templates, templateTypes, outputSchema });
  }
  return { typed, problems };
}

