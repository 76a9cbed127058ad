/**
 * How long a server's claim on batch-job items lasts before another server may take them over
 * (`MOFANG_JOB_LEASE_MS`, optional): on PostgreSQL it is pg-boss's expiry of a fetched slice and the age
 * past which a running item of a silent server is reclaimed. Unset: 2 × the item deadline + 60 s
 * (300,000 ms). A short lease (the cluster bench uses 10 s) recovers a killed server's items sooner, but
 * an item slower than the lease may then run twice (its outcome is still written once).
 */
import { z } from 'zod';

/** The shortest lease accepted, in ms (pg-boss counts expiry in whole seconds). */
export const MIN_JOB_LEASE_MS = 5_000;
/** The longest lease accepted, in ms (one day). */
export const MAX_JOB_LEASE_MS = 86_400_000;

const LeaseEnvSchema = z.object({
  MOFANG_JOB_LEASE_MS: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.coerce
      .number({ message: 'MOFANG_JOB_LEASE_MS must be a whole number of milliseconds' })
      .int('MOFANG_JOB_LEASE_MS must be a whole number of milliseconds')
      .min(MIN_JOB_LEASE_MS, `MOFANG_JOB_LEASE_MS must be at least ${MIN_JOB_LEASE_MS}`)
      .max(MAX_JOB_LEASE_MS, `MOFANG_JOB_LEASE_MS must be at most ${MAX_JOB_LEASE_MS}`)
      .optional(),
  ),
});

/** The job lease in ms, or undefined when unset (the runner's default applies); throws an Error naming the variable when bad. */
export function jobLeaseMsFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const parsed = LeaseEnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data.MOFANG_JOB_LEASE_MS;
}

/**
 * Seconds between pg-boss maintenance passes (which expire slices past their lease) for a lease of
 * `leaseMs`: every lease / 2, at least 1 s and at most pg-boss's default 30 s, so a killed server's
 * slices are redelivered within about 1.5 leases.
 */
export function maintenanceSecondsFor(leaseMs: number): number {
  return Math.max(1, Math.min(30, Math.ceil(leaseMs / 2000)));
}
