import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '@shared/json-schema.js';
import { ALIASES, coerceToSchema, emptyNotes, forModel } from './coerce.js';
import { jsonValues } from './json-value.js';
import { splitReasoning } from './reasoning.js';

describe('splitReasoning', () => {
  it('keeps a reply without reasoning exactly as it is', () => {
    expect(splitReasoning('  答复：好的\n')).toEqual({ answer: '  答复：好的\n', reasoning: '' });
  });

  it('takes <think> and <thinking> blocks, a closing tag alone, an opening tag alone, and the reasoning field', () => {
    expect(splitReasoning('<think>\n想一想\n</think>\n\n{"a":1}')).toEqual({ answer: '{"a":1}', reasoning: '想一想' });
    expect(splitReasoning('<thinking>x</thinking>答案')).toEqual({ answer: '答案', reasoning: 'x' });
    expect(splitReasoning('<think>\n\n</think>\n\n答案')).toEqual({ answer: '答案', reasoning: '' });
    expect(splitReasoning('先想：{"draft":1}\n</think>\n\n{"a":2}')).toEqual({ answer: '{"a":2}', reasoning: '先想：{"draft":1}' });
    expect(splitReasoning('<think>\n还在想，没写完')).toEqual({ answer: '', reasoning: '还在想，没写完' });
    expect(splitReasoning('<think>a<think>b</think>{"x":1}')).toEqual({ answer: '{"x":1}', reasoning: 'a<think>b' });
    // Any number of unclosed tags is one pass, and everything after the first is reasoning.
    expect(splitReasoning(`答案${'<think>'.repeat(60_000)}`)).toEqual({ answer: '答案', reasoning: '<think>'.repeat(59_999) });
    expect(splitReasoning('{"a":1}', '字段里的推理')).toEqual({ answer: '{"a":1}', reasoning: '字段里的推理' });
  });
});

describe('jsonValues', () => {
  it('lists complete values last first, through fences and chatter, and repairs only syntax', () => {
    const text = '示例：{"label": "x"}\n结果：\n```json\n{"label": "fault", "n": [1, {"k": "}"}]}\n```\n说明完毕。';
    expect(jsonValues(text).map((v) => v.value)).toEqual([{ label: 'fault', n: [1, { k: '}' }] }, { label: 'x' }]);
    expect(jsonValues("{'a': True, 'b': None,}")).toEqual([{ value: { a: true, b: null }, repaired: true }]);
  });

  it('never completes a value cut off at the end', () => {
    expect(jsonValues('{"a": 1, "b": {"c": ')).toEqual([]);
    expect(jsonValues('{"ok": 1} 然后 {"cut": ').map((v) => v.value)).toEqual([{ ok: 1 }]);
  });

  it('finds a value after a stray bracket that never closes, however many there are, and past quotes in prose', () => {
    expect(jsonValues('注意 { 这个括号没关，答案 {"a": 1}').map((v) => v.value)).toEqual([{ a: 1 }]);
    expect(jsonValues(`${'[1,2) '.repeat(5000)}结果 {"a": 2}`).map((v) => v.value)).toEqual([{ a: 2 }]);
    expect(jsonValues('他说"宽带坏了，结果：{"label": "fault"}').map((v) => v.value)).toEqual([{ label: 'fault' }]);
    expect(jsonValues(`${'{'.repeat(300_000)} {"ok": true}`).map((v) => v.value)).toEqual([{ ok: true }]);
  });
});

describe('coerceToSchema', () => {
  const schema: JsonSchema = {
    type: 'object',
    properties: {
      label: { type: 'string', enum: ['fault', 'other'], [ALIASES]: { 故障: 'fault' } },
      confidence: { type: 'number', minimum: 0, maximum: 1 },
      ok: { type: 'boolean' },
      tags: { type: 'array', items: { type: 'string' } },
      note: { anyOf: [{ type: 'string' }, { type: 'null' }] },
      extra: { type: 'string' },
    },
    required: ['label', 'confidence', 'note'],
    additionalProperties: false,
    [ALIASES]: { 置信度: 'confidence' },
  };

  it('reads names, case, percentages, Chinese booleans and lists of one, and says what it changed', () => {
    const notes = emptyNotes();
    const value = coerceToSchema({ label: '故障', 置信度: '90%', ok: '是', tags: '宽带', extra: null, unknown: 1 }, schema, notes);
    expect(value).toEqual({ label: 'fault', confidence: 0.9, ok: true, tags: ['宽带'], note: null });
    expect(notes.dropped).toEqual(['unknown']);
    expect(notes.coerced.sort()).toEqual(['confidence', 'label', 'ok', 'tags', '置信度'].sort());
    expect(notes.problems).toEqual([]);
    expect(coerceToSchema({ label: 'FAULT', confidence: 85 }, schema, emptyNotes())).toMatchObject({ label: 'fault', confidence: 0.85 });
  });

  it('leaves what it cannot read for validation to refuse, and marks a required null', () => {
    const notes = emptyNotes();
    expect(coerceToSchema({ label: '投诉', confidence: null, note: null }, schema, notes)).toEqual({ label: '投诉', confidence: null, note: null });
    expect(notes.problems).toEqual(['confidence']);
  });

  it('strips its own keywords from the schema sent to a model', () => {
    expect(JSON.stringify(forModel(schema))).not.toContain('x-mofang');
  });
});
