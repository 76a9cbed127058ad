import { describe, expect, it } from 'vitest';
import { bumpSemver, sortVersionsDesc } from './template-api';
import { compareSemver, SemverSchema } from './templates';

describe('template versions (semver)', () => {
  it('compares by precedence, not as text', () => {
    expect(compareSemver('1.10.0', '1.9.0')).toBeGreaterThan(0);
    expect(compareSemver('2.0.0', '10.0.0')).toBeLessThan(0);
    expect(compareSemver('1.2.3', '1.2.3')).toBe(0);
    expect(sortVersionsDesc(['1.2.0', '1.10.0', '0.9.9', '1.9.0'])).toEqual(['1.10.0', '1.9.0', '1.2.0', '0.9.9']);
  });

  it('bumps major, minor and patch, resetting the lower parts', () => {
    expect(bumpSemver('1.2.3', 'major')).toBe('2.0.0');
    expect(bumpSemver('1.2.3', 'minor')).toBe('1.3.0');
    expect(bumpSemver('1.2.3', 'patch')).toBe('1.2.4');
    expect(() => bumpSemver('1.2', 'patch')).toThrow(TypeError);
  });

  it('accepts MAJOR.MINOR.PATCH only, without leading zeros or pre-release parts', () => {
    expect(SemverSchema.safeParse('1.2.0').success).toBe(true);
    for (const bad of ['1.2', '01.2.0', '1.2.0-beta.1', 'v1.2.0', '1.2.0+build']) expect(SemverSchema.safeParse(bad).success).toBe(false);
  });
});
