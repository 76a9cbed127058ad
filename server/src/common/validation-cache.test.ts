import { describe, expect, it } from 'vitest';
import { compileSchema, MAX_CACHED_VALIDATORS } from './validation.js';

describe('compiled validator cache (lru-cache)', () => {
  it('reuses a validator, drops the least recently used past the bound, and frees it in Ajv too', () => {
    const named = { $id: 'urn:mofang:test:cached', type: 'object', properties: { a: { type: 'string' } } } as const;
    const first = compileSchema({ ...named });
    expect(compileSchema({ ...named })).toBe(first);
    const kept = compileSchema({ type: 'integer', minimum: -1 });
    for (let i = 0; i < MAX_CACHED_VALIDATORS; i++) {
      compileSchema({ type: 'integer', minimum: i });
      if (i % 100 === 0) compileSchema({ type: 'integer', minimum: -1 }); // used recently: stays
    }
    expect(compileSchema({ type: 'integer', minimum: -1 })).toBe(kept);
    // Evicted, so compiled again; Ajv would refuse a second schema with the same $id had it kept the first.
    const again = compileSchema({ ...named });
    expect(again).not.toBe(first);
    expect(again({ a: 'x' })).toBe(true);
    expect(again({ a: 1 })).toBe(false);
  });
});
