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

/**
 * Codes of the config checks a node kind makes beyond its zod schema (`NodeDefinition.validate`). An
 * `invalid_config` problem from one carries it as `params.hint`, so its text is `problem.invalid_config_<code>`.
 */
export const CONFIG_ISSUE_CODES = [
  'no_items',
  'rule_missing',
  'criterion_missing',
  'no_classes',
  'reserved_class_id',
  'no_conditions',
  'op_needs_number',
  'op_needs_boolean',
  'output_type_mismatch',
  'no_fields',
  'enum_needs_string',
  'url_protocol',
  'url_invalid',
  'duplicate_name',
  'regex_unsupported',
  'regex_invalid',
  'prompt_empty',
  'json_needs_fields',
  'main_missing',
] as const;
export type ConfigIssueCode = (typeof CONFIG_ISSUE_CODES)[number];

/**
 * The wordings of the problems that have variants, by `params.hint` (`''` is the plain `<code>` wording);
 * a code not listed has the plain one only.
 */
const PROBLEM_VARIANTS: Partial<Record<ProblemCode, readonly string[]>> = {
  invalid_graph: ['', 'not_object', 'damaged', 'schema', 'name', 'nodes', 'edges', 'uncompiled', 'failed'],
  invalid_config: ['', ...CONFIG_ISSUE_CODES],
  edge_missing_port: ['output', 'input'],
  cycle: ['', 'edge'],
  unknown_reference: ['', 'output'],
  may_be_skipped: ['', 'connect'],
  graph_too_large: ['nodes', 'edges', 'json'],
};

/**
 * Every wording a problem may take, as the i18n key under `problem.`: `<code>` or, for a problem with
 * variants, `<code>_<params.hint>`. A problem whose `params.hint` is `zod` is a schema issue and reads as
 * its zod issue code (`params.issue`) under `validation.`. Both languages must have each key (tested).
 */
export const PROBLEM_MESSAGE_KEYS: readonly string[] = PROBLEM_CODES.flatMap((code) => (PROBLEM_VARIANTS[code] ?? ['']).map((hint) => (hint ? `${code}_${hint}` : code)));

export const CompileProblemSchema = z.object({
  nodeId: z.string().optional(),
  edgeId: z.string().optional(),
  field: z.string().optional(),
  code: z.enum(PROBLEM_CODES),
  /** English, for logs and tools; the UI renders the code with `params` in the reader's language. */
  message: z.string(),
  /** What the reader's-language text interpolates; `hint` picks a variant of the code's wording. */
  params: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
});
export type CompileProblem = z.infer<typeof CompileProblemSchema>;
