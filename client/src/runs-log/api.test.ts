import { describe, expect, it } from 'vitest';
import { fillBuckets } from './api';

describe('metrics buckets', () => {
  it('fills the buckets the server left out with zeros, one per bucket in the range', () => {
    const from = Date.UTC(2025, 0, 1, 10, 0, 30);
    const filled = fillBuckets({
      from: new Date(from).toISOString(),
      to: new Date(from + 3 * 60_000).toISOString(),
      bucket: 'minute',
      buckets: [{ start: new Date(Date.UTC(2025, 0, 1, 10, 1)).toISOString(), runs: 2, succeeded: 1, failed: 1, timeouts: 0, errors: { model_error: 1 }, p50_ms: 5, p95_ms: 9, prompt_tokens: 10, completion_tokens: 4 }],
    });
    expect(filled.map((b) => b.runs)).toEqual([0, 2, 0, 0]);
    expect(filled[1].p95_ms).toBe(9);
  });
});
