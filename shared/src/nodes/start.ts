import { z } from 'zod';
import { TRANSCRIPT_META_SCHEMA, VALUE_TYPES, objectSchema, schemaForType, type JsonSchema } from '../json-schema.js';
import { defineNode, duplicateNames, FieldNameSchema, FLOW_OUT } from './kit.js';

export const StartInputSchema = z.object({
  name: FieldNameSchema,
  type: z.enum(VALUE_TYPES).default('string'),
  required: z.boolean().default(true),
  description: z.string().max(2000).default(''),
  default: z.unknown().optional(),
});
export type StartInput = z.infer<typeof StartInputSchema>;

export const StartConfigSchema = z.object({ inputs: z.array(StartInputSchema).default([]) });
export type StartConfig = z.infer<typeof StartConfigSchema>;

/** The JSON Schema of a run's inputs as a start node declares them (transcripts before normalising). */
export function startInputsSchema(config: StartConfig): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const input of config.inputs) {
    properties[input.name] =
      input.type === 'transcript'
        ? {
            description: input.description || 'a transcript: {"turns":[{"role","text"}]} or 坐席：/客户： lines',
            anyOf: [
              { type: 'string' },
              {
                type: 'object',
                properties: {
                  turns: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: { id: { type: 'string' }, role: { type: 'string' }, text: { type: 'string' }, start: { type: 'number' }, end: { type: 'number' } },
                      required: ['role', 'text'],
                    },
                  },
                  meta: TRANSCRIPT_META_SCHEMA,
                },
                required: ['turns'],
              },
            ],
          }
        : schemaForType(input.type, input.description || undefined);
  }
  return {
    type: 'object',
    properties,
    required: config.inputs.filter((i) => i.required && i.default === undefined).map((i) => i.name),
    additionalProperties: false,
  };
}

export const start = defineNode<StartConfig>({
  kind: 'start',
  version: 1,
  category: 'io',
  role: 'entry',
  label: { zh: '开始', en: 'Start' },
  description: { zh: '场景的输入，如通话转写', en: "The scenario's inputs, such as a call transcript" },
  configSchema: StartConfigSchema,
  defaults: () => ({ inputs: [{ name: 'transcript', type: 'transcript', required: true, description: '通话转写' }] }),
  inputs: () => [],
  outputs: () => [FLOW_OUT],
  outputSchema: (config) => {
    const props: Record<string, JsonSchema> = {};
    for (const input of config.inputs) props[input.name] = schemaForType(input.type, input.description || undefined);
    return objectSchema(props, config.inputs.filter((i) => !i.required).map((i) => i.name));
  },
  templates: () => [],
  validate: (config) => duplicateNames(config.inputs, 'inputs'),
  runInputSchema: startInputsSchema,
});
