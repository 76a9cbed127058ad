import { z } from 'zod';
import { objectSchema, type JsonSchema } from '../json-schema.js';
import { defineNode, FLOW_IN, FLOW_OUT, ModelSettingsSchema, modelSettingsAliases } from './kit.js';
import { FieldSchema, fieldValueSchema, validateFields } from './fields.js';

export const ExtractConfigSchema = z.object({
  input: z.string().max(50000).default('{{ start.transcript }}'),
  instructions: z.string().max(20000).default(''),
  fields: z.array(FieldSchema).default([]),
  ...ModelSettingsSchema,
});
export type ExtractConfig = z.infer<typeof ExtractConfigSchema>;

export const extract = defineNode<ExtractConfig>({
  kind: 'extract',
  version: 1,
  category: 'ai',
  role: 'step',
  label: { zh: '信息抽取（填单）', en: 'Extract (form filling)' },
  description: { zh: '从通话中抽取字段填写工单，校验并列出缺失项', en: 'Fill a form from the call, validated, with what is missing' },
  configSchema: ExtractConfigSchema,
  defaults: () =>
    ExtractConfigSchema.parse({
      fields: [
        { name: 'name', label: '客户姓名', description: '客户的姓名' },
        { name: 'phone', label: '联系电话', required: true, pattern: '^1[3-9]\\d{9}$', patternHint: '11 位手机号' },
      ],
    }),
  inputs: () => [FLOW_IN],
  outputs: () => [FLOW_OUT],
  outputSchema: (config) => {
    const form: Record<string, JsonSchema> = {};
    for (const field of config.fields) form[field.name] = { anyOf: [fieldValueSchema(field), { type: 'null' }], description: field.description || undefined };
    return objectSchema({
      form: objectSchema(form),
      missing: { type: 'array', items: { type: 'string' }, description: 'required fields the call did not give' },
      invalid: {
        type: 'array',
        items: objectSchema({ field: { type: 'string' }, value: {}, reason: { type: 'string' } }),
      },
      evidence: {
        type: 'object',
        additionalProperties: { type: 'array', items: { type: 'string' } },
        description: 'per field, the ids of the transcript turns it came from',
      },
      complete: { type: 'boolean' },
    });
  },
  modelAliases: modelSettingsAliases,
  templates: (config) => [
    { field: 'input', source: config.input, mode: 'value' },
    { field: 'instructions', source: config.instructions, mode: 'text' },
  ],
  validate: (config) => {
    const issues = validateFields(config.fields, 'fields');
    if (config.fields.length === 0) issues.push({ field: 'fields', code: 'no_fields', message: 'add at least one field' });
    return issues;
  },
});
