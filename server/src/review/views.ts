/**
 * What the review page needs to show one result: each end output with the way it is reviewed (form
 * fields with the turns each came from, audit items, a label with the classes to choose from), and the
 * transcript inputs as numbered turns (the ids evidence points at).
 */
import type { Graph } from '@shared/graph.js';
import { isRecord } from '@shared/json.js';
import { ClassifyConfigSchema } from '@shared/nodes/classify.js';
import { OTHER_CLASS } from '@shared/nodes/classify.js';
import { withoutNull, type JsonSchema } from '@shared/json-schema.js';
import type { ReviewOutputView } from '@shared/review.js';
import { parseTranscript } from '@shared/transcript.js';
import { formFieldLabels, NO_LABELS, type GraphLabels } from './labels.js';
import { reviewKind, type EndOutput } from './rules.js';

/** Class names by id across the graph's classifiers (`other` included), for label choices. */
export function classNames(graph: Graph): Map<string, string> {
  const names = new Map<string, string>([[OTHER_CLASS, '其他']]);
  for (const node of Array.isArray(graph.nodes) ? graph.nodes : []) {
    if (node.kind !== 'classify') continue;
    const config = ClassifyConfigSchema.safeParse(node.config);
    if (config.success) for (const c of config.data.classes) names.set(c.id, c.name);
  }
  return names;
}

/** Per field, a list of turn ids: a value that is not such a record gives none. */
function evidenceRecord(value: unknown): Record<string, string[]> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, string[]> = {};
  for (const [field, ids] of Object.entries(value)) if (Array.isArray(ids)) out[field] = ids.filter((id): id is string => typeof id === 'string');
  return Object.keys(out).length > 0 ? out : undefined;
}

/** An object whose values are text, numbers, flags, null or lists of text. */
function isFlatRecord(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value) || Object.keys(value).length === 0) return false;
  return Object.values(value).every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v) || (Array.isArray(v) && v.every((x) => typeof x === 'string')));
}

/** A form's keys: its value's, with those its schema declares (a form not yet filled has no value). */
function formKeys(value: unknown, schema: JsonSchema): string[] {
  const declared = Object.keys(withoutNull(schema).properties ?? {});
  return [...new Set([...(isRecord(value) ? Object.keys(value) : []), ...declared])];
}

/**
 * The views of a result's end outputs, in the end node's order. `reviewed` names the outputs under
 * review (empty: all). A form's evidence is its own (`{ form, evidence }`, an extractor's whole
 * output) or the end output named `evidence`. `labels` (the graph's, {@link graphLabels}) name the outputs
 * and form fields that have a label.
 */
export function outputViews(outputs: EndOutput[], values: Record<string, unknown>, reviewed: string[], classes: Map<string, string>, labels: GraphLabels = NO_LABELS): ReviewOutputView[] {
  const sibling = evidenceRecord(values.evidence);
  return outputs.map((o) => {
    const value = values[o.name] ?? null;
    // An untyped object (a code node's, say) of plain values reads as a form: field by field.
    const declared = reviewKind(o.schema);
    const kind = declared === 'json' && isFlatRecord(value) && o.name !== 'evidence' ? 'form' : declared;
    const view: ReviewOutputView = { name: o.name, type: o.type, kind, description: o.description, reviewed: reviewed.length === 0 || reviewed.includes(o.name), value };
    const label = labels.outputs.get(o.name)?.label;
    if (label) view.label = label;
    if (kind === 'form') {
      const fieldLabels = formFieldLabels(labels, o.name, formKeys(value, o.schema));
      if (Object.keys(fieldLabels).length > 0) view.field_labels = fieldLabels;
      const own = isRecord(value) ? evidenceRecord(value.evidence) : undefined;
      const evidence = own ?? (o.name === 'evidence' ? undefined : sibling);
      if (evidence) view.evidence = evidence;
    }
    if (kind === 'label') {
      const ids = (withoutNull(o.schema).enum ?? []).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
      view.labels = ids.map((id) => ({ id, name: classes.get(id) ?? id }));
    }
    return view;
  });
}

/** The inputs of type transcript (as the start node declares them) as numbered turns, by input name. */
export function transcriptTurns(inputs: Record<string, unknown> | null, types: Array<{ name: string; type: string }>): Record<string, Array<{ id: string; role: string; text: string }>> {
  const out: Record<string, Array<{ id: string; role: string; text: string }>> = {};
  if (!inputs) return out;
  for (const input of types) {
    if (input.type !== 'transcript' || inputs[input.name] === undefined) continue;
    const parsed = parseTranscript(inputs[input.name]);
    if (parsed.ok) out[input.name] = parsed.transcript.turns.map((t) => ({ id: t.id, role: t.role, text: t.text }));
  }
  return out;
}
