import { describe, expect, it } from 'vitest';
import { jobLeaseMsFromEnv, maintenanceSecondsFor, MAX_JOB_LEASE_MS, MIN_JOB_LEASE_MS } from './lease-config.js';

describe('jobLeaseMsFromEnv', () => {
  it('is undefined when unset or blank, so the runner default applies', () => {
    expect(jobLeaseMsFromEnv({})).toBeUndefined();
    expect(jobLeaseMsFromEnv({ MOFANG_JOB_LEASE_MS: '  ' })).toBeUndefined();
  });

  it('reads whole milliseconds within the bounds', () => {
    expect(jobLeaseMsFromEnv({ MOFANG_JOB_LEASE_MS: '10000' })).toBe(10_000);
    expect(jobLeaseMsFromEnv({ MOFANG_JOB_LEASE_MS: String(MIN_JOB_LEASE_MS) })).toBe(MIN_JOB_LEASE_MS);
    expect(jobLeaseMsFromEnv({ MOFANG_JOB_LEASE_MS: String(MAX_JOB_LEASE_MS) })).toBe(MAX_JOB_LEASE_MS);
  });

  it('names the variable when the value is not a usable lease', () => {
    expect(() => jobLeaseMsFromEnv({ MOFANG_JOB_LEASE_MS: 'soon' })).toThrow(/MOFANG_JOB_LEASE_MS must be a whole number/);
    expect(() => jobLeaseMsFromEnv({ MOFANG_JOB_LEASE_MS: '1500.5' })).toThrow(/MOFANG_JOB_LEASE_MS must be a whole number/);
    expect(() => jobLeaseMsFromEnv({ MOFANG_JOB_LEASE_MS: '4999' })).toThrow(/MOFANG_JOB_LEASE_MS must be at least 5000/);
    expect(() => jobLeaseMsFromEnv({ MOFANG_JOB_LEASE_MS: String(MAX_JOB_LEASE_MS + 1) })).toThrow(/at most/);
  });
});

describe('maintenanceSecondsFor', () => {
  it('looks for expired slices every half lease, between 1 s and 30 s', () => {
    expect(maintenanceSecondsFor(10_000)).toBe(5);
    expect(maintenanceSecondsFor(5_000)).toBe(3);
    expect(maintenanceSecondsFor(1_000)).toBe(1);
    expect(maintenanceSecondsFor(300_000)).toBe(30);
  });
});
