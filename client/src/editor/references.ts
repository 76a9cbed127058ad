import { getNodeDefinition, schemaAtPath, describeSchemaType, type JsonSchema } from '@shared/index';
import { Liquid } from 'liquidjs';
import { refuseFileTags, SAFE_LIQUID_OPTIONS } from '@shared/template-policy';
import { parsedConfig, type FlowEdge, type FlowNode } from './graph';

// Parsing only, never rendering; without a file system, so analysing `{% include %}` fetches nothing.
const liquid = refuseFileTags(new Liquid(SAFE_LIQUID_OPTIONS));

/**
 * The root names a template reads from outside itself, as Liquid sees them: loop variables and
 * `assign`ed names are its own. Null while the template does not parse (the user is mid-typing).
 */
function globalRoots(source: string): Set<string> | null {
  try {
    return new Set(liquid.globalVariableSegmentsSync(liquid.parse(source)).map((segments) => String(segments[0])));
  } catch {
    return null;
  }
}

/** What reference resolution needs of a node. */
type RefNode = Pick<FlowNode, 'id' | 'data'>;

/** A `{{ node.path }}` reference found in a template, with where it is. */
export interface FoundRef {
  /** The dotted path as written, e.g. `start.transcript.text`. */
  ref: string;
  nodeId: string;
  path: string[];
  /** Offsets of `ref` in the source. */
  start: number;
  end: number;
}

const REF = /\{\{-?\s*([A-Za-z_\u4e00-\u9fa5][\w\u4e00-\u9fa5]*(?:\.[\w\u4e00-\u9fa5]+|\[\d+\])*)/g;

/** Every reference at the start of a `{{ … }}` expression (filters after `|` are not references). */
export function findRefs(source: string): FoundRef[] {
  const found: FoundRef[] = [];
  for (const m of source.matchAll(REF)) {
    const ref = m[1];
    const start = (m.index ?? 0) + m[0].length - ref.length;
    const parts = ref.replace(/\[(\d+)\]/g, '.$1').split('.');
    found.push({ ref, nodeId: parts[0], path: parts.slice(1), start, end: start + ref.length });
  }
  return found;
}

/** The ids of every node upstream of `id` (following edges backwards). */
export function upstreamIds(edges: FlowEdge[], id: string): string[] {
  const prev = new Map<string, string[]>();
  for (const e of edges) prev.set(e.target, [...(prev.get(e.target) ?? []), e.source]);
  const seen = new Set<string>();
  const stack = [...(prev.get(id) ?? [])];
  while (stack.length > 0) {
    const n = stack.pop();
    if (n === undefined || seen.has(n) || n === id) continue;
    seen.add(n);
    stack.push(...(prev.get(n) ?? []));
  }
  return [...seen];
}

/** The JSON Schema of each node's output, resolving lone references in templates (an end's `auto`). */
export function outputSchemas(nodes: RefNode[]): Map<string, JsonSchema> {
  const out = new Map<string, JsonSchema>();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const visiting = new Set<string>();
  const schemaOf = (id: string): JsonSchema | undefined => {
    const cached = out.get(id);
    if (cached) return cached;
    const node = byId.get(id);
    const def = node && getNodeDefinition(node.data.kind);
    if (!node || !def || visiting.has(id)) return undefined;
    visiting.add(id);
    let schema: JsonSchema = {};
    try {
      schema = def.outputSchema(parsedConfig(node.data.kind, node.data.config), typeOf);
    } catch {
      schema = {};
    }
    visiting.delete(id);
    out.set(id, schema);
    return schema;
  };
  const typeOf = (source: string): JsonSchema => {
    const lone = /^\s*\{\{-?\s*([^|}]+?)\s*-?\}\}\s*$/.exec(source);
    if (!lone) return { type: 'string' };
    const [ref] = findRefs(`{{ ${lone[1]} }}`);
    const root = ref && schemaOf(ref.nodeId);
    return (root && schemaAtPath(root, ref.path)) ?? {};
  };
  for (const n of nodes) schemaOf(n.id);
  return out;
}

/** A reference a template may use, for `{{` completion. */
export interface RefOption {
  ref: string;
  type: string;
  description?: string;
}

/** Every path into a schema, to a few levels, as completion options under `prefix`. */
export function refOptions(prefix: string, schema: JsonSchema, depth = 3): RefOption[] {
  const options: RefOption[] = [{ ref: prefix, type: describeSchemaType(schema), description: schema.description }];
  if (depth === 0) return options;
  for (const [key, child] of Object.entries(schema.properties ?? {})) options.push(...refOptions(`${prefix}.${key}`, child, depth - 1));
  if (schema.type === 'array') options.push({ ref: `${prefix}.size`, type: 'integer' });
  return options;
}

/** What the templates of one node may reference: each upstream node's outputs. */
export function availableRefs(nodes: RefNode[], edges: FlowEdge[], nodeId: string): { options: RefOption[]; schemas: Map<string, JsonSchema> } {
  return upstreamRefs(outputSchemas(nodes), edges, nodeId);
}

/** {@link availableRefs} from every node's output schema already worked out (`outputSchemas`). */
export function upstreamRefs(all: Map<string, JsonSchema>, edges: FlowEdge[], nodeId: string): { options: RefOption[]; schemas: Map<string, JsonSchema> } {
  const schemas = new Map<string, JsonSchema>();
  for (const id of upstreamIds(edges, nodeId)) {
    const s = all.get(id);
    if (s) schemas.set(id, s);
  }
  return { options: [...schemas].flatMap(([id, s]) => refOptions(id, s)), schemas };
}

/** The references in `source` that do not resolve against the upstream outputs. */
export function unknownRefs(source: string, schemas: Map<string, JsonSchema>): FoundRef[] {
  const roots = globalRoots(source);
  return findRefs(source).filter((r) => {
    if (roots && !roots.has(r.nodeId)) return false;
    const root = schemas.get(r.nodeId);
    return !root || schemaAtPath(root, r.path) === undefined;
  });
}
