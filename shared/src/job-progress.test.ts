import { describe, expect, it } from 'vitest';
import { averageRate, jobFigures } from './job-progress.js';

const base = { status: 'running' as const, total: 30, succeeded: 10, failed: 2, rate_per_s: 4.5, started_at: '2026-12-01T10:00:00.000Z', finished_at: null };

describe('jobFigures', () => {
  it('reads a running job: done, percent rounded down, the recent rate, active bar', () => {
    expect(jobFigures(base)).toEqual({ done: 12, percent: 40, state: 'active', ratePerS: 4.5, successPercent: 83 });
    expect(jobFigures({ ...base, succeeded: 29, failed: 0 }).percent).toBe(96);
  });

  it('gives an ended job its average rate over the run, not the decaying recent one', () => {
    const ended = { ...base, status: 'completed' as const, succeeded: 30, failed: 0, rate_per_s: null, finished_at: '2026-12-01T10:00:12.000Z' };
    expect(jobFigures(ended)).toEqual({ done: 30, percent: 100, state: 'success', ratePerS: 2.5, successPercent: 100 });
  });

  it('marks a job that ended with failures, or was cancelled, as an exception', () => {
    const failed = { ...base, status: 'completed' as const, succeeded: 28, failed: 2, finished_at: '2026-12-01T10:00:10.000Z' };
    expect(jobFigures(failed).state).toBe('exception');
    expect(jobFigures(failed).successPercent).toBe(93);
    expect(jobFigures({ ...base, status: 'cancelled', finished_at: '2026-12-01T10:00:04.000Z' })).toMatchObject({ state: 'exception', percent: 40, ratePerS: 3 });
  });

  it('counts an empty job as done and a queued one as unknown', () => {
    expect(jobFigures({ ...base, status: 'queued', total: 0, succeeded: 0, failed: 0, rate_per_s: null, started_at: null })).toEqual({ done: 0, percent: 100, state: 'active', ratePerS: null, successPercent: null });
  });
});

describe('averageRate', () => {
  it('counts a run under a second as one second and needs both times', () => {
    expect(averageRate(5, 0, 200)).toBe(5);
    expect(averageRate(5, null, 200)).toBeNull();
    expect(averageRate(0, 0, 2000)).toBeNull();
  });
});
