/**
 * The inspection dashboard's SQL pieces, one form per dialect with the same results (dashboard-stores.test.ts
 * fills both stores alike and compares every answer). SQLite reads the outputs text with json_extract /
 * json_each, guarded by json_valid; PostgreSQL (where `job_items.outputs` is text) casts it to `json` once
 * per row in the `calls` CTE (column `o`, read with U+FFFD for `\u0000`: see readableJson) and reads it with
 * `->` / `->>` / json_array_elements, the database doing the work on its own processes. Every piece is a
 * drizzle `sql` fragment; values are bound parameters, never pasted.
 */
import { sql, type SQL } from 'drizzle-orm';
import { readableJson } from '../storage/dialect-sql.js';
import type { Dialect } from '../storage/store.js';

/** Which items a dashboard reads: the scenario's, of one job or finished inside a time range. */
export interface Scope {
  scenarioId: string;
  jobId?: string;
  from?: number;
  to?: number;
}

/** The SQL of one dialect. Queries over the `calls` CTE use the alias `c`; item rows are `it` (`it.value`, `it.key`). */
export interface DashboardSql {
  /**
   * `with calls as (…)`: the scope's succeeded items of batch jobs (score, verdict pulled out of the
   * outputs), or with `failed` the failed ones (for their count).
   */
  calls(scope: Scope, status?: 'succeeded' | 'failed'): SQL;
  /** The histogram bar of `score`: the same bars as `scoreBucket` in shared/src/dashboard.ts. */
  scoreBucket: SQL;
  /** From-clause of the audit items of call `c`, one row each, and the condition that keeps objects. */
  items: SQL;
  itemsWhere: SQL;
  /** A field of the item `it.value` (scalar, text on PostgreSQL). */
  item(key: 'id' | 'name' | 'result'): SQL;
  /** 1 when the scope's rows of one audit item say it is a red line (max of fatal, as SQLite compares). */
  fatalAggregate: SQL;
  /** The item's `fatal` is true (or 1). */
  fatalTrue: SQL;
  /** How many rows hold `cond`, as a number. */
  countIf(cond: SQL): SQL;
  /** count(*) as a number. */
  count: SQL;
  /** A time (bigint on PostgreSQL) as a number. */
  time(expr: SQL): SQL;
  /** Entries of the call's `fatal` list (0 when it is not a list). */
  fatalLength: SQL;
  /** Text compared in byte order, as SQLite compares it. */
  binary(expr: SQL): SQL;
  /** An ORDER BY term: text in byte order, nulls first, as SQLite sorts them. */
  ordered(expr: SQL): SQL;
  /** Descending, nulls last as SQLite sorts them. */
  descNullsLast(expr: SQL): SQL;
  /** The trend's slot of a finish time: (finished_at + shift) / size, truncated. */
  slot(shift: number, size: number): SQL;
}

function where(scope: Scope, status: 'succeeded' | 'failed', pg: boolean): SQL {
  // An evaluation's jobs run test cases, not the scenario's calls: never in its dashboard.
  const parts: SQL[] = [sql`j.scenario_id = ${scope.scenarioId}`, sql`j.purpose = 'batch'`, sql`ji.status = ${status}`];
  if (status === 'succeeded') parts.push(pg ? sql`ji.outputs is not null` : sql`ji.outputs is not null and json_valid(ji.outputs)`);
  if (scope.jobId !== undefined) parts.push(sql`ji.job_id = ${scope.jobId}`);
  if (scope.from !== undefined) parts.push(sql`ji.finished_at >= ${scope.from}`);
  if (scope.to !== undefined) parts.push(sql`ji.finished_at < ${scope.to}`);
  return sql.join(parts, sql` and `);
}

const sqlite: DashboardSql = {
  calls(scope, status = 'succeeded') {
    const score = status === 'succeeded' ? sql`json_extract(ji.outputs, '$.score')` : sql`null`;
    const verdict = status === 'succeeded' ? sql`json_extract(ji.outputs, '$.verdict')` : sql`null`;
    return sql`with calls as (
    select ji.job_id, ji.seq, ji.item_id, ji.run_id, ji.finished_at, ji.outputs,
      case when typeof(${score}) in ('integer', 'real') then ${score} end as score, ${verdict} as verdict
    from job_items ji join jobs j on j.id = ji.job_id
    where ${where(scope, status, false)})`;
  },
  scoreBucket: sql`(case when score = 100 then 90 else max(0, cast(score / 10 as integer) * 10) end)`,
  items: sql`json_each(c.outputs, '$.items') it`,
  itemsWhere: sql`json_type(c.outputs, '$.items') = 'array' and it.type = 'object'`,
  item: (key) => sql`json_extract(it.value, ${sql.raw(`'$.${key}'`)})`,
  fatalAggregate: sql`max(coalesce(json_extract(it.value, '$.fatal'), 0))`,
  fatalTrue: sql`json_extract(it.value, '$.fatal') = 1`,
  countIf: (cond) => sql`coalesce(sum(${cond}), 0)`,
  count: sql`count(*)`,
  time: (expr) => expr,
  fatalLength: sql`coalesce(json_array_length(c.outputs, '$.fatal'), 0)`,
  binary: (expr) => expr,
  ordered: (expr) => expr,
  descNullsLast: (expr) => sql`${expr} desc`,
  slot: (shift, size) => sql`cast((finished_at + ${shift}) / ${size} as integer)`,
};

const postgres: DashboardSql = {
  calls(scope, status = 'succeeded') {
    if (status === 'failed') {
      return sql`with calls as (
    select ji.job_id, ji.seq, ji.item_id, ji.run_id, ji.finished_at, ji.outputs, null::json as o, null::float8 as score, null::text as verdict
    from job_items ji join jobs j on j.id = ji.job_id
    where ${where(scope, status, true)})`;
    }
    // SQLite's json_extract gives true/false as 1/0: the verdict reads the same.
    return sql`with src as (
    select ji.job_id, ji.seq, ji.item_id, ji.run_id, ji.finished_at, ji.outputs, ${readableJson('postgres', sql`ji.outputs`)} as o
    from job_items ji join jobs j on j.id = ji.job_id
    where ${where(scope, status, true)}),
    calls as (
    select job_id, seq, item_id, run_id, finished_at, outputs, o,
      case when json_typeof(o -> 'score') = 'number' then (o ->> 'score')::float8 end as score,
      case when json_typeof(o -> 'verdict') = 'boolean' then (case when o ->> 'verdict' = 'true' then '1' else '0' end) else o ->> 'verdict' end as verdict
    from src)`;
  },
  scoreBucket: sql`(case when score = 100 then 90 else greatest(0, trunc(score / 10) * 10) end)`,
  items: sql`json_array_elements(case when json_typeof(c.o -> 'items') = 'array' then c.o -> 'items' end) with ordinality as it(value, key)`,
  itemsWhere: sql`json_typeof(it.value) = 'object'`,
  item: (key) => sql`(it.value ->> ${sql.raw(`'${key}'`)})`,
  // SQLite's max over mixed values: any text (a string, list or object) is larger than every number, and reads as not 1.
  fatalAggregate: sql`(case when bool_or(json_typeof(it.value -> 'fatal') in ('string', 'object', 'array')) then 0
    else max(case json_typeof(it.value -> 'fatal') when 'boolean' then (case when it.value ->> 'fatal' = 'true' then 1 else 0 end) when 'number' then (it.value ->> 'fatal')::float8 else 0 end) end)`,
  fatalTrue: sql`((json_typeof(it.value -> 'fatal') = 'boolean' and it.value ->> 'fatal' = 'true') or (json_typeof(it.value -> 'fatal') = 'number' and (it.value ->> 'fatal')::float8 = 1))`,
  countIf: (cond) => sql`(count(*) filter (where ${cond}))::int`,
  count: sql`count(*)::int`,
  time: (expr) => sql`(${expr})::float8`,
  fatalLength: sql`(case when json_typeof(c.o -> 'fatal') = 'array' then json_array_length(c.o -> 'fatal') else 0 end)`,
  binary: (expr) => sql`(${expr} collate "C")`,
  ordered: (expr) => sql`${expr} collate "C" nulls first`,
  descNullsLast: (expr) => sql`${expr} desc nulls last`,
  slot: (shift, size) => sql`((finished_at + ${shift}::bigint) / ${size}::bigint)::float8`,
};

/** The dashboard SQL of a dialect. */
export function dashboardSql(dialect: Dialect): DashboardSql {
  return dialect === 'postgres' ? postgres : sqlite;
}
