import { describe, expect, it } from 'vitest';
import { describeNul, findNul, hasNul, nulLineInJsonText, nulPath, showNul } from './nul.js';

describe('findNul', () => {
  it('passes values without U+0000, lone surrogates and other control characters included', () => {
    expect(findNul({ turns: [{ role: 'agent', text: '坐席：您好\u0001\ud800' }], n: 1, ok: true, none: null })).toBeNull();
    expect(findNul('plain')).toBeNull();
    expect(findNul(42)).toBeNull();
    expect(findNul({ 'key\\u0000': 'an escaped backslash, not a NUL' })).toBeNull();
  });

  it('names the first string that holds one by a dotted path, indexes as numbers', () => {
    const body = { turns: [{ role: 'agent', text: 'ok' }, { role: 'customer', text: 'ok' }, { role: 'agent', text: 'ok' }, { role: 'customer', text: 'bad\u0000' }] };
    expect(findNul(body)).toEqual({ path: 'turns.3.text', inKey: false });
    expect(findNul('\u0000')).toEqual({ path: '', inKey: false });
    expect(findNul(['a', ['b', 'c\u0000']])).toEqual({ path: '1.1', inKey: false });
  });

  it('finds it in object keys, shown as \\u0000 in the path', () => {
    expect(findNul({ inputs: { 'trans\u0000cript': 'x' } })).toEqual({ path: 'inputs.trans\\u0000cript', inKey: true });
  });

  it('takes the first in document order', () => {
    expect(findNul({ a: { b: 'x\u0000' }, c: '\u0000' })?.path).toBe('a.b');
  });

  it('walks a value 100 000 levels deep without recursing', () => {
    let value: unknown = 'deep\u0000';
    for (let i = 0; i < 100_000; i++) value = [value];
    expect(findNul(value)?.path.split('.')).toHaveLength(100_000);
  });
});

describe('the helpers around it', () => {
  it('hasNul and showNul', () => {
    expect(hasNul('a\u0000b')).toBe(true);
    expect(hasNul('a\\u0000b')).toBe(false);
    expect(showNul('a\u0000b\u0000')).toBe('a\\u0000b\\u0000');
  });

  it('nulPath puts a place under a prefix', () => {
    expect(nulPath('body', { path: 'turns.3.text', inKey: false })).toBe('body.turns.3.text');
    expect(nulPath('body', { path: '', inKey: false })).toBe('body');
    expect(nulPath('', { path: 'a', inKey: false })).toBe('a');
  });

  it('describeNul says where and why', () => {
    expect(describeNul('body.turns.3.text')).toBe('holds the NUL character (U+0000) at body.turns.3.text: Mofang does not take it (PostgreSQL cannot store it): remove it');
    expect(describeNul('inputs.a\\u0000', true)).toContain('at inputs.a\\u0000 (in a key)');
  });

  it('nulLineInJsonText finds the line of an escape that is one, or of a raw character', () => {
    expect(nulLineInJsonText('{\n"a": "x",\n"b": "y\\u0000"\n}')).toBe(3);
    expect(nulLineInJsonText('{\n"a": "\\\\u0000 is text"\n}')).toBeNull();
    expect(nulLineInJsonText('{\n"a": "\\\\\\u0000"\n}')).toBe(2);
    expect(nulLineInJsonText('{"a": "\\U0000"}')).toBe(1);
    expect(nulLineInJsonText('a\nb\nc\u0000')).toBe(3);
    expect(nulLineInJsonText('{}')).toBeNull();
  });
});
