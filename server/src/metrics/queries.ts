/**
 * Read side of the API run log for the admin UI: a keyset-paginated list of a scenario's API runs, and
 * per-time-bucket metrics (counts, errors by code, p50/p95 latency by nearest rank, tokens), computed in
 * SQL with window functions so only a few rows per bucket leave the database. On either store (the
 * DataStore): the aggregate SQL has a form per dialect, with the same results (queries.test.ts).
 */
import type { ApiRunSummary, MetricsBucket, MetricsBucketSize } from '@shared/v1.js';
import { UsageSchema } from '@shared/usage.js';
import { simulatedModel } from '@shared/simulated.js';
import { and, desc, eq, gte, lt, or, sql, type SQL } from 'drizzle-orm';
import type { DataStore } from '../storage/store.js';
import { binaryText, jsonNumber, jsonText, rawRows, readableJson } from '../storage/dialect-sql.js';

export const BUCKET_MS: Record<MetricsBucketSize, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export interface ApiRunFilter {
  status?: 'succeeded' | 'failed';
  version?: number;
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
  limit: number;
  cursor?: string;
}

/** An opaque cursor naming the last row of a page: its creation time and id. */
export function encodeCursor(createdAt: number, id: string): string {
  return Buffer.from(`${createdAt}|${id}`).toString('base64url');
}

/** The position a cursor names, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string): { createdAt: number; id: string } | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const bar = text.indexOf('|');
  const createdAt = Number(text.slice(0, bar));
  if (bar < 1 || !Number.isSafeInteger(createdAt)) return undefined;
  return { createdAt, id: text.slice(bar + 1) };
}

function str(row: Record<string, unknown>, key: string): string | null {
  const v = row[key];
  return typeof v === 'string' ? v : null;
}
/** A number, also from PostgreSQL's text form of `bigint` and `numeric` results. */
function num(row: Record<string, unknown>, key: string): number | null {
  const v = row[key];
  if (typeof v === 'number') return v;
  return typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null;
}

/** A scenario's API runs, newest first (ties by id, in byte order), one page at a time. */
export async function listApiRuns(store: DataStore, scenarioId: string, filter: ApiRunFilter): Promise<{ items: ApiRunSummary[]; next_cursor: string | null }> {
  const { db, t, dialect } = store;
  const r = t.runs;
  const id = binaryText(dialect, r.id);
  const where: SQL[] = [eq(r.scenarioId, scenarioId), eq(r.kind, 'api')];
  if (filter.status) where.push(eq(r.status, filter.status));
  if (filter.version !== undefined) where.push(eq(r.version, filter.version));
  if (filter.from !== undefined) where.push(gte(r.createdAt, filter.from));
  if (filter.to !== undefined) where.push(lt(r.createdAt, filter.to));
  const after = filter.cursor ? decodeCursor(filter.cursor) : undefined;
  if (after) where.push(or(lt(r.createdAt, after.createdAt), and(eq(r.createdAt, after.createdAt), sql`${id} < ${binaryText(dialect, sql`${after.id}`)}`)) ?? sql`true`);
  const rows = await db
    .select({
      id: r.id,
      version: r.version,
      status: r.status,
      errorCode: jsonText(dialect, readableJson(dialect, r.error), ['code']),
      latencyMs: r.latencyMs,
      usage: r.usage,
      model: r.model,
      apiKeyId: r.apiKeyId,
      createdAt: r.createdAt,
    })
    .from(r)
    .where(and(...where))
    .orderBy(desc(r.createdAt), sql`${id} desc`)
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  const items: ApiRunSummary[] = page.map((row) => {
    const usage = row.usage === null || row.usage === undefined ? undefined : UsageSchema.safeParse(row.usage);
    return {
      id: row.id,
      version: row.version,
      status: row.status === 'running' || row.status === 'succeeded' ? row.status : 'failed',
      error_code: typeof row.errorCode === 'string' ? row.errorCode : null,
      latency_ms: row.latencyMs,
      usage: usage?.success ? usage.data : null,
      model: row.model,
      simulated: simulatedModel(row.model),
      api_key_id: row.apiKeyId,
      created_at: new Date(row.createdAt).toISOString(),
    };
  });
  const last = page.at(-1);
  const next = rows.length > filter.limit && last ? encodeCursor(last.createdAt, last.id) : null;
  return { items, next_cursor: next };
}

/** Per-bucket metrics of a scenario's API runs in [from, to); buckets without runs are left out. */
export async function apiRunMetrics(store: DataStore, scenarioId: string, range: { from: number; to: number; bucket: MetricsBucketSize }): Promise<MetricsBucket[]> {
  const { dialect } = store;
  const pg = dialect === 'postgres';
  const size = sql.raw(String(BUCKET_MS[range.bucket]));
  const code = jsonText(dialect, readableJson(dialect, sql`error`), ['code']);
  const base = sql`select (created_at - (created_at % ${size})) as b, status, latency_ms, ${code} as code, usage
    from runs where scenario_id = ${scenarioId} and kind = 'api' and created_at >= ${range.from} and created_at < ${range.to}`;
  const count = (cond: string) => sql.raw(pg ? `(count(*) filter (where ${cond}))::int` : `sum(${cond})`);
  const tokens = (key: string) => sql`sum(coalesce(${jsonNumber(dialect, sql`usage`, [key])}, 0))`;
  const notInvalid = sql.raw(pg ? "code is distinct from 'invalid_inputs'" : "code is not 'invalid_inputs'");
  const buckets = new Map<number, MetricsBucket>();
  const totalsSql = sql`with r as (${base}) select b, count(*) as runs, ${count("status = 'succeeded'")} as ok, ${count("status = 'failed'")} as failed,
      ${count("code = 'deadline_exceeded'")} as timeouts, ${tokens('prompt_tokens')} as pt, ${tokens('completion_tokens')} as ct
      from r group by b order by b`;
  // Errors by code in byte order (nulls, read as 'unknown', first), as SQLite sorts them: the same JSON on both.
  const errorsSql = sql`with r as (${base}) select b, code, count(*) as n from r where status = 'failed' group by b, code order by b, ${binaryText(dialect, sql`code`)}${sql.raw(pg ? ' nulls first' : '')}`;
  // Nearest rank: the ceil(p·n)-th smallest latency. Runs refused for bad inputs never ran: not counted.
  const percentilesSql = sql`with r as (${base}), ranked as (
      select b, latency_ms, row_number() over (partition by b order by latency_ms) as rn, count(*) over (partition by b) as n
      from r where latency_ms is not null and ${notInvalid})
    select b, latency_ms, rn = (50 * n + 99) / 100 as is50, rn = (95 * n + 99) / 100 as is95 from ranked
    where rn = (50 * n + 99) / 100 or rn = (95 * n + 99) / 100`;
  // PostgreSQL: the three on three pooled connections at once (each parses the runs' JSON; SQLite runs them in turn anyway).
  const [totals, errors, percentiles] = await Promise.all([rawRows(store, totalsSql), rawRows(store, errorsSql), rawRows(store, percentilesSql)]);
  for (const r of totals) {
    const b = num(r, 'b') ?? 0;
    buckets.set(b, {
      start: new Date(b).toISOString(),
      runs: num(r, 'runs') ?? 0,
      succeeded: num(r, 'ok') ?? 0,
      failed: num(r, 'failed') ?? 0,
      timeouts: num(r, 'timeouts') ?? 0,
      errors: {},
      p50_ms: null,
      p95_ms: null,
      prompt_tokens: num(r, 'pt') ?? 0,
      completion_tokens: num(r, 'ct') ?? 0,
    });
  }
  for (const r of errors) {
    const bucket = buckets.get(num(r, 'b') ?? 0);
    if (bucket) bucket.errors[str(r, 'code') ?? 'unknown'] = num(r, 'n') ?? 0;
  }
  for (const r of percentiles) {
    const bucket = buckets.get(num(r, 'b') ?? 0);
    if (!bucket) continue;
    if (r.is50 === 1 || r.is50 === true) bucket.p50_ms = num(r, 'latency_ms');
    if (r.is95 === 1 || r.is95 === true) bucket.p95_ms = num(r, 'latency_ms');
  }
  return [...buckets.values()];
}
