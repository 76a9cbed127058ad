import { describe, expect, it } from 'vitest';
import { formatBucket, missingAuditOutputs, parseBucket, scoreBucket } from './dashboard.js';

describe('dashboard helpers', () => {
  it('puts scores in bars of 10, 100 in the last and negatives in the first', () => {
    expect([0, 9.9, 10, 45, 90, 99.5, 100, -3].map(scoreBucket)).toEqual([0, 0, 10, 40, 90, 90, 90, 0]);
  });

  it('reads and writes every kind of bar', () => {
    for (const text of ['score:40-50', 'item:greeting:fail', 'item:a:b:na', 'fatal:abuse', 'verdict:fail', 'time:1000-2000']) {
      const bucket = parseBucket(text);
      expect(bucket).toBeDefined();
      if (bucket) expect(formatBucket(bucket)).toBe(text);
    }
    expect(parseBucket('item:a:b:na')).toEqual({ kind: 'item', id: 'a:b', result: 'na' });
    for (const bad of ['', 'score:50-40', 'score:x-y', 'item:a', 'colour:red']) expect(parseBucket(bad)).toBeUndefined();
  });

  it('names the audit outputs a scenario lacks', () => {
    expect(missingAuditOutputs(['score', 'verdict', 'items', 'report'])).toEqual([]);
    expect(missingAuditOutputs(['score', 'reply'])).toEqual(['verdict', 'items']);
  });
});
