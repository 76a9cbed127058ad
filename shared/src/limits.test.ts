import { describe, expect, it } from 'vitest';
import { DEFAULT_JSON_LIMITS, describeBreach, findJsonLimitBreach } from './limits.js';

const limits = { depth: 8, stringChars: 100, arrayItems: 10, totalBytes: 1000 };

function nest(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('findJsonLimitBreach', () => {
  it('passes values within every limit, whatever their kind', () => {
    expect(findJsonLimitBreach({ a: [1, 'two', null, true, { b: [] }] }, limits)).toBeNull();
    expect(findJsonLimitBreach('x', limits)).toBeNull();
    expect(findJsonLimitBreach(nest(8), limits)).toBeNull();
  });

  it('measures a value 100 000 levels deep without recursing, and names where it went too deep', () => {
    const breach = findJsonLimitBreach({ meta: nest(100_000) }, DEFAULT_JSON_LIMITS);
    expect(breach).toMatchObject({ kind: 'depth', code: 'too_deep', limit: 64, setting: 'MOFANG_MAX_JSON_DEPTH' });
    expect(breach?.path.startsWith('meta.a.a')).toBe(true);
    // A path 64 levels long is cut in the middle.
    expect(breach?.path).toMatch(/…\(\d+ more\)…/);
    expect(describeBreach(breach!, 'body.inputs')).toMatch(/^body\.inputs\.meta\.a.* is nested deeper than 64 levels \(the limit, set by MOFANG_MAX_JSON_DEPTH\)$/);
  });

  it('finds long strings, long lists, objects with too many keys and values too big as a whole', () => {
    expect(findJsonLimitBreach({ turns: [{ text: 'x'.repeat(101) }] }, limits)).toMatchObject({ kind: 'stringChars', code: 'string_too_long', path: 'turns[0].text' });
    expect(findJsonLimitBreach({ list: Array.from({ length: 11 }, () => 0) }, limits)).toMatchObject({ kind: 'arrayItems', code: 'array_too_long', path: 'list' });
    expect(findJsonLimitBreach(Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, i])), limits)).toMatchObject({ kind: 'arrayItems', path: '' });
    // 9 strings of 90 characters of Chinese: 270 bytes each in UTF-8.
    expect(findJsonLimitBreach(Array.from({ length: 9 }, () => '话'.repeat(90)), limits)).toMatchObject({ kind: 'totalBytes', code: 'value_too_large', path: '' });
    expect(findJsonLimitBreach(Array.from({ length: 9 }, () => 'a'.repeat(90)), limits)).toBeNull();
  });

  it('quotes keys that are not identifiers and reports a cycle as too deep', () => {
    expect(findJsonLimitBreach({ 'a b': { c: 'x'.repeat(101) } }, limits)?.path).toBe('["a b"].c');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(findJsonLimitBreach(cyclic, limits)).toMatchObject({ kind: 'depth' });
  });
});
