/**
 * The inspection dashboard: aggregates over the outputs of an audit-shaped scenario's job items,
 * computed in SQLite with json_extract / json_each over the stored rows (nothing is loaded whole), for
 * one job or a time range over every job of the scenario.
 */
import Database from 'better-sqlite3';
import type { AuditDashboard, DashboardQuery, ItemStat, TrendInterval, TrendPoint } from '@shared/dashboard.js';
import type { Db } from '../storage/db.js';
import type { SqlReader } from './dashboard-reader.js';

/** The better-sqlite3 handle under drizzle (the dashboard reads with prepared SQL). */
export function sqliteOf(db: Db): Database.Database {
  if (!('$client' in db && db.$client instanceof Database)) throw new Error('the dashboard needs a better-sqlite3 connection');
  return db.$client;
}

/** Named parameters of a statement. */
export type Params = Record<string, string | number>;

/** Which items a dashboard reads: the scenario's, of one job or finished inside a time range. */
export interface Scope {
  scenarioId: string;
  jobId?: string;
  from?: number;
  to?: number;
}

/** The scope of a query string. */
export function scopeOf(scenarioId: string, query: DashboardQuery): Scope {
  return { scenarioId, jobId: query.job_id, from: query.from, to: query.to };
}

/**
 * A `calls` CTE: the scope's succeeded items of batch jobs with their score and verdict pulled out of the outputs.
 * `status` picks other items (the failed runs) for the count of those.
 */
export function callsCte(scope: Scope, status: 'succeeded' | 'failed' = 'succeeded'): { sql: string; params: Params } {
  // An evaluation's jobs run test cases, not the scenario's calls: never in its dashboard.
  const where = ['j.scenario_id = @scenario', "j.purpose = 'batch'", `ji.status = '${status}'`];
  const params: Params = { scenario: scope.scenarioId };
  if (status === 'succeeded') where.push('ji.outputs is not null', 'json_valid(ji.outputs)');
  if (scope.jobId !== undefined) {
    where.push('ji.job_id = @job');
    params.job = scope.jobId;
  }
  if (scope.from !== undefined) {
    where.push('ji.finished_at >= @from');
    params.from = scope.from;
  }
  if (scope.to !== undefined) {
    where.push('ji.finished_at < @to');
    params.to = scope.to;
  }
  const score = status === 'succeeded' ? "json_extract(ji.outputs, '$.score')" : 'null';
  const verdict = status === 'succeeded' ? "json_extract(ji.outputs, '$.verdict')" : 'null';
  const sql = `with calls as (
    select ji.job_id, ji.seq, ji.item_id, ji.run_id, ji.finished_at, ji.outputs,
      case when typeof(${score}) in ('integer', 'real') then ${score} end as score, ${verdict} as verdict
    from job_items ji join jobs j on j.id = ji.job_id
    where ${where.join(' and ')})`;
  return { sql, params };
}

/** The histogram bar of `score` in SQL: the same bars as `scoreBucket` in shared/src/dashboard.ts. */
export const SCORE_BUCKET_SQL = 'case when score = 100 then 90 else max(0, cast(score / 10 as integer) * 10) end';

/** The audit items of a call, one row each (`it.value` is the item object). */
export const ITEMS_JOIN = "json_each(c.outputs, '$.items') it";
export const ITEMS_WHERE = "json_type(c.outputs, '$.items') = 'array' and it.type = 'object'";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function round(n: number | null, digits = 2): number | null {
  if (n === null) return null;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

function numOrNull(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
}

/** The trend's interval: the asked one, or hours when the calls span two days or less. */
export function chooseInterval(asked: TrendInterval | undefined, first: number | null, last: number | null): TrendInterval {
  if (asked) return asked;
  return first === null || last === null || last - first <= 2 * DAY ? 'hour' : 'day';
}

/**
 * The dashboard of an audit-shaped scenario over `scope`: score histogram (bars of 10 from 0 to 100),
 * verdict counts, per-item pass/fail/na, fatal hits per red-line item, and the trend per hour or day
 * cut in the zone `tzMinutes` east of UTC. The SQL runs through `read` (off the request thread).
 */
export async function computeDashboard(read: SqlReader, scope: Scope, options: { interval?: TrendInterval; tzMinutes?: number } = {}): Promise<AuditDashboard> {
  const cte = callsCte(scope);
  const failed = callsCte(scope, 'failed');
  const [[summary = {}], [failedRow = {}]] = await read([
    { sql: `${cte.sql} select count(*) as calls, avg(score) as mean, min(finished_at) as first, max(finished_at) as last from calls`, params: cte.params },
    { sql: `${failed.sql} select count(*) as n from calls`, params: failed.params },
  ]);
  const first = numOrNull(summary.first);
  const last = numOrNull(summary.last);
  const interval = chooseInterval(options.interval, first, last);
  const size = interval === 'hour' ? HOUR : DAY;
  const shift = (options.tzMinutes ?? 0) * 60_000;
  const [histogram, verdictRows, itemRows, trendRows] = await read([
    { sql: `${cte.sql} select ${SCORE_BUCKET_SQL} as lo, count(*) as n from calls where score is not null group by lo`, params: cte.params },
    { sql: `${cte.sql} select verdict, count(*) as n from calls group by verdict order by n desc`, params: cte.params },
    {
      sql: `${cte.sql} select json_extract(it.value, '$.id') as audit_item, max(json_extract(it.value, '$.name')) as name,
         max(coalesce(json_extract(it.value, '$.fatal'), 0)) as fatal,
         sum(json_extract(it.value, '$.result') = 'fail') as fail, sum(json_extract(it.value, '$.result') = 'pass') as pass,
         sum(json_extract(it.value, '$.result') = 'na') as na, count(*) as total
       from calls c, ${ITEMS_JOIN} where ${ITEMS_WHERE} and json_extract(it.value, '$.id') is not null
       group by audit_item order by min(it.key), audit_item`,
      params: cte.params,
    },
    {
      sql: `${cte.sql} select cast((finished_at + @shift) / @size as integer) as slot, count(*) as calls, avg(score) as mean,
         sum(verdict = 'fail') as fails from calls where finished_at is not null group by slot order by slot`,
      params: { ...cte.params, shift, size },
    },
  ]);

  const bars = new Map<number, number>();
  for (let lo = 0; lo < 100; lo += 10) bars.set(lo, 0);
  for (const r of histogram) bars.set(num(r.lo), num(r.n));
  const score = [...bars.entries()].sort((a, b) => a[0] - b[0]).map(([lo, count]) => ({ from: lo, to: lo + 10, count }));
  const verdicts = verdictRows.map((r) => ({ verdict: r.verdict === null ? 'none' : text(r.verdict), count: num(r.n) }));
  const items: ItemStat[] = itemRows.map((r) => ({
    id: text(r.audit_item),
    name: text(r.name) || text(r.audit_item),
    fatal: num(r.fatal) === 1,
    fail: num(r.fail),
    pass: num(r.pass),
    na: num(r.na),
    total: num(r.total),
  }));
  const fatal = items.filter((i) => i.fatal).map((i) => ({ id: i.id, name: i.name, hits: i.fail }));
  const trend: TrendPoint[] = trendRows.map((r) => {
    const calls = num(r.calls);
    return {
      start: new Date(num(r.slot) * size - shift).toISOString(),
      calls,
      mean_score: round(numOrNull(r.mean)),
      fail_rate: calls === 0 ? null : round(num(r.fails) / calls, 4),
    };
  });

  return {
    audit: true,
    job_id: scope.jobId ?? null,
    from: scope.from === undefined ? null : new Date(scope.from).toISOString(),
    to: scope.to === undefined ? null : new Date(scope.to).toISOString(),
    calls: num(summary.calls),
    failed_runs: num(failedRow.n),
    mean_score: round(numOrNull(summary.mean)),
    score,
    verdicts,
    items,
    fatal,
    trend: { interval, points: trend },
  };
}
