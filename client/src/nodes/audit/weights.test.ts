import { describe, expect, it } from 'vitest';
import { weightTotal } from './weights';

describe('weightTotal', () => {
  it('warns when the weights of a 百分制 sheet add up to 105', () => {
    expect(weightTotal([{ weight: 40 }, { weight: 35 }, { weight: 30 }, { weight: 0 }], 100)).toEqual({ total: 105, full: 100, mismatch: true });
  });
  it('is quiet when they add up to the full score, or when no full score is declared', () => {
    expect(weightTotal([{ weight: 60 }, { weight: 40 }], 100).mismatch).toBe(false);
    expect(weightTotal([{ weight: 33.3 }, { weight: 33.3 }, { weight: 33.4 }], 100).mismatch).toBe(false);
    expect(weightTotal([{ weight: 2 }, { weight: 3 }], undefined)).toEqual({ total: 5, full: undefined, mismatch: false });
  });
});
