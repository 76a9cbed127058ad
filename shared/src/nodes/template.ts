import { z } from 'zod';
import { objectSchema } from '../json-schema.js';
import { defineNode, FLOW_IN, FLOW_OUT } from './kit.js';

export const TemplateConfigSchema = z.object({ template: z.string().max(100000).default('') });
export type TemplateConfig = z.infer<typeof TemplateConfigSchema>;

export const template = defineNode<TemplateConfig>({
  kind: 'template',
  version: 1,
  category: 'data',
  role: 'step',
  label: { zh: '文本模板', en: 'Template' },
  description: { zh: '用变量拼出一段文本', en: 'Compose text from values' },
  configSchema: TemplateConfigSchema,
  defaults: () => ({ template: '' }),
  inputs: () => [FLOW_IN],
  outputs: () => [FLOW_OUT],
  outputSchema: () => objectSchema({ text: { type: 'string' } }),
  templates: (config) => [{ field: 'template', source: config.template, mode: 'text' }],
});
