import { describe, expect, it } from 'vitest';
import { uuidv7 } from './run-id.js';

describe('uuidv7', () => {
  it('is a version 7, variant 1 UUID that starts with the time and increases within a millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7(1_700_000_000_000));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(parseInt(uuidv7(1_700_000_100_000).replace(/-/g, '').slice(0, 12), 16)).toBe(1_700_000_100_000);
  });
});
