import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '@shared/json-schema';
import { contractOf } from './api';
import { tsInterface, typePrefix } from './schema-to-ts';
import { pyLiteral, shellQuote, snippets } from './snippets';

const doc = {
  components: {
    schemas: {
      'intent-triage.Inputs': {
        type: 'object',
        properties: { transcript: { description: '通话转写', anyOf: [{ type: 'string' }, { type: 'object', properties: { turns: { type: 'array', items: { type: 'object' } } }, required: ['turns'] }] }, vip: { type: 'boolean' } },
        required: ['transcript'],
        additionalProperties: false,
        examples: [{ transcript: "坐席：您好\n客户：宽带断了，it's down", vip: false }],
      },
      'intent-triage.Outputs': {
        type: 'object',
        properties: { intent: { enum: ['fault', 'billing'] }, fields: { type: 'object', properties: { 'phone-no': { type: ['string', 'null'] } } }, tags: { type: 'array', items: { type: 'string' } } },
        required: ['intent'],
      },
    },
  },
};

describe('API tab snippets', () => {
  const contract = contractOf(doc, 'intent-triage');
  const code = snippets({ origin: 'http://127.0.0.1:3000', slug: 'intent-triage', contract });

  it('reads the schemas and the example from the scenario document', () => {
    expect(contract.exampleInputs.vip).toBe(false);
    expect(contract.inputSchema.examples).toBeUndefined();
    expect(contractOf({}, 'x')).toEqual({ inputSchema: {}, outputSchema: {}, exampleInputs: {} });
  });

  it('writes TypeScript interfaces from the schemas', () => {
    expect(typePrefix('intent-triage')).toBe('IntentTriage');
    expect(typePrefix('2024-audit')).toBe('S2024Audit');
    const out = tsInterface('IntentTriageOutputs', contract.outputSchema);
    expect(out).toContain('intent: "fault" | "billing";');
    expect(out).toContain('"phone-no"?: string | null;');
    expect(out).toContain('tags?: string[];');
    expect(code.ts).toContain('export interface IntentTriageInputs {');
    expect(code.ts).toContain('/** 通话转写 */');
    expect(code.ts).toContain("fetch('http://127.0.0.1:3000/v1/scenarios/intent-triage/run'");
  });

  it('types an optional output, nullable in the schema, as absent or null', () => {
    const outputs: JsonSchema = {
      type: 'object',
      properties: {
        label: { type: 'string', enum: ['fault', 'other'] },
        form: { description: '报修单', anyOf: [{ type: 'object', properties: { phone: { anyOf: [{ type: 'string' }, { type: 'null' }] } }, required: ['phone'] }, { type: 'null' }] },
      },
      required: ['label'],
    };
    const out = tsInterface('PitchOutputs', outputs);
    expect(out).toContain('label: "fault" | "other";');
    expect(out).toMatch(/form\?: \{[\s\S]*phone: string \| null;[\s\S]*\} \| null;/);
  });

  it('quotes the example for the shell, with SSE asking for an event stream', () => {
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(code.curl).toContain('http://127.0.0.1:3000/v1/scenarios/intent-triage/run');
    expect(code.curl).toContain("it'\\''s down");
    expect(code.curl).not.toContain('-N');
    expect(code.sse).toContain('curl -N -X POST http://127.0.0.1:3000/v1/scenarios/intent-triage/run/stream ');
    expect(code.sse).toContain("-H 'Accept: text/event-stream'");
  });

  it('writes Python literals, not JSON', () => {
    expect(pyLiteral({ a: true, b: null, c: [1, 'x'] })).toBe('{\n    "a": True,\n    "b": None,\n    "c": [\n        1,\n        "x",\n    ],\n}');
    expect(code.python).toContain('"vip": False');
    expect(code.python).toContain('坐席：您好\\n客户');
  });
});
