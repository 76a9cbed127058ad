import { z } from 'zod';

/** Codes of the problems the compiler reports. Stable: the canvas and tests key on them. */
export const PROBLEM_CODES = [
  'invalid_graph',
  'invalid_config',
  'unknown_kind',
  'unsupported_version',
  'duplicate_node_id',
  'duplicate_edge_id',
  'edge_missing_node',
  'edge_missing_port',
  'duplicate_edge',
  'self_loop',
  'cycle',
  'unreachable_node',
  'missing_start',
  'multiple_start',
  'missing_end',
  'multiple_end',
  'template_syntax',
  'template_file_access',
  'unknown_reference',
  'reference_not_upstream',
  'reference_type',
  'dead_end',
  'branch_not_connected',
  'may_be_skipped',
  'merge_may_be_empty',
  'graph_too_large',
  'config_too_large',
  'unknown_model_alias',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

export const CompileProblemSchema = z.object({
  nodeId: z.string().optional(),
  edgeId: z.string().optional(),
  field: z.string().optional(),
  code: z.enum(PROBLEM_CODES),
  /** English, for logs and tools; the UI renders the code with `params` in the reader's language. */
  message: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export type CompileProblem = z.infer<typeof CompileProblemSchema>;
