import { describe, expect, it } from 'vitest';
import { outputChanges } from './changes.js';

describe('outputChanges', () => {
  it('names fields newly filled, changed and cleared, per field of an object output', () => {
    const before = { risk: 'low', form: { name: null, phone: '13800000000', address: '' }, note: 'a' };
    const after = { risk: 'high', form: { name: '张先生', phone: '13800000000', address: '' }, note: null };
    expect(outputChanges(before, after)).toEqual([
      { path: 'risk', kind: 'changed', from: 'low', to: 'high' },
      { path: 'form.name', kind: 'filled', from: null, to: '张先生' },
      { path: 'note', kind: 'cleared', from: 'a', to: null },
    ]);
  });

  it('the first update lists what it filled; empty values are no change', () => {
    expect(outputChanges(null, { a: null, b: [], c: 'x', d: { e: 1 } })).toEqual([
      { path: 'c', kind: 'filled', from: null, to: 'x' },
      { path: 'd.e', kind: 'filled', from: null, to: 1 },
    ]);
    expect(outputChanges({ a: [1] }, { a: [1] })).toEqual([]);
  });
});
