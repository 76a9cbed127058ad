import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { z } from 'zod';
import type { JsonSchema } from '@shared/json-schema.js';
import type { ChatMessage } from '../model/types.js';
import { estimateTokens, findSchemaInPrompt, generateReply } from './generate.js';

const ajv = new Ajv({ strict: false });

const transcript = '[t1] 坐席：您好，请问有什么可以帮您？\n[t2] 客户：我的宽带从昨天开始断网，手机号是13912345678。\n[t3] 坐席：好的，我帮您登记报修。';
const messages: ChatMessage[] = [
  { role: 'system', content: '你是工单填写助手。' },
  { role: 'user', content: `请根据通话记录填写工单。\n${transcript}` },
];

const schemas: Record<string, JsonSchema> = {
  phone: { type: 'string', pattern: '^1[3-9]\\d{9}$' },
  enumeration: { type: 'string', enum: ['投诉', '咨询', '报修'] },
  nested: {
    type: 'object',
    properties: {
      customer: {
        type: 'object',
        properties: { name: { type: 'string', minLength: 2, maxLength: 6 }, phone: { type: 'string', pattern: '^1[3-9]\\d{9}$' } },
        required: ['name', 'phone'],
        additionalProperties: false,
      },
      issue: { type: 'string', maxLength: 20 },
      priority: { type: 'integer', minimum: 1, maximum: 5 },
      urgent: { type: 'boolean' },
      tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 2 },
    },
    required: ['customer', 'issue', 'priority', 'urgent', 'tags'],
    additionalProperties: false,
  },
  nullable: {
    type: 'object',
    properties: { address: { anyOf: [{ type: 'null' }, { type: 'string', minLength: 1 }] }, note: { type: ['string', 'null'] } },
    required: ['address', 'note'],
    additionalProperties: false,
  },
  evidence: {
    type: 'object',
    properties: {
      value: { type: 'string' },
      evidence: { type: 'array', items: { type: 'string' } },
      confidence: { type: 'number', minimum: 0, maximum: 1 },
      kind: { const: 'field' },
      missing: { type: 'array', items: { type: 'string' }, maxItems: 0 },
    },
    required: ['value', 'evidence', 'confidence', 'kind', 'missing'],
    additionalProperties: false,
  },
  arrayOfObjects: {
    type: 'array',
    minItems: 2,
    maxItems: 4,
    items: { type: 'object', properties: { score: { type: 'number', minimum: -1, maximum: 1 }, code: { type: 'string', pattern: '^[A-Z]{2}-\\d{3}$' } }, required: ['score', 'code'] },
  },
};

function withSchema(schema: JsonSchema, msgs = messages) {
  return generateReply({ model: 'm', messages: msgs, responseFormat: { type: 'json_schema', json_schema: { name: 'out', schema } } });
}

describe('generateReply', () => {
  it.each(Object.entries(schemas))('produces schema-valid JSON for %s', (_name, schema) => {
    const validate = ajv.compile(schema);
    for (let i = 0; i < 30; i++) {
      const reply = withSchema(schema, [...messages, { role: 'user', content: `variant ${i}` }]);
      const value: unknown = JSON.parse(reply.text);
      expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
      expect(reply.json).toBe(true);
    }
  });

  it('fills evidence with turn ids from the prompt and gives a plausible confidence', () => {
    const value: unknown = JSON.parse(withSchema(schemas.evidence).text);
    expect(value).toMatchObject({ kind: 'field' });
    const parsed = z.object({ evidence: z.array(z.string()), confidence: z.number(), value: z.string() }).parse(value);
    expect(parsed.evidence.length).toBeGreaterThan(0);
    for (const id of parsed.evidence) expect(['t1', 't2', 't3']).toContain(id);
    expect(parsed.confidence).toBeGreaterThanOrEqual(0.55);
    expect(parsed.confidence).toBeLessThanOrEqual(0.99);
    expect(transcript + '请根据通话记录填写工单').toContain(parsed.value);
  });

  it('is deterministic per prompt and differs between prompts', () => {
    expect(withSchema(schemas.nested).text).toBe(withSchema(schemas.nested).text);
    const other = withSchema(schemas.nested, [{ role: 'user', content: '客户要求退订流量包，号码15800001111' }]);
    expect(other.text).not.toBe(withSchema(schemas.nested).text);
    const textA = generateReply({ model: 'm', messages });
    expect(generateReply({ model: 'm', messages }).text).toBe(textA.text);
    expect(generateReply({ model: 'other', messages }).text).not.toBe(textA.text);
  });

  it('answers in Chinese for a Chinese prompt and names itself', () => {
    const reply = generateReply({ model: 'm', messages });
    expect(reply.json).toBe(false);
    expect(reply.text).toMatch(/^【模拟器】/);
    const english = generateReply({ model: 'm', messages: [{ role: 'user', content: 'Summarise the call, please.' }] });
    expect(english.text).toMatch(/^\[simulator\]/);
  });

  it('uses a schema found in a ```json fence, or {"result"} for json_object', () => {
    const schema = schemas.nested;
    const prompt: ChatMessage[] = [
      { role: 'system', content: `Reply with JSON matching this schema:\n\`\`\`json\n${JSON.stringify(schema, null, 2)}\n\`\`\`` },
      { role: 'user', content: transcript },
    ];
    expect(findSchemaInPrompt(prompt)).toEqual(schema);
    const reply = generateReply({ model: 'm', messages: prompt });
    expect(ajv.validate(schema, JSON.parse(reply.text))).toBe(true);
    const plain = generateReply({ model: 'm', messages, responseFormat: { type: 'json_object' } });
    expect(JSON.parse(plain.text)).toHaveProperty('result');
  });

  it('estimates tokens deterministically', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('您好')).toBe(2);
    expect(estimateTokens('abcdefgh')).toBe(2);
    const reply = generateReply({ model: 'm', messages });
    expect(reply.promptTokens).toBeGreaterThan(estimateTokens(transcript));
    expect(reply.completionTokens).toBe(estimateTokens(reply.text));
  });
});
