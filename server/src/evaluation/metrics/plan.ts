import type { FormFieldPlan, MetricKind, MetricOverrides, MetricPlan, OutputMetricPlan } from '@shared/evaluation-metrics.js';
import { isAnySchema, withoutNull, type JsonSchema } from '@shared/json-schema.js';

/**
 * Chooses the metric that fits each end output from its JSON Schema (the end node's `outputSchema`
 * properties), so a classifier's label is scored with per-class precision/recall, a filled form field by
 * field, an audit sheet item by item and free text by character similarity. Every choice carries a
 * reason the UI can show, and a designer may override it per output name.
 */

/** String outputs whose name reads as a class or level (e.g. `risk_level`, `level1`, `intent`) are labels. */
const LABEL_NAME = /(^|_)(label|labels?|level\d*|class|category|intent|type|kind|status|verdict|grade|sentiment|emotion|skill_group|route|priority|severity)$/i;
/** String outputs whose name reads as an identifier are compared exactly (no per-class report). */
const ID_NAME = /(^|_)(id|no|number|code|phone|mobile|tel|account|order)$/i;
/** Field names that hold phone numbers: compared with the phone normaliser. */
const PHONE_NAME = /phone|mobile|(^|_)tel($|_)|contact|手机|电话|号码/i;

function typeOf(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null');
  return schema.type;
}

function isAuditItem(schema: JsonSchema | undefined): boolean {
  const props = schema?.properties;
  return !!props && 'id' in props && 'result' in props;
}

/** How one field of a form is normalised, from its name, type and pattern. */
export function fieldNormalizer(name: string, schema: JsonSchema = {}): FormFieldPlan {
  const s = withoutNull(schema);
  const type = typeOf(s);
  if (type === 'array') return { name, normalizer: PHONE_NAME.test(name) ? 'phone' : 'text', list: true };
  if (type === 'number' || type === 'integer') return { name, normalizer: 'number' };
  if (PHONE_NAME.test(name) || (typeof s.pattern === 'string' && s.pattern.includes('1[3-9]'))) return { name, normalizer: 'phone' };
  return { name, normalizer: 'text' };
}

/** The kind, reason and details for one output schema, before overrides. */
function choose(name: string, raw: JsonSchema): Omit<OutputMetricPlan, 'output'> {
  const schema = withoutNull(raw);
  const type = typeOf(schema);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    return { kind: 'label', reason: 'enum', normalizer: 'text', labels: schema.enum.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))) };
  }
  if (type === 'boolean') return { kind: 'label', reason: 'boolean', normalizer: 'text', labels: ['true', 'false'] };
  if (type === 'number' || type === 'integer') return { kind: 'numeric', reason: 'number', normalizer: 'number', tolerance: 0 };
  if (type === 'object' || schema.properties) {
    const props = schema.properties ?? {};
    if ('items' in props && isAuditItem(withoutNull(props.items).items)) return { kind: 'audit', reason: 'audit_shape', normalizer: 'text', tolerance: 0 };
    if (Object.keys(props).length === 0) return { kind: 'form', reason: 'open_object', normalizer: 'text', fields: [] };
    return { kind: 'form', reason: 'object_fields', normalizer: 'text', fields: Object.entries(props).map(([field, s]) => fieldNormalizer(field, s)) };
  }
  if (type === 'array') {
    if (isAuditItem(schema.items)) return { kind: 'audit', reason: 'audit_items', normalizer: 'text', tolerance: 0 };
    const itemType = schema.items ? typeOf(withoutNull(schema.items)) : undefined;
    // Lists of anything compare as multisets of their (normalised, canonical JSON) elements.
    return { kind: 'set', reason: itemType === 'string' ? 'string_list' : 'list', normalizer: 'text' };
  }
  if (type === 'string' && schema['x-mofang-type'] === undefined) {
    if (LABEL_NAME.test(name)) return { kind: 'label', reason: 'name_suggests_label', normalizer: 'text' };
    if (ID_NAME.test(name)) return { kind: 'exact', reason: 'name_suggests_id', normalizer: PHONE_NAME.test(name) ? 'phone' : 'text' };
    return { kind: 'text', reason: 'free_text', normalizer: 'text', passAt: 0.8 };
  }
  if (isAnySchema(schema) && LABEL_NAME.test(name)) return { kind: 'label', reason: 'name_suggests_label', normalizer: 'text' };
  return { kind: 'exact', reason: 'untyped', normalizer: 'text' };
}

/** Settings a kind needs when an override switches to it and the schema did not give them. */
function defaultsFor(kind: MetricKind): Partial<OutputMetricPlan> {
  if (kind === 'numeric') return { tolerance: 0, normalizer: 'number' };
  if (kind === 'audit') return { tolerance: 0 };
  if (kind === 'text') return { passAt: 0.8 };
  if (kind === 'form') return { fields: [] };
  return {};
}

/**
 * The metric plan for an end node's outputs.
 *
 * @param endOutputs the end node's output schemas by output name (its `outputSchema().properties`), in output order
 * @param overrides per output name: another kind, normaliser, per-field normalisers, numeric tolerance or
 *   text pass mark; an override naming an output that does not exist is ignored (the plan lists what is)
 * @returns one entry per output: `kind`, a `reason` (`override` when a designer changed the kind), and the
 *   settings the kind uses (`labels`, `fields`, `normalizer`, `tolerance`, `passAt`)
 */
export function planMetrics(endOutputs: Record<string, JsonSchema>, overrides: MetricOverrides = {}): MetricPlan {
  const outputs = Object.entries(endOutputs).map(([output, schema]): OutputMetricPlan => {
    let plan: OutputMetricPlan = { output, ...choose(output, schema) };
    const o = overrides[output];
    if (!o) return plan;
    if (o.kind && o.kind !== plan.kind) {
      const { labels, fields, normalizer } = plan;
      plan = { output, kind: o.kind, reason: 'override', normalizer, ...defaultsFor(o.kind), ...(labels ? { labels } : {}), ...(fields ? { fields } : {}) };
    }
    if (o.normalizer) plan.normalizer = o.normalizer;
    if (o.tolerance !== undefined) plan.tolerance = o.tolerance;
    if (o.pass_at !== undefined) plan.passAt = o.pass_at;
    if (o.fields) {
      const fields = [...(plan.fields ?? [])];
      for (const [name, normalizer] of Object.entries(o.fields)) {
        const at = fields.findIndex((f) => f.name === name);
        if (at >= 0) fields[at] = { ...fields[at], normalizer };
        else fields.push({ name, normalizer });
      }
      plan.fields = fields;
    }
    return plan;
  });
  return { outputs };
}
