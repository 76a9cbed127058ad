import { z } from 'zod';
import { describeSchemaType, isAnySchema, objectSchema, withoutNull } from '../json-schema.js';
import { defineNode, FLOW_IN, regexIssue, type ConfigIssue } from './kit.js';

export const COMPARISON_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains', 'not_contains', 'starts_with', 'matches', 'empty', 'not_empty', 'is_true', 'is_false'] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

/** Operators that compare numbers, and those that take no right-hand side. */
export const NUMERIC_OPS: ComparisonOp[] = ['gt', 'gte', 'lt', 'lte'];
export const UNARY_OPS: ComparisonOp[] = ['empty', 'not_empty', 'is_true', 'is_false'];

export const ComparisonSchema = z.object({
  left: z.string().min(1).max(2000),
  op: z.enum(COMPARISON_OPS),
  right: z.string().max(2000).default(''),
});
export const ConditionConfigSchema = z.object({
  conditions: z.array(ComparisonSchema).default([]),
  combine: z.enum(['and', 'or']).default('and'),
});
export type ConditionConfig = z.infer<typeof ConditionConfigSchema>;

export const condition = defineNode<ConditionConfig>({
  kind: 'condition',
  version: 1,
  category: 'logic',
  role: 'branch',
  label: { zh: '条件分支', en: 'Condition' },
  description: { zh: '按比较结果走“是”或“否”分支', en: 'Take the true or the false branch' },
  configSchema: ConditionConfigSchema,
  defaults: () => ({ conditions: [{ left: '{{ start.transcript.turns.size }}', op: 'gt', right: '0' }], combine: 'and' }),
  inputs: () => [FLOW_IN],
  outputs: () => [
    { id: 'true', label: '是', labels: { zh: '是', en: 'Yes' }, type: 'flow' },
    { id: 'false', label: '否', labels: { zh: '否', en: 'No' }, type: 'flow' },
  ],
  outputSchema: () => objectSchema({ result: { type: 'boolean' } }),
  templates: (config) =>
    config.conditions.flatMap((c, i) => [
      { field: `conditions.${i}.left`, source: c.left, mode: 'value' as const },
      { field: `conditions.${i}.right`, source: c.right, mode: 'value' as const },
    ]),
  validate: (config, typeOf) => {
    const issues: ConfigIssue[] = [];
    if (config.conditions.length === 0) issues.push({ field: 'conditions', code: 'no_conditions', message: 'add at least one comparison' });
    config.conditions.forEach((c, i) => {
      // A value that may be null (an extract field, a skipped branch) compares false, so only its type counts.
      const left = withoutNull(typeOf(c.left));
      if (NUMERIC_OPS.includes(c.op) && !isAnySchema(left) && left.type !== 'number' && left.type !== 'integer') {
        issues.push({ field: `conditions.${i}.op`, code: 'op_needs_number', message: `"${c.op}" compares numbers but the left side is ${describeSchemaType(left)}`, params: { op: c.op, type: describeSchemaType(left) } });
      }
      if ((c.op === 'is_true' || c.op === 'is_false') && !isAnySchema(left) && left.type !== 'boolean') {
        issues.push({ field: `conditions.${i}.op`, code: 'op_needs_boolean', message: `"${c.op}" needs a boolean but the left side is ${describeSchemaType(left)}`, params: { op: c.op, type: describeSchemaType(left) } });
      }
      // A pattern made of references is only known at run time; a literal one is checked now.
      if (c.op === 'matches' && !c.right.includes('{{') && !c.right.includes('{%')) issues.push(...regexIssue(c.right, `conditions.${i}.right`));
    });
    return issues;
  },
});
