import { z } from 'zod';
import { objectSchema } from '../json-schema.js';
import { defineNode, duplicateNames, FLOW_IN, FLOW_OUT, ModelSettingsSchema, modelSettingsAliases, regexIssue, type ConfigIssue } from './kit.js';

/** Which turns a rule looks at. */
export const RuleScopeSchema = z.object({
  role: z.string().default('any'),
  /** `first` / `last` N turns of that role; `all` for every turn. */
  position: z.enum(['all', 'first', 'last']).default('all'),
  turns: z.number().int().min(1).max(1000).default(1),
});

export const RuleSchema = z.discriminatedUnion('check', [
  z.object({
    check: z.literal('keywords'),
    keywords: z.array(z.string().min(1)).min(1),
    match: z.enum(['any', 'all']).default('any'),
    /** `present`: passes when found (a greeting); `absent`: passes when not found (forbidden words). */
    expect: z.enum(['present', 'absent']).default('present'),
    scope: RuleScopeSchema.default({ role: 'any', position: 'all', turns: 1 }),
  }),
  z.object({
    check: z.literal('regex'),
    pattern: z.string().min(1).max(2000),
    flags: z.string().regex(/^[imsu]*$/).default('i'),
    expect: z.enum(['present', 'absent']).default('present'),
    scope: RuleScopeSchema.default({ role: 'any', position: 'all', turns: 1 }),
  }),
  z.object({
    check: z.literal('timing'),
    /** first_response: seconds until the agent first speaks; max_silence: the longest gap between turns;
     *  duration: the whole call; turn_length: the longest single turn of the scope's role. */
    metric: z.enum(['first_response', 'max_silence', 'duration', 'turn_length']),
    max: z.number().min(0).optional(),
    min: z.number().min(0).optional(),
    scope: RuleScopeSchema.default({ role: 'any', position: 'all', turns: 1 }),
  }),
  z.object({
    check: z.literal('repetition'),
    /** Fails when one speaker says (nearly) the same thing this many times or more. */
    times: z.number().int().min(2).max(20).default(3),
    minLength: z.number().int().min(2).max(200).default(6),
    scope: RuleScopeSchema.default({ role: 'agent', position: 'all', turns: 1 }),
  }),
]);
export type Rule = z.infer<typeof RuleSchema>;

export const AuditItemSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'an item id has letters, digits, _ or - (at most 64)'),
  name: z.string().min(1).max(200),
  kind: z.enum(['rule', 'model']),
  weight: z.number().min(0).max(1000).default(10),
  fatal: z.boolean().default(false),
  rule: RuleSchema.optional(),
  /** For model items: the criterion in words. */
  criterion: z.string().max(5000).optional(),
});
export type AuditItem = z.infer<typeof AuditItemSchema>;

export const AuditConfigSchema = z.object({
  input: z.string().max(50000).default('{{ start.transcript }}'),
  instructions: z.string().max(20000).default(''),
  items: z.array(AuditItemSchema).default([]),
  /** A call passes at or above this score and with no fatal item failed. */
  passScore: z.number().min(0).default(60),
  /**
   * The full score the sheet declares (100 for 百分制), when it declares one: the weights of its scored
   * items should add up to it, and the form says so when they do not. Absent: no declared scale.
   */
  fullScore: z.number().min(1).max(100000).optional(),
  ...ModelSettingsSchema,
});
export type AuditConfig = z.infer<typeof AuditConfigSchema>;

const ITEM_RESULT = objectSchema({
  id: { type: 'string' },
  name: { type: 'string' },
  result: { type: 'string', enum: ['pass', 'fail', 'na'] },
  score: { type: 'number' },
  weight: { type: 'number' },
  fatal: { type: 'boolean' },
  evidence: { type: 'array', items: { type: 'string' }, description: 'ids of the turns behind the result' },
  reason: { type: 'string' },
});

export const audit = defineNode<AuditConfig>({
  kind: 'audit',
  version: 1,
  category: 'ai',
  role: 'step',
  label: { zh: '质检评分', en: 'Audit (scoring sheet)' },
  description: { zh: '按评分表逐项质检：规则项与模型项、权重、红线', en: 'Score a call item by item: rules, model criteria, red lines' },
  configSchema: AuditConfigSchema,
  defaults: () =>
    AuditConfigSchema.parse({
      items: [
        {
          id: 'greeting',
          name: '开场问候并报工号',
          kind: 'rule',
          weight: 20,
          rule: { check: 'keywords', keywords: ['您好'], scope: { role: 'agent', position: 'first', turns: 2 } },
        },
        { id: 'empathy', name: '客户不满时致歉安抚', kind: 'model', weight: 30, criterion: '客户表达不满时，坐席是否道歉并安抚' },
        {
          id: 'abuse',
          name: '辱骂客户（红线）',
          kind: 'rule',
          weight: 0,
          fatal: true,
          rule: { check: 'keywords', keywords: ['滚', '有病'], expect: 'absent', scope: { role: 'agent', position: 'all', turns: 1 } },
        },
      ],
    }),
  inputs: () => [FLOW_IN],
  outputs: () => [FLOW_OUT],
  outputSchema: () =>
    objectSchema({
      items: { type: 'array', items: ITEM_RESULT },
      score: { type: 'number' },
      maxScore: { type: 'number' },
      fatal: { type: 'array', items: { type: 'string' }, description: 'ids of failed red-line items' },
      verdict: { type: 'string', enum: ['pass', 'fail'] },
    }),
  modelAliases: modelSettingsAliases,
  templates: (config) => [
    { field: 'input', source: config.input, mode: 'value' },
    { field: 'instructions', source: config.instructions, mode: 'text' },
  ],
  validate: (config) => {
    const issues: ConfigIssue[] = duplicateNames(config.items, 'items', 'id');
    if (config.items.length === 0) issues.push({ field: 'items', code: 'no_items', message: 'add at least one item' });
    config.items.forEach((item, i) => {
      if (item.kind === 'rule' && !item.rule) issues.push({ field: `items.${i}.rule`, code: 'rule_missing', message: 'a rule item needs a rule' });
      if (item.kind === 'model' && !item.criterion?.trim()) issues.push({ field: `items.${i}.criterion`, code: 'criterion_missing', message: 'a model item needs a criterion' });
      if (item.rule?.check === 'regex') issues.push(...regexIssue(item.rule.pattern, `items.${i}.rule.pattern`, `${item.rule.flags}u`));
    });
    return issues;
  },
});
