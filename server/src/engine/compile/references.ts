import { nullable, resolvePath, type JsonSchema } from '@shared/json-schema.js';
import type { CompileProblem } from '@shared/problems.js';
import type { CompiledTemplate } from '../../nodes/kit.js';
import type { Choice, RunConditions } from './run-conditions.js';
import type { CheckedNode } from './structure.js';
import type { Ancestry } from './topology.js';
import { DEFAULT_TEMPLATE_LIMITS, type TemplateLimits } from './liquid.js';
import { compileTemplate, type Segment } from './templates.js';

export interface TypedNode {
  templates: Record<string, CompiledTemplate>;
  templateTypes: Record<string, JsonSchema>;
  outputSchema: JsonSchema;
}

function formatPath(path: Segment[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** A node as a designer knows it: its name with its id, or the id alone. */
export function nodeLabel(id: string, byId: Map<string, CheckedNode>): string {
  const name = byId.get(id)?.name?.trim();
  return name && name !== id ? `${name} (${id})` : id;
}

/**
 * The branch choices of an example path, language-neutral for the UI: `来电意图 (classify_1) → 话费查询 /
 * 投诉`, joined by ` + `; ports are shown by their labels (the class names). `…` when the analysis gave
 * no example (a graph past its budget).
 */
export function describeChoices(choices: Choice[], byId: Map<string, CheckedNode>): string {
  if (choices.length === 0) return '…';
  return choices
    .map((c) => {
      const ports = byId.get(c.nodeId)?.outputs ?? [];
      const label = (id: string) => ports.find((p) => p.id === id)?.label ?? id;
      return `${nodeLabel(c.nodeId, byId)} → ${(c.ports ?? [c.port]).map(label).join(' / ')}`;
    })
    .join(' + ');
}

/** What one template field yields once checked: its type, the nodes it reads, whether it always has a value. */
interface FieldReading {
  type: JsonSchema;
  reads: string[];
  /** A lone reference to a node that may not have run before this one, with an example path. */
  skipped?: { nodeId: string; when: Choice[] };
  /** False when the value may be absent even once its nodes ran (an optional property, a list element). */
  present: boolean;
}

/**
 * Compiles every template in topological order, checking each reference: the node exists, is upstream,
 * and has the output at that path. A reference to a node that may have been skipped on a path where
 * this one runs is typed nullable (it reads as null), and is an error where a value is required.
 * Output schemas are computed along the way, since an end or merge node's output type follows the
 * types of what it references. A generator that yields after each node, so a caller may let the event
 * loop run between them ({@link compileGraphAsync}).
 */
export function* checkReferences(
  nodes: CheckedNode[],
  order: string[],
  ancestors: Ancestry,
  conditions: RunConditions,
  limits: TemplateLimits = DEFAULT_TEMPLATE_LIMITS,
): Generator<void, { typed: Map<string, TypedNode>; problems: CompileProblem[] }> {
  const problems: CompileProblem[] = [];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const outputSchemas = new Map<string, JsonSchema>();
  const typed = new Map<string, TypedNode>();

  for (const id of order) {
    const node = byId.get(id);
    if (!node) continue;
    const upstream = { has: (other: string) => ancestors.has(id, other) };
    // A join reads whichever of its references ran and passes over the others: a skip is not a null there.
    const joins = node.def.role === 'join';
    const templates: Record<string, CompiledTemplate> = {};
    const templateTypes: Record<string, JsonSchema> = {};

    // One report per problem, whether it was found typing a field or again from validate()/outputSchema().
    const reported = new Set<string>();
    const report = (problem: CompileProblem) => {
      // Fields are typed first; a later read of the same source without a field adds nothing new.
      const any = `${problem.code}:${problem.message}`;
      const key = problem.field === undefined ? any : `${any}:${problem.field}`;
      if (reported.has(key) || (problem.field === undefined && reported.has(any))) return;
      reported.add(key);
      reported.add(any);
      problems.push(problem);
    };
    // The same template is typed for its field, again by validate() and outputSchema(): parse it once.
    const parses = new Map<string, ReturnType<typeof compileTemplate>>();
    const refused = new Set<string>();
    const parse = (source: string, mode: 'text' | 'value') => {
      const key = `${mode}\u0000${source}`;
      let parsed = parses.get(key);
      if (!parsed) parses.set(key, (parsed = compileTemplate(source, mode, limits)));
      return parsed;
    };
    const read = (source: string, field?: string, mode: 'text' | 'value' = 'value'): FieldReading => {
      const parsed = parse(source, mode);
      if (!parsed.ok && parsed.code === 'template_file_access') {
        // Reported once, for the field: validate() and outputSchema() read the same source again.
        if (field === undefined && refused.has(source)) return { type: {}, reads: [], present: true };
        refused.add(source);
        const node = nodeLabel(id, byId);
        const where = field ?? 'template';
        report({
          nodeId: id,
          field,
          code: 'template_file_access',
          message: `node ${node}, field "${where}": {% ${parsed.tag} %} is not allowed, templates cannot read files; write the text into the template itself`,
          params: { node, field: where, tag: parsed.tag },
        });
        return { type: {}, reads: [], present: true };
      }
      if (!parsed.ok) {
        report({ nodeId: id, field, code: 'template_syntax', message: `${field ?? 'template'}: ${parsed.message}`, params: { message: parsed.message } });
        return { type: {}, reads: [], present: true };
      }
      const reading: FieldReading = { type: {}, reads: parsed.template.reads, present: true };
      for (const ref of parsed.references) {
        const [head, ...rest] = ref;
        const refNode = byId.get(String(head));
        if (!refNode) {
          report({ nodeId: id, field, code: 'unknown_reference', message: `{{ ${formatPath(ref)} }}: there is no node "${head}"`, params: { ref: formatPath(ref), node: String(head) } });
          continue;
        }
        if (!upstream.has(refNode.id)) {
          report({ nodeId: id, field, code: 'reference_not_upstream', message: `{{ ${formatPath(ref)} }}: node "${head}" does not run before "${id}"`, params: { ref: formatPath(ref), node: String(head), self: id } });
          continue;
        }
        const schema = outputSchemas.get(refNode.id) ?? {};
        const at = resolvePath(schema, rest);
        if (!at) {
          const known = Object.keys(schema.properties ?? {}).join(', ') || 'none';
          report({ nodeId: id, field, code: 'unknown_reference', message: `{{ ${formatPath(ref)} }}: ${refNode.kind} node "${head}" has no output ${formatPath(rest)} (it has: ${known})`, params: { hint: 'output', ref: formatPath(ref), node: String(head), output: formatPath(rest), known } });
          continue;
        }
        if (!parsed.pureReference) continue;
        reading.present = !at.optional;
        reading.type = at.optional ? nullable(at.schema) : at.schema;
        const when = joins ? null : conditions.mayRunWithout(id, refNode.id);
        if (when) {
          reading.skipped = { nodeId: refNode.id, when };
          reading.type = nullable(reading.type);
        }
      }
      if (!parsed.pureReference) reading.type = source.length === 0 ? {} : { type: 'string' };
      return reading;
    };

    const fields = node.def.templates(node.config);
    const readings: FieldReading[] = [];
    for (const field of fields) {
      const reading = read(field.source, field.field, field.mode);
      readings.push(reading);
      templateTypes[field.field] = reading.type;
      const parsed = parse(field.source, field.mode);
      if (parsed.ok) templates[field.field] = parsed.bind(field.field);
      if (field.required !== undefined && reading.skipped) {
        const { nodeId: skippedId, when } = reading.skipped;
        const path = describeChoices(when, byId);
        const node = nodeLabel(skippedId, byId);
        // A merge that does not run on that branch is fixed by wiring the branch to it, not by another merge.
        const join = byId.get(skippedId)?.def.role === 'join';
        report({
          nodeId: id,
          field: field.field,
          code: 'may_be_skipped',
          message: join
            ? `"${field.required}" is required but merge node ${node} does not run when ${path}, so it would have no value; connect that branch to ${node}, or make "${field.required}" optional (it is then null on that path)`
            : `"${field.required}" is required but node ${node} does not run when ${path}, so it would have no value; make "${field.required}" optional (it is then null on that path), or take the value through a merge node with a default`,
          params: { name: field.required, node, when: path, ...(join ? { hint: 'connect' } : {}) },
        });
      }
    }
    if (joins && fields.length > 0) {
      // A join fails when none of its values came from a node that ran: each value needs all it reads.
      const groups = readings.filter((r) => r.present).map((r) => r.reads);
      const when = conditions.mayRunWithoutAll(id, groups);
      if (when) {
        const path = describeChoices(when, byId);
        report({
          nodeId: id,
          field: 'values',
          code: 'merge_may_be_empty',
          message: `none of the merged values has a node that ran when ${path}; add a value from that branch, or a plain text default as the last value`,
          params: { when: path },
        });
      }
    }
    const plainTypeOf = (source: string) => read(source).type;
    for (const issue of node.def.validate?.(node.config, plainTypeOf) ?? []) {
      problems.push({ nodeId: id, field: issue.field, code: 'invalid_config', message: `${issue.field}: ${issue.message}`, params: { ...issue.params, hint: issue.code } });
    }
    const outputSchema = node.def.outputSchema(node.config, plainTypeOf);
    outputSchemas.set(id, outputSchema);
    typed.set(id, { templates, templateTypes, outputSchema });
    yield;
  }
  return { typed, problems };
}
