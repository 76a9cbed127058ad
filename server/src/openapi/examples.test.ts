import { describe, expect, it } from 'vitest';
import { startInputsSchema } from '@shared/nodes/start.js';
import { EXAMPLE_TRANSCRIPT, exampleFor, exampleInputs } from './examples.js';

describe('OpenAPI examples', () => {
  const schema = startInputsSchema({
    inputs: [
      { name: 'transcript', type: 'transcript', required: true, description: '' },
      { name: 'phone', type: 'string', required: false, description: '' },
      { name: 'priority', type: 'integer', required: false, description: '' },
      { name: 'urgent', type: 'boolean', required: false, description: '' },
    ],
  });

  it('generates a value per declared input, a transcript as 坐席/客户 lines', () => {
    expect(exampleInputs(schema)).toEqual({ transcript: EXAMPLE_TRANSCRIPT, phone: '13800138000', priority: 1, urgent: true });
  });


  it('uses enum, default and examples first, and fills nested objects and arrays', () => {
    expect(exampleFor({ type: 'string', enum: ['billing', 'fault'] })).toBe('billing');
    expect(exampleFor({ type: 'number', default: 3 })).toBe(3);
    expect(exampleFor({ type: 'object', properties: { tags: { type: 'array', items: { type: 'string' } }, score: { type: 'number', minimum: 0 } } })).toEqual({
      tags: ['tags 示例'],
      score: 0,
    });
  });
});
