/**
 * Example values for OpenAPI documents, generated from the JSON Schemas of a scenario's inputs and
 * outputs only. The documents are public (no key, no session), so a scenario's stored sample inputs
 * (what a designer typed in the Run panel, often a real customer's call) are never used: a transcript
 * gets a made-up broadband call in 坐席：/客户： lines, a phone field the well-known test number.
 */
import type { JsonSchema } from '@shared/json-schema.js';

/** The sample call used wherever a transcript is expected. */
export const EXAMPLE_TRANSCRIPT = '坐席：您好，这里是客服中心，请问有什么可以帮您？\n客户：我家宽带从昨天晚上开始就断了，一直连不上。\n坐席：好的，请提供一下您的宽带账号。';

function isTranscript(schema: JsonSchema): boolean {
  if (schema['x-mofang-type'] === 'transcript') return true;
  return (schema.anyOf ?? []).some((s) => s.type === 'object' && s.properties !== undefined && 'turns' in s.properties);
}

function firstType(schema: JsonSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
}

/**
 * A plausible value for a schema: `examples`/`default`/`const`/`enum` first, then by type. Depth is
 * bounded so a self-similar schema cannot recurse forever.
 */
export function exampleFor(schema: JsonSchema, name = '', depth = 0): unknown {
  if (depth > 6) return null;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (isTranscript(schema)) return schema.type === 'object' ? { text: EXAMPLE_TRANSCRIPT, turns: [{ id: 't1', role: 'agent', text: '您好，请问有什么可以帮您？' }, { id: 't2', role: 'customer', text: '我家宽带断了。' }] } : EXAMPLE_TRANSCRIPT;
  if (schema.anyOf && schema.anyOf.length > 0) return exampleFor(schema.anyOf[0], name, depth + 1);
  switch (firstType(schema)) {
    case 'string':
      return stringExample(name, schema);
    case 'integer':
      return typeof schema.minimum === 'number' ? Math.ceil(schema.minimum) : 1;
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1.5;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array':
      return schema.items ? [exampleFor(schema.items, name, depth + 1)] : [];
    case 'object':
    case undefined: {
      if (!schema.properties) return firstType(schema) === 'object' ? {} : null;
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(schema.properties)) out[key] = exampleFor(value, key, depth + 1);
      return out;
    }
    default:
      return null;
  }
}

function stringExample(name: string, schema: JsonSchema): string {
  if (schema.format === 'date-time') return '2025-01-01T08:00:00Z';
  if (schema.format === 'date') return '2025-01-01';
  const lower = name.toLowerCase();
  if (/phone|mobile|tel/.test(lower)) return '13800138000';
  if (/transcript|dialog|call/.test(lower)) return EXAMPLE_TRANSCRIPT;
  return name ? `${name} 示例` : '示例';
}

/** The example inputs of a scenario, made from its input schema alone (one value per declared input). */
export function exampleInputs(inputSchema: JsonSchema): Record<string, unknown> {
  const generated = exampleFor(inputSchema);
  return typeof generated === 'object' && generated !== null && !Array.isArray(generated) ? { ...generated } : {};
}
