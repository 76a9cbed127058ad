import { describe, expect, it } from 'vitest';
import { ClassSchema } from '@shared/index';
import { freshBranchId } from './ids';

describe('freshBranchId', () => {
  it('makes ids a class accepts, unlike any taken one', () => {
    const taken = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const id = freshBranchId('c', taken);
      expect(id).toMatch(/^c_[0-9a-z]{6}$/);
      expect(taken.has(id)).toBe(false);
      expect(ClassSchema.shape.id.safeParse(id).success).toBe(true);
      taken.add(id);
    }
  });
});
