/**
 * The human names of a scenario's outputs and of its form fields, read from the graph: an extract or
 * LLM node's fields may carry a label (`phone` → 联系电话). The review page and the live call desk show
 * these instead of the keys, and the key where no label is declared.
 */
import type { Graph } from '@shared/graph.js';
import { FieldSchema, type Field } from '@shared/nodes/fields.js';
import { EndConfigSchema, getNodeDefinition } from '@shared/nodes/index.js';
import { pureReferenceOf } from '../engine/index.js';

/** Where the labels of one end output come from. */
export interface OutputLabels {
  /** The output's own label: it is one labelled field of a node (`{{ summarize.json.summary }}`). */
  label?: string;
  /** The labels of the fields of the form it is (`{{ form.form }}`), by field key. */
  fields?: Map<string, string>;
}

/** The labels of a graph: per end output, and every field label in the graph by key (first one wins). */
export interface GraphLabels {
  outputs: Map<string, OutputLabels>;
  all: Map<string, string>;
}

export const NO_LABELS: GraphLabels = { outputs: new Map(), all: new Map() };

/** A node's declared fields (an extract's form, an LLM's JSON reply), those that parse. */
function nodeFields(config: Record<string, unknown>): Field[] {
  if (!Array.isArray(config.fields)) return [];
  return config.fields.flatMap((f) => {
    const parsed = FieldSchema.safeParse(f);
    return parsed.success ? [parsed.data] : [];
  });
}

/** `{{ node.a.b }}` alone as the node id and the path (as the engine reads it); null for anything else. */
function loneReference(template: string): { node: string; path: string[] } | null {
  const segments = pureReferenceOf(template);
  if (!segments || segments.length === 0) return null;
  const [node, ...path] = segments.map(String);
  return { node: node as string, path };
}

/** The form containers a node with fields exposes: the node itself, an extract's `form`, an LLM's `json`. */
const FORM_PATHS = new Set(['form', 'json']);

/**
 * The labels of `graph`. An end output that is a lone reference to a labelled node's form takes its
 * fields' labels; one that is a single labelled field takes that label. Any other form (a code node's
 * work order built from the extracted form, say) looks its keys up in `all`.
 */
export function graphLabels(graph: Graph): GraphLabels {
  let labels = cache.get(graph);
  if (!labels) cache.set(graph, (labels = readLabels(graph)));
  return labels;
}

/** Read once per graph object: a published version's graph is the same object for every view of its sessions. */
const cache = new WeakMap<Graph, GraphLabels>();

function readLabels(graph: Graph): GraphLabels {
  const nodes = Array.isArray(graph.nodes) ? graph.nodes : [];
  const byNode = new Map<string, Map<string, string>>();
  const all = new Map<string, string>();
  for (const node of nodes) {
    const labels = new Map<string, string>();
    for (const field of nodeFields(node.config)) {
      const label = field.label?.trim();
      if (!label) continue;
      labels.set(field.name, label);
      if (!all.has(field.name)) all.set(field.name, label);
    }
    if (labels.size > 0) byNode.set(node.id, labels);
  }
  const outputs = new Map<string, OutputLabels>();
  const exit = nodes.find((n) => getNodeDefinition(n.kind)?.role === 'exit');
  const end = EndConfigSchema.safeParse(exit?.config ?? {});
  if (!end.success) return { outputs, all };
  for (const output of end.data.outputs) {
    const ref = loneReference(output.value);
    const labels = ref ? byNode.get(ref.node) : undefined;
    if (!ref || !labels) continue;
    const [first, second, ...rest] = ref.path;
    if (first === undefined || (FORM_PATHS.has(first) && second === undefined)) outputs.set(output.name, { fields: labels });
    else if (rest.length === 0) {
      const field = FORM_PATHS.has(first) ? second : first;
      const label = field === undefined ? undefined : labels.get(field);
      if (label) outputs.set(output.name, { label });
    }
  }
  return { outputs, all };
}

/** The labels of a form output's keys: its own source's first, else any field of the graph by that key. */
export function formFieldLabels(labels: GraphLabels, output: string, keys: string[]): Record<string, string> {
  const own = labels.outputs.get(output)?.fields;
  const out: Record<string, string> = {};
  for (const key of keys) {
    const label = own?.get(key) ?? labels.all.get(key);
    if (label) out[key] = label;
  }
  return out;
}
