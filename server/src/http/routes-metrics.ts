/**
 * Admin API over the API run log: `GET /api/scenarios/:id/api-runs` (newest first, keyset pagination)
 * and `GET /api/scenarios/:id/metrics` (per minute, hour or day).
 */
import { Router } from 'express';
import { z } from 'zod';
import { MetricsBucketSizeSchema, type ApiRunsPage, type MetricsReply } from '@shared/v1.js';
import { eq } from 'drizzle-orm';
import type { DataStore } from '../storage/store.js';
import { HttpError, parseBody } from './errors.js';
import { allow } from './access.js';
import { apiRunMetrics, BUCKET_MS, decodeCursor, listApiRuns } from '../metrics/queries.js';

/** A time as ISO 8601 or epoch milliseconds. */
const Time = z
  .string()
  .transform((s, ctx) => {
    const ms = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 time or epoch milliseconds', params: { rule: 'time_or_epoch' } });
      return z.NEVER;
    }
    return ms;
  })
  .optional();

const RunsQuerySchema = z.object({
  status: z.enum(['succeeded', 'failed']).optional(),
  version: z.coerce.number().int().min(1).optional(),
  from: Time,
  to: Time,
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z
    .string()
    .refine((c) => decodeCursor(c) !== undefined, { message: 'is not a cursor from a previous page', params: { rule: 'page_cursor' } })
    .optional(),
});

const MetricsQuerySchema = z.object({ from: Time, to: Time, bucket: MetricsBucketSizeSchema.default('hour') });

/** Default window per bucket size when `from` is not given. */
const DEFAULT_SPAN: Record<z.infer<typeof MetricsBucketSizeSchema>, number> = { minute: 3_600_000, hour: 86_400_000, day: 30 * 86_400_000 };
/** More buckets than this is a request for a different bucket size. */
const MAX_BUCKETS = 5000;

async function scenarioExists(store: DataStore, id: string): Promise<boolean> {
  const { db, t } = store;
  const [row] = await db.select({ id: t.scenarios.id }).from(t.scenarios).where(eq(t.scenarios.id, id)).limit(1);
  return row !== undefined;
}

function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  try {
    return parseBody(schema, query);
  } catch (error) {
    if (error instanceof HttpError) throw new HttpError(400, 'invalid_query', error.message.replace('request body', 'query'), error.details);
    throw error;
  }
}

/** The routes (mount on the `/api` router). */
export function metricsRoutes(store: DataStore): Router {
  const router = Router();
  router.get('/scenarios/:id/api-runs', allow('runs:read'), async (req, res) => {
    if (!(await scenarioExists(store, req.params.id))) throw new HttpError(404, 'not_found', `no scenario with id "${req.params.id}"`);
    const q = parseQuery(RunsQuerySchema, req.query);
    const page: ApiRunsPage = await listApiRuns(store, req.params.id, q);
    res.json(page);
  });
  router.get('/scenarios/:id/metrics', allow('runs:read'), async (req, res) => {
    if (!(await scenarioExists(store, req.params.id))) throw new HttpError(404, 'not_found', `no scenario with id "${req.params.id}"`);
    const q = parseQuery(MetricsQuerySchema, req.query);
    const to = q.to ?? Date.now();
    const from = q.from ?? to - DEFAULT_SPAN[q.bucket];
    if (from >= to) throw new HttpError(400, 'invalid_query', '"from" must be before "to"');
    if ((to - from) / BUCKET_MS[q.bucket] > MAX_BUCKETS) throw new HttpError(400, 'invalid_query', `too many ${q.bucket} buckets between "from" and "to" (at most ${MAX_BUCKETS})`);
    const reply: MetricsReply = { from: new Date(from).toISOString(), to: new Date(to).toISOString(), bucket: q.bucket, buckets: await apiRunMetrics(store, req.params.id, { from, to, bucket: q.bucket }) };
    res.json(reply);
  });
  return router;
}
