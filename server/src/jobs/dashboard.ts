/**
 * The inspection dashboard: aggregates over the outputs of an audit-shaped scenario's job items,
 * computed in the database over the stored rows (nothing is loaded whole), for one job or a time range
 * over every job of the scenario. On either store: SQLite's SQL runs on a reader thread, PostgreSQL's on
 * the pool over the outputs' stored extraction (./dashboard-sql.ts has both forms, ./dashboard-reader.ts
 * runs them).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { AuditDashboard, DashboardQuery, ItemStat, TrendInterval, TrendPoint } from '@shared/dashboard.js';
import { loggableMessage } from '../storage/db-errors.js';
import { rawRows } from '../storage/dialect-sql.js';
import type { DataStore } from '../storage/store.js';
import { dashboardSql, type Scope } from './dashboard-sql.js';
import { dashboardReader, type SqlReader } from './dashboard-reader.js';

/** Which items a dashboard reads (the scenario's, of one job or finished inside a time range). */
export type { Scope } from './dashboard-sql.js';

/** The scope of a query string. */
export function scopeOf(scenarioId: string, query: DashboardQuery): Scope {
  return { scenarioId, jobId: query.job_id, from: query.from, to: query.to };
}


/** The reader of one dashboard request over `scope` (./dashboard-reader.ts): on PostgreSQL it first stores what is not extracted yet. */
export function scopeReader(store: DataStore, scope: Scope): SqlReader {
  const fill = dashboardSql(store.dialect).fill?.(scope);
  return dashboardReader(store, fill && { scenarioId: scope.scenarioId, sql: fill });
}

/** Succeeded items whose extraction one statement stores, at most. */
const EXTRACT_BATCH = 1000;

/**
 * PostgreSQL: a listener for JobService.onItemsSucceeded that stores the dashboard's extraction of each
 * succeeded item's outputs (`job_items.audit`, ./dashboard-sql.ts) soon after it is written, one statement
 * per batch and one batch at a time, so a dashboard's first read finds them extracted. Best effort: a
 * failed batch is logged (the read extracts what is missing itself). Undefined on SQLite, which reads the
 * outputs text directly.
 */
export function auditExtractor(store: DataStore, log: (line: string) => void = (line) => console.error(line)): AuditExtractor | undefined {
  const fillItems = dashboardSql(store.dialect).fillItems;
  if (!fillItems) return undefined;
  const waiting: Array<{ jobId: string; seq: number }> = [];
  let draining: Promise<void> | undefined;
  const drain = async () => {
    while (waiting.length > 0) {
      const batch = waiting.splice(0, EXTRACT_BATCH);
      await rawRows(store, fillItems(batch)).catch((error: unknown) => log(`[mofang] dashboard: storing the extraction of ${batch.length} calls failed: ${loggableMessage(error)}`));
    }
  };
  const fillSome = dashboardSql(store.dialect).fillSome;
  return {
    async backfill(signal) {
      let stored = 0;
      while (fillSome && !signal?.aborted) {
        let n: number;
        try {
          n = (await rawRows(store, fillSome(EXTRACT_BATCH))).length;
        } catch (error) {
          if (!signal?.aborted) log(`[mofang] dashboard: storing the extraction of older calls stopped after ${stored}: ${loggableMessage(error)}`);
          break;
        }
        stored += n;
        if (n < EXTRACT_BATCH) break;
      }
      return stored;
    },
    add(items) {
      for (const { jobId, seq } of items) waiting.push({ jobId, seq });
      draining ??= drain().finally(() => (draining = undefined));
    },
    settled: async () => {
      while (draining) await draining;
    },
  };
}

/** See {@link auditExtractor}. */
export interface AuditExtractor {
  /** Queues succeeded items (job id, seq) for extraction; never throws. */
  add(items: ReadonlyArray<{ jobId: string; seq: number }>): void;
  /** Resolves once every queued item was tried. */
  settled(): Promise<void>;
  /**
   * Stores the extraction of every succeeded batch item that has none yet (rows written before the
   * extraction at write, or copied by `mofang migrate-store`), EXTRACT_BATCH at a time, until none is left
   * or `signal` aborts; servers doing it at once skip each other's rows. Resolves with how many it stored;
   * a failure is logged and ends it (dashboard reads extract what is missing themselves).
   */
  backfill(signal?: AbortSignal): Promise<number>;
}

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
export async function computeDashboard(store: DataStore, scope: Scope, options: { interval?: TrendInterval; tzMinutes?: number } = {}): Promise<AuditDashboard> {
  const read = scopeReader(store, scope);
  const d = dashboardSql(store.dialect);
  const cte = d.calls(scope);
  const [[summary = {}], [failedRow = {}]] = await read([
    sql`${cte} select ${d.count} as calls, avg(score) as mean, ${d.time(sql`min(finished_at)`)} as first, ${d.time(sql`max(finished_at)`)} as last from calls`,
    sql`${d.calls(scope, 'failed')} select ${d.count} as n from calls`,
  ]);
  const first = numOrNull(summary.first);
  const last = numOrNull(summary.last);
  const interval = chooseInterval(options.interval, first, last);
  const size = interval === 'hour' ? HOUR : DAY;
  const shift = (options.tzMinutes ?? 0) * 60_000;
  const [histogram, verdictRows, itemRows, trendRows] = await read([
    sql`${cte} select ${d.scoreBucket} as lo, ${d.count} as n from calls where score is not null group by lo`,
    sql`${cte} select verdict, ${d.count} as n from calls group by verdict order by n desc, ${d.ordered(sql`verdict`)}`,
    sql`${cte} select ${d.item('id')} as audit_item, max(${d.binary(d.item('name'))}) as name, ${d.fatalAggregate} as fatal,
         ${d.countIf(sql`${d.item('result')} = 'fail'`)} as fail, ${d.countIf(sql`${d.item('result')} = 'pass'`)} as pass,
         ${d.countIf(sql`${d.item('result')} = 'na'`)} as na, ${d.count} as total
       from calls c, ${d.items} where ${d.itemsWhere} and ${d.item('id')} is not null
       group by audit_item order by min(${d.itemKey}), ${d.ordered(d.item('id'))}`,
    sql`${cte} select ${d.slot(shift, size)} as slot, ${d.count} as calls, avg(score) as mean,
         ${d.countIf(sql`verdict = 'fail'`)} as fails from calls where finished_at is not null group by slot order by slot`,
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
