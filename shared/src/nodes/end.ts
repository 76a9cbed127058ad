import { z } from 'zod';
import { allowsNull, describeSchemaType, fitsType, isAnySchema, nullable, schemaForType, VALUE_TYPES, withoutNull, type JsonSchema } from '../json-schema.js';
import { defineNode, duplicateNames, FieldNameSchema, FLOW_IN } from './kit.js';

export const EndOutputSchema = z.object({
  name: FieldNameSchema,
  /** `auto` takes the type of the referenced value. */
  type: z.enum([...VALUE_TYPES, 'auto']).default('auto'),
  value: z.string().max(20000),
  description: z.string().max(2000).default(''),
  /**
   * A required output has a value on every path the run can take (the compiler refuses a lone reference
   * to a node that may be skipped); an optional one is null when its value's node did not run.
   */
  required: z.boolean().default(true),
});
export const EndConfigSchema = z.object({ outputs: z.array(EndOutputSchema).default([]) });
export type EndConfig = z.infer<typeof EndConfigSchema>;

export const end = defineNode<EndConfig>({
  kind: 'end',
  version: 1,
  category: 'io',
  role: 'exit',
  label: { zh: '结束', en: 'End' },
  description: { zh: '场景的输出', en: "The scenario's outputs" },
  configSchema: EndConfigSchema,
  defaults: () => ({ outputs: [] }),
  inputs: () => [FLOW_IN],
  outputs: () => [],
  outputSchema: (config, typeOf) => {
    const properties: Record<string, JsonSchema> = {};
    for (const output of config.outputs) {
      const inferred = typeOf(output.value);
      let schema: JsonSchema = output.type === 'auto' ? (isAnySchema(inferred) ? {} : { ...inferred }) : schemaForType(output.type);
      // Null when its value may be absent (a nullable field, an optional input) or, for an optional output, skipped.
      if (!output.required || allowsNull(inferred)) schema = nullable(schema);
      if (output.description) schema = { ...schema, description: output.description };
      properties[output.name] = schema;
    }
    // Every output is in every reply (an optional one as null), so every one is listed as required:
    // generated clients then type an optional output `T | null`, not `T | null | undefined`.
    return {
      type: 'object',
      properties,
      required: config.outputs.map((o) => o.name),
      additionalProperties: false,
    };
  },
  templates: (config) =>
    config.outputs.map((o, i) => ({ field: `outputs.${i}.value`, source: o.value, mode: 'value' as const, ...(o.required ? { required: o.name } : {}) })),
  validate: (config, typeOf) => {
    const issues = duplicateNames(config.outputs, 'outputs');
    config.outputs.forEach((output, i) => {
      if (output.type === 'auto') return;
      const actual = withoutNull(typeOf(output.value));
      // Text templates yield strings that the end node reads as numbers or booleans when declared so.
      const textual = actual.type === 'string' && !actual.enum && output.type !== 'transcript';
      if (!textual && !fitsType(actual, output.type)) {
        issues.push({ field: `outputs.${i}.value`, code: 'output_type_mismatch', message: `declared ${output.type} but the value is ${describeSchemaType(actual)}`, params: { declared: output.type, actual: describeSchemaType(actual) } });
      }
    });
    return issues;
  },
});
