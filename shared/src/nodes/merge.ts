import { z } from 'zod';
import { isAnySchema, type JsonSchema } from '../json-schema.js';
import { defineNode, FLOW_IN, FLOW_OUT } from './kit.js';

export const MergeConfigSchema = z.object({
  /** References in priority order; the first whose node ran gives the value. */
  values: z.array(z.string().max(2000)).default([]),
});
export type MergeConfig = z.infer<typeof MergeConfigSchema>;

export const merge = defineNode<MergeConfig>({
  kind: 'merge',
  version: 1,
  category: 'logic',
  role: 'join',
  label: { zh: '合并', en: 'Merge' },
  description: { zh: '取实际执行的分支的结果', en: 'The value from whichever branch ran' },
  configSchema: MergeConfigSchema,
  defaults: () => ({ values: [] }),
  inputs: () => [FLOW_IN],
  outputs: () => [FLOW_OUT],
  outputSchema: (config, typeOf) => {
    const options = config.values.map((v) => typeOf(v));
    const value: JsonSchema = options.length === 0 || options.some(isAnySchema) ? {} : options.length === 1 ? options[0] : { anyOf: options };
    return {
      type: 'object',
      properties: { value, from: { type: 'string', description: 'the id of the node the value came from' } },
      required: ['value', 'from'],
      additionalProperties: false,
    };
  },
  templates: (config) => config.values.map((source, i) => ({ field: `values.${i}`, source, mode: 'value' as const })),
});
