/**
 * Read side of the API run log for the admin UI: a keyset-paginated list of a scenario's API runs, and
 * per-time-bucket metrics (counts, errors by code, p50/p95 latency by nearest rank, tokens), computed in
 * SQL with window functions so only a few rows per bucket leave the database.
 */
import type { ApiRunSummary, MetricsBucket, MetricsBucketSize } from '@shared/v1.js';
import { UsageSchema } from '@shared/usage.js';
import { simulatedModel } from '@shared/simulated.js';
import type { Db } from '../storage/db.js';
import { parseJson } from '@shared/json.js';
import { jsonExtractSql } from '../storage/json-column.js';
import { sqliteOf } from '../storage/sqlite.js';

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
function num(row: Record<string, unknown>, key: string): number | null {
  const v = row[key];
  return typeof v === 'number' ? v : null;
}
function rowsOf(value: unknown[]): Array<Record<string, unknown>> {
  return value.filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null);
}

/** A scenario's API runs, newest first, one page at a time. */
export function listApiRuns(db: Db, scenarioId: string, filter: ApiRunFilter): { items: ApiRunSummary[]; next_cursor: string | null } {
  const where = ["scenario_id = ?", "kind = 'api'"];
  const params: Array<string | number> = [scenarioId];
  if (filter.status) (where.push('status = ?'), params.push(filter.status));
  if (filter.version !== undefined) (where.push('version = ?'), params.push(filter.version));
  if (filter.from !== undefined) (where.push('created_at >= ?'), params.push(filter.from));
  if (filter.to !== undefined) (where.push('created_at < ?'), params.push(filter.to));
  const after = filter.cursor ? decodeCursor(filter.cursor) : undefined;
  if (after) (where.push('(created_at < ? or (created_at = ? and id < ?))'), params.push(after.createdAt, after.createdAt, after.id));
  const rows = rowsOf(
    sqliteOf(db)
      .prepare(
        `select id, version, status, ${jsonExtractSql('error', '$.code')} as error_code, latency_ms, usage, model, api_key_id, created_at
         from runs where ${where.join(' and ')} order by created_at desc, id desc limit ?`,
      )
      .all(...params, filter.limit + 1),
  );
  const page = rows.slice(0, filter.limit);
  const items: ApiRunSummary[] = page.map((r) => {
    const usageText = str(r, 'usage');
    const usage = usageText ? UsageSchema.safeParse(parseJson(usageText)) : undefined;
    const status = r.status === 'running' || r.status === 'succeeded' ? r.status : 'failed';
    return {
      id: String(r.id),
      version: num(r, 'version'),
      status,
      error_code: str(r, 'error_code'),
      latency_ms: num(r, 'latency_ms'),
      usage: usage?.success ? usage.data : null,
      model: str(r, 'model'),
      simulated: simulatedModel(str(r, 'model')),
      api_key_id: str(r, 'api_key_id'),
      created_at: new Date(num(r, 'created_at') ?? 0).toISOString(),
    };
  });
  const last = page.at(-1);
  const next = rows.length > filter.limit && last ? encodeCursor(num(last, 'created_at') ?? 0, String(last.id)) : null;
  return { items, next_cursor: next };
}

/** Per-bucket metrics of a scenario's API runs in [from, to); buckets without runs are left out. */
export function apiRunMetrics(db: Db, scenarioId: string, range: { from: number; to: number; bucket: MetricsBucketSize }): MetricsBucket[] {
  const size = BUCKET_MS[range.bucket];
  const base = `select (created_at - (created_at % ${size})) as b, status, latency_ms, ${jsonExtractSql('error', '$.code')} as code, usage
    from runs where scenario_id = ? and kind = 'api' and created_at >= ? and created_at < ?`;
  const params = [scenarioId, range.from, range.to];
  const buckets = new Map<number, MetricsBucket>();
  for (const r of rowsOf(
    sqliteOf(db)
      .prepare(
        `with r as (${base}) select b, count(*) as runs, sum(status = 'succeeded') as ok, sum(status = 'failed') as failed,
         sum(code is 'deadline_exceeded') as timeouts,
         sum(coalesce(${jsonExtractSql('usage', '$.prompt_tokens')}, 0)) as pt, sum(coalesce(${jsonExtractSql('usage', '$.completion_tokens')}, 0)) as ct
         from r group by b order by b`,
      )
      .all(...params),
  )) {
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
  for (const r of rowsOf(sqliteOf(db).prepare(`with r as (${base}) select b, code, count(*) as n from r where status = 'failed' group by b, code`).all(...params))) {
    const bucket = buckets.get(num(r, 'b') ?? 0);
    if (bucket) bucket.errors[str(r, 'code') ?? 'unknown'] = num(r, 'n') ?? 0;
  }
  // Nearest rank: the ceil(p·n)-th smallest latency. Runs refused for bad inputs never ran: not counted.
  const percentiles = `with r as (${base}), ranked as (
      select b, latency_ms, row_number() over (partition by b order by latency_ms) as rn, count(*) over (partition by b) as n
      from r where latency_ms is not null and code is not 'invalid_inputs')
    select b, latency_ms, rn = (50 * n + 99) / 100 as is50, rn = (95 * n + 99) / 100 as is95 from ranked
    where rn = (50 * n + 99) / 100 or rn = (95 * n + 99) / 100`;
  for (const r of rowsOf(sqliteOf(db).prepare(percentiles).all(...params))) {
    const bucket = buckets.get(num(r, 'b') ?? 0);
    if (!bucket) continue;
    if (r.is50 === 1) bucket.p50_ms = num(r, 'latency_ms');
    if (r.is95 === 1) bucket.p95_ms = num(r, 'latency_ms');
  }
  return [...buckets.values()];
}
