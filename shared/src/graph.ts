import { z } from 'zod';

/** The identifier of the graph format this version of Mofang reads and writes. */
export const GRAPH_FORMAT = 'mofang.graph/v1';

/** Node ids are used in references such as `{{extract_1.form.phone}}`, so they must be identifiers. */
export const NodeIdSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'a node id starts with a letter or _ and has only letters, digits and _ (at most 64)');

export const PositionSchema = z.object({ x: z.number(), y: z.number() });

/**
 * How the wires into a node's input combine when more than one leads in: `any` (the default, and what
 * graphs without the field mean) runs the node once every incoming wire is settled and at least one was
 * taken; `all` runs it only when every incoming wire was taken, and skips it otherwise.
 */
export const JoinSchema = z.enum(['any', 'all']);
export type Join = z.infer<typeof JoinSchema>;

export const GraphNodeSchema = z.object({
  id: NodeIdSchema,
  kind: z.string().min(1),
  version: z.number().int().min(1),
  name: z.string().max(200).optional(),
  position: PositionSchema,
  config: z.record(z.string(), z.unknown()),
  /** How several wires into the input combine; absent means `any`. */
  join: JoinSchema.optional(),
  /**
   * Live call sessions: true runs the node only in the final run on the whole call (e.g. the full audit),
   * never in the updates while the call goes on; absent means false. Ignored by ordinary runs.
   */
  final_only: z.boolean().optional(),
});

export const GraphEdgeSchema = z.object({
  id: z.string().min(1).max(200),
  source: z.string().min(1),
  sourcePort: z.string().min(1),
  target: z.string().min(1),
  targetPort: z.string().min(1),
});

export const GraphSchema = z.object({
  schema: z.literal(GRAPH_FORMAT),
  name: z.string().min(1).max(200),
  description: z.string().max(5000).optional(),
  /** Sample inputs for test runs, keyed by the start node's input names. */
  inputs: z.record(z.string(), z.unknown()).optional(),
  nodes: z.array(GraphNodeSchema),
  edges: z.array(GraphEdgeSchema),
});

export type GraphNode = z.infer<typeof GraphNodeSchema>;
export type GraphEdge = z.infer<typeof GraphEdgeSchema>;
export type Graph = z.infer<typeof GraphSchema>;

/** The JSON Schema of the graph format, for outside tools and editors (committed as schema/). */
export function graphJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://mofang.dev/schema/mofang.graph.v1.json',
    title: 'Mofang scenario graph (mofang.graph/v1)',
    ...z.toJSONSchema(GraphSchema, { target: 'draft-2020-12' }),
  };
}

/**
 * A graph read back from storage: parsed when it parses, else handed back as stored, so a row an older
 * version wrote (or a schema that has moved on) never fails a read; the compiler then lists its problems.
 */
export function storedGraph(value: unknown): Graph {
  const parsed = GraphSchema.safeParse(value);
  return parsed.success ? parsed.data : (value as Graph);
}

/**
 * The `schema` of {@link unreadableGraph}: no version of Mofang writes it, so such a graph never passes
 * {@link GraphSchema} and the compiler reports it as damaged (`invalid_graph` on `schema`).
 */
export const UNREADABLE_GRAPH_FORMAT = 'mofang.graph/unreadable';

/**
 * What a stored graph reads back as when its text is not JSON (disk damage, or a write from outside
 * Mofang): no nodes, no edges, and the {@link UNREADABLE_GRAPH_FORMAT} schema. Every reader can walk it;
 * compiling it reports one `invalid_graph` problem; publishing it is refused. A fresh object each call.
 */
export function unreadableGraph(): { schema: typeof UNREADABLE_GRAPH_FORMAT; name: string; nodes: never[]; edges: never[] } {
  return { schema: UNREADABLE_GRAPH_FORMAT, name: '', nodes: [], edges: [] };
}
