import { z } from 'zod';
import { objectSchema } from '../json-schema.js';
import { defineNode, FLOW_IN, FLOW_OUT, ModelSettingsSchema, modelSettingsAliases } from './kit.js';
import { FieldSchema, fieldsObjectSchema, validateFields } from './fields.js';

export const LlmConfigSchema = z.object({
  system: z.string().max(50000).default(''),
  user: z.string().max(50000).default(''),
  ...ModelSettingsSchema,
  /** `text` returns the reply; `json` asks for an object with the fields below. */
  output: z.enum(['text', 'json']).default('text'),
  fields: z.array(FieldSchema).default([]),
});
export type LlmConfig = z.infer<typeof LlmConfigSchema>;

export const llm = defineNode<LlmConfig>({
  kind: 'llm',
  version: 1,
  category: 'ai',
  role: 'step',
  label: { zh: '大模型', en: 'LLM' },
  description: { zh: '按提示词调用大模型，输出文本或结构化 JSON', en: 'Prompt a model for text or structured JSON' },
  configSchema: LlmConfigSchema,
  defaults: () => LlmConfigSchema.parse({ system: '你是电信客服助手。', user: '{{ start.transcript.text }}' }),
  inputs: () => [FLOW_IN],
  outputs: () => [FLOW_OUT],
  outputSchema: (config) =>
    config.output === 'json'
      ? objectSchema({ json: fieldsObjectSchema(config.fields, { nullableOptional: true }), text: { type: 'string' } })
      : objectSchema({ text: { type: 'string' }, truncated: { type: 'boolean', description: 'the reply stopped at max_tokens: the text is incomplete' } }),
  modelAliases: modelSettingsAliases,
  templates: (config) => [
    { field: 'system', source: config.system, mode: 'text' },
    { field: 'user', source: config.user, mode: 'text' },
  ],
  validate: (config) => {
    const issues = validateFields(config.fields, 'fields');
    if (!config.user.trim() && !config.system.trim()) issues.push({ field: 'user', code: 'prompt_empty', message: 'the prompt is empty' });
    if (config.output === 'json' && config.fields.length === 0) issues.push({ field: 'fields', code: 'json_needs_fields', message: 'JSON output needs at least one field' });
    return issues;
  },
});
