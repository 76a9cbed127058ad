import { describe, expect, it } from 'vitest';
import type { CallItem } from '@shared/dashboard';
import { fatalNames } from './CallDetail';

const item = (id: string, name: string): CallItem => ({ id, name, result: 'fail', score: 0, weight: 0, fatal: true, evidence: [], reason: '' });

describe('fatalNames', () => {
  it('names each red line the call hit by its item name, keeping an id no item names', () => {
    expect(fatalNames(['unauthorized_sales', 'gone'], [item('unauthorized_sales', '违规推销（红线）')])).toEqual([
      { id: 'unauthorized_sales', name: '违规推销（红线）' },
      { id: 'gone', name: 'gone' },
    ]);
  });
});
