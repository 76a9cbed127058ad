import { isRecord } from '@shared/json.js';
import type { JsonSchema } from '@shared/json-schema.js';
import type { ExtractConfig } from '@shared/nodes/extract.js';
import { fieldValueSchema, type Field } from '@shared/nodes/fields.js';
import { ALIASES } from '../model/reply/coerce.js';
import { compileFieldCheck } from './extract-fields.js';
import { chatStructured, structuredOutput } from './structured.js';
import type { ServerNode } from './kit.js';
import { knownTurnIds, readInput } from './transcript-input.js';

interface Invalid {
  field: string;
  value: unknown;
  reason: string;
}

/**
 * Extract (form filling): one structured call reads every field with the turns it came from; then each
 * value is checked here (type, allowed values, pattern) so the form never holds an unchecked value.
 */
export const extractNode: ServerNode<ExtractConfig> = {
  compile(config, ctx) {
    const formProps: Record<string, JsonSchema> = {};
    const evidenceProps: Record<string, JsonSchema> = {};
    for (const field of config.fields) {
      formProps[field.name] = { anyOf: [fieldValueSchema(field), { type: 'null' }], description: describe(field) };
      evidenceProps[field.name] = { type: 'array', items: { type: 'string' } };
    }
    const names = config.fields.map((f) => f.name);
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        form: { type: 'object', properties: formProps, required: names, additionalProperties: false },
        evidence: { type: 'object', properties: evidenceProps, required: names, additionalProperties: false },
      },
      required: ['form', 'evidence'],
      additionalProperties: false,
    };
    // The model is shown the typed schema, but a reply is only required to have the right shape: each
    // value's type, allowed values and pattern are checked below so a near miss becomes `invalid`, not a failure.
    const byLabel = Object.fromEntries(config.fields.filter((f) => f.label).map((f) => [f.label ?? f.name, f.name]));
    const anyValue = Object.fromEntries(names.map((n) => [n, {}]));
    const output = structuredOutput(
      {
        type: 'object',
        properties: {
          form: { type: 'object', properties: anyValue, additionalProperties: false, [ALIASES]: byLabel },
          evidence: { type: 'object', properties: anyValue, additionalProperties: false, [ALIASES]: byLabel },
        },
        required: ['form'],
        additionalProperties: false,
      },
      'form',
      schema,
    );
    const checks = new Map(config.fields.map((f) => [f.name, compileFieldCheck(f)]));
    const fieldList = config.fields.map((f) => `- ${f.name}: ${describe(f)}`).join('\n');
    const input = ctx.templates.input;
    const instructions = ctx.templates.instructions;
    return {
      timeoutMs: config.timeoutMs,
      retries: config.retries,
      async run(exec) {
        const read = readInput(input?.render(exec.scope));
        const extra = instructions?.renderText(exec.scope).trim();
        const system = `你是电信客服中心的填单助手。根据通话内容填写下列字段；通话中没有提到的字段填 null，不要猜测。evidence 中给出每个字段所依据的对话轮次 id（如 "t3"）。\n字段：\n${fieldList}${extra ? `\n\n补充说明：${extra}` : ''}`;
        const messages = [
          { role: 'system' as const, content: system },
          { role: 'user' as const, content: read.text },
        ];
        const { value } = await chatStructured(exec, { model: config.model, fallbackModel: config.fallbackModel, temperature: config.temperature, maxTokens: config.maxTokens, messages, output });
        const reply = isRecord(value) ? value : {};
        const rawForm = isRecord(reply.form) ? reply.form : {};
        const rawEvidence = isRecord(reply.evidence) ? reply.evidence : {};
        const form: Record<string, unknown> = {};
        const evidence: Record<string, string[]> = {};
        const missing: string[] = [];
        const invalid: Invalid[] = [];
        for (const field of config.fields) {
          const checked = checks.get(field.name)?.(rawForm[field.name]) ?? { value: null };
          form[field.name] = checked.value;
          if (checked.invalid) invalid.push({ field: field.name, value: rawForm[field.name], reason: checked.invalid });
          else if (checked.value === null && field.required) missing.push(field.name);
          evidence[field.name] = checked.value === null ? [] : knownTurnIds(rawEvidence[field.name], read.turns);
        }
        return { outputs: { form, missing, invalid, evidence, complete: missing.length === 0 && invalid.length === 0 }, inputs: { text: read.text } };
      },
    };
  },
};

function describe(field: Field): string {
  const parts = [field.label, field.description].filter(Boolean).join('，') || field.name;
  const rules = [
    field.required ? '必填' : '',
    field.enum?.length ? `取值之一：${field.enum.join(' / ')}` : '',
    field.patternHint ? `格式：${field.patternHint}` : field.pattern ? `格式（正则）：${field.pattern}` : '',
  ].filter(Boolean);
  return rules.length > 0 ? `${parts}（${rules.join('；')}）` : parts;
}
