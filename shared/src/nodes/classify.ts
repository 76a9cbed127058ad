import { z } from 'zod';
import { objectSchema } from '../json-schema.js';
import { defineNode, duplicateNames, FLOW_IN, ModelSettingsSchema, modelSettingsAliases, type PortDef } from './kit.js';

export const ClassSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a class id has letters, digits, _ or - (at most 64)'),
  name: z.string().min(1).max(200),
  description: z.string().max(2000).default(''),
  examples: z.array(z.string().max(2000)).default([]),
});
export type ClassDef = z.infer<typeof ClassSchema>;

/** The id of the port taken when no class fits or confidence is too low. */
export const OTHER_CLASS = 'other';

export const ClassifyConfigSchema = z.object({
  input: z.string().max(50000).default('{{ start.transcript.text }}'),
  instructions: z.string().max(20000).default(''),
  classes: z.array(ClassSchema).default([]),
  /** Below this confidence the `other` branch is taken. */
  minConfidence: z.number().min(0).max(1).default(0),
  ...ModelSettingsSchema,
});
export type ClassifyConfig = z.infer<typeof ClassifyConfigSchema>;

export const classify = defineNode<ClassifyConfig>({
  kind: 'classify',
  version: 1,
  category: 'ai',
  role: 'branch',
  label: { zh: '意图分类', en: 'Classify' },
  description: { zh: '把输入分到一个类别，每个类别一条分支', en: 'Route the input to one branch per class' },
  configSchema: ClassifyConfigSchema,
  defaults: () =>
    ClassifyConfigSchema.parse({
      classes: [
        { id: 'fault', name: '故障报修', description: '宽带、信号、设备故障' },
        { id: 'complaint', name: '服务投诉', description: '对服务或资费不满' },
      ],
    }),
  inputs: () => [FLOW_IN],
  outputs: (config) => [
    ...config.classes.map((c): PortDef => ({ id: c.id, label: c.name, type: 'flow' })),
    { id: OTHER_CLASS, label: '其他', labels: { zh: '其他', en: 'Other' }, type: 'flow' },
  ],
  outputSchema: (config) =>
    objectSchema({
      label: { type: 'string', enum: [...config.classes.map((c) => c.id), OTHER_CLASS], description: 'the chosen class id' },
      name: { type: 'string', description: 'the chosen class name' },
      confidence: { type: 'number', minimum: 0, maximum: 1 },
      reason: { type: 'string' },
    }),
  modelAliases: modelSettingsAliases,
  templates: (config) => [
    { field: 'input', source: config.input, mode: 'text' },
    { field: 'instructions', source: config.instructions, mode: 'text' },
  ],
  validate: (config) => {
    const issues = duplicateNames(config.classes, 'classes', 'id');
    if (config.classes.length === 0) issues.push({ field: 'classes', code: 'no_classes', message: 'add at least one class' });
    config.classes.forEach((c, i) => {
      if (c.id === OTHER_CLASS) issues.push({ field: `classes.${i}.id`, code: 'reserved_class_id', message: '"other" is reserved for the fallback branch', params: { id: OTHER_CLASS } });
    });
    return issues;
  },
});
