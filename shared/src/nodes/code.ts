import { z } from 'zod';
import { objectSchema, schemaForType, type JsonSchema } from '../json-schema.js';
import { defineNode, duplicateNames, FieldNameSchema, FLOW_IN, FLOW_OUT } from './kit.js';

export const CodeConfigSchema = z.object({
  /** JavaScript defining `function main(inputs) { return {...} }`; it may be async. */
  code: z.string().max(200000).default(''),
  inputs: z.array(z.object({ name: FieldNameSchema, value: z.string().max(2000) })).default([]),
  outputs: z
    .array(z.object({ name: FieldNameSchema, type: z.enum(['string', 'number', 'integer', 'boolean', 'object', 'array']).default('string') }))
    .default([]),
  timeoutMs: z.number().int().min(10).max(60_000).default(1000),
  memoryMb: z.number().int().min(1).max(512).default(32),
});
export type CodeConfig = z.infer<typeof CodeConfigSchema>;

export const code = defineNode<CodeConfig>({
  kind: 'code',
  version: 1,
  category: 'data',
  role: 'step',
  label: { zh: '代码', en: 'Code' },
  description: { zh: '在沙箱中运行 JavaScript（无文件、网络、进程权限）', en: 'Run JavaScript in a sandbox (no files, network or process)' },
  configSchema: CodeConfigSchema,
  defaults: () => ({
    code: 'function main(inputs) {\n  return { length: String(inputs.text ?? "").length };\n}\n',
    inputs: [{ name: 'text', value: '{{ start.transcript.text }}' }],
    outputs: [{ name: 'length', type: 'integer' }],
    timeoutMs: 1000,
    memoryMb: 32,
  }),
  inputs: () => [FLOW_IN],
  outputs: () => [FLOW_OUT],
  outputSchema: (config) => {
    const props: Record<string, JsonSchema> = {};
    for (const output of config.outputs) props[output.name] = schemaForType(output.type);
    return objectSchema(props);
  },
  templates: (config) => config.inputs.map((input, i) => ({ field: `inputs.${i}.value`, source: input.value, mode: 'value' as const })),
  validate: (config) => {
    const issues = [...duplicateNames(config.inputs, 'inputs'), ...duplicateNames(config.outputs, 'outputs')];
    if (!/\bmain\b/.test(config.code)) issues.push({ field: 'code', code: 'main_missing', message: 'the code must define function main(inputs)' });
    return issues;
  },
});
