import { describe, expect, it } from 'vitest';
import { isRecord, parseJson } from './json';

describe('isRecord', () => {
  it('accepts objects and refuses null, arrays and scalars', () => {
    expect(isRecord({ a: 1 })).toBe(true);
    expect(isRecord({})).toBe(true);
    expect(isRecord(null)).toBe(false);
    expect(isRecord([1])).toBe(false);
    expect(isRecord('x')).toBe(false);
    expect(isRecord(undefined)).toBe(false);
  });
});

describe('parseJson', () => {
  it('parses JSON text, null included', () => {
    expect(parseJson('{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(parseJson('null')).toBeNull();
  });

  it('gives undefined for bad JSON and for what is not text', () => {
    expect(parseJson('{"a":')).toBeUndefined();
    expect(parseJson(null)).toBeUndefined();
    expect(parseJson(42)).toBeUndefined();
  });

  it('hands the parse error to onError, whose result or throw wins', () => {
    expect(parseJson('nope', (e) => `bad: ${e.name}`)).toBe('bad: SyntaxError');
    expect(parseJson(null, (e) => e.name)).toBe('TypeError');
    expect(() =>
      parseJson('{', () => {
        throw new Error('custom');
      }),
    ).toThrow('custom');
  });
});
