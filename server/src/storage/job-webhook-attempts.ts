/**
 * Bookkeeping of jobs' completion webhooks, on either store: each delivery attempt in
 * `job_webhook_attempts` (one row per attempt number), the job marked delivered at the first 2xx, and
 * the ended jobs still owed one. The JobStore (./jobs.ts) offers them as its methods.
 */
import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import { jobColumns, type JobRow } from './job-rows.js';
import type { DataStore } from './store.js';

/** Records attempt `attempt` (written again when repeated); a 2xx `status` marks the job's webhook delivered at `now`. */
export async function recordWebhookAttempt(store: DataStore, jobId: string, attempt: number, status: number | null, error: string | null, now: number): Promise<void> {
  await store.transaction(async (tx) => {
    const { db, t } = tx;
    const w = t.jobWebhookAttempts;
    await db.insert(w).values({ jobId, attempt, at: now, status, error }).onConflictDoUpdate({ target: [w.jobId, w.attempt], set: { at: now, status, error } });
    if (status !== null && status >= 200 && status < 300) await db.update(t.jobs).set({ webhookDeliveredAt: now }).where(eq(t.jobs.id, jobId));
  });
}

/** How many attempts of the job's webhook were recorded. */
export async function countWebhookAttempts(store: DataStore, jobId: string): Promise<number> {
  const { db, t } = store;
  const [row] = await db.select({ n: count() }).from(t.jobWebhookAttempts).where(eq(t.jobWebhookAttempts.jobId, jobId));
  return Number(row?.n ?? 0);
}

/** Ended jobs with a webhook URL never delivered, oldest first. */
export async function undeliveredWebhookJobs(store: DataStore): Promise<JobRow[]> {
  const { db, t } = store;
  const rows = await db
    .select(jobColumns(t))
    .from(t.jobs)
    .where(and(inArray(t.jobs.status, ['completed', 'cancelled']), sql`${t.jobs.webhookUrl} is not null`, sql`${t.jobs.webhookDeliveredAt} is null`))
    .orderBy(asc(t.jobs.createdAt), asc(t.jobs.id));
  return rows as JobRow[];
}
