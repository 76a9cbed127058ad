/** Helpers for reading `MOFANG_…` settings from the environment with zod, shared by every config module. */
import { z } from 'zod';

/** Blank variables count as unset (`PORT= npm start` means the default, not port 0). */
export const blankAsUnset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** A whole-number setting between `min` and `max`, undefined when unset or blank; every message names the variable. */
export function wholeNumber(name: string, range: { min: number; max: number }) {
  const value = z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(range.min, `${name} must be at least ${range.min}`)
    .max(range.max, `${name} must be at most ${range.max}`);
  return z.preprocess(blankAsUnset, value.optional());
}
