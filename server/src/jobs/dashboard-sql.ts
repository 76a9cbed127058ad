/**
 * The inspection dashboard's SQL pieces, one form per dialect with the same results (dashboard-stores.test.ts
 * fills both stores alike and compares every answer). SQLite reads the outputs text with json_extract /
 * json_each, guarded by json_valid. PostgreSQL reads a small jsonb extraction of the outputs (`auditOf`:
 * score, verdict, red-line count, audit items) stored in `job_items.audit` by `fill`, which each read runs
 * first over its scope's items not stored yet; a row not stored (finished since, or a skipped fill) is
 * extracted in the query itself, so answers never depend on the fill (docs/postgres.md, "The dashboard on
 * PostgreSQL"; dashboard-pg.test.ts). Every piece is a drizzle `sql` fragment; values are bound
 * parameters, never pasted.
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
  /**
   * PostgreSQL: the update that stores, on the scope's succeeded items not done yet, what `calls` reads of
   * their outputs (`job_items.audit`), so later reads never parse them again; undefined on SQLite.
   */
  fill?(scope: Scope): SQL;
  /**
   * PostgreSQL: the update that stores the extraction of the given succeeded items (by job id and seq) that
   * have none yet, run as they are written (see ./dashboard.ts `auditExtractor`); undefined on SQLite.
   */
  fillItems?(items: ReadonlyArray<{ jobId: string; seq: number }>): SQL;
  /**
   * PostgreSQL: the update that stores the extraction of up to `limit` succeeded batch items that have none
   * (rows older than the extraction at write, or copied in by `mofang migrate-store`), skipping rows
   * another transaction holds; returns one row per item stored. Undefined on SQLite.
   */
  fillSome?(limit: number): SQL;
  /** From-clause of the audit items of call `c`, one row each, and the condition that keeps objects. */
  items: SQL;
  itemsWhere: SQL;
  /** An item row's position in its call's list (for the order items are shown in). */
  itemKey: SQL;
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
  itemKey: sql`it.key`,
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

/**
 * PostgreSQL: what the aggregates read of one call's outputs (`o`, jsonb), as a small jsonb document:
 * `s` the score (the JSON number as written, null when not a number), `v` the verdict as SQLite's
 * json_extract reads it (true/false as '1'/'0', other scalars as text), `fl` the length of the `fatal`
 * list (0 when not a list), and `i` the audit items that are objects with an `id`, in order, each
 * `{k: position, id, name, result: as text, f: fatal}` where `f` is 1/0 for true/false, the number for a
 * number, "x" for a string, list or object (SQLite's max ranks text above every number), absent otherwise.
 */
function auditOf(o: SQL): SQL {
  return sql`(select jsonb_build_object(
      's', case when jsonb_typeof(x.o -> 'score') = 'number' then x.o -> 'score' end,
      'v', case when jsonb_typeof(x.o -> 'verdict') = 'boolean' then (case when x.o ->> 'verdict' = 'true' then '1' else '0' end) else x.o ->> 'verdict' end,
      'fl', case when jsonb_typeof(x.o -> 'fatal') = 'array' then jsonb_array_length(x.o -> 'fatal') else 0 end,
      'i', coalesce((select jsonb_agg(jsonb_build_object('k', e.key, 'id', e.value ->> 'id', 'name', e.value ->> 'name', 'result', e.value ->> 'result',
          'f', case jsonb_typeof(e.value -> 'fatal') when 'boolean' then to_jsonb(case when e.value ->> 'fatal' = 'true' then 1 else 0 end)
            when 'number' then e.value -> 'fatal' when 'null' then null else '"x"'::jsonb end) order by e.key)
        from jsonb_array_elements(case when jsonb_typeof(x.o -> 'items') = 'array' then x.o -> 'items' end) with ordinality as e(value, key)
        where jsonb_typeof(e.value) = 'object' and e.value ->> 'id' is not null), '[]'::jsonb))
    from (select ${o} as o offset 0) x)`;
}

/** The outputs text as jsonb, readable: `\u0000` and lone UTF-16 surrogates (which jsonb refuses) read as U+FFFD. */
function outputsJsonb(column: SQL): SQL {
  return sql`(case when strpos(${column}, '\\u') = 0 then ${column}::jsonb else ${readableJson('postgres', sql`${surrogatesReadable(column)}`)}::text::jsonb end)`;
}

/** A lone surrogate escape (a high one not followed by a low one, a low one not after a high one) replaced by `\ufffd`. */
function surrogatesReadable(column: SQL): SQL {
  const high = String.raw`(?<!\\)((?:\\\\)*)\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})`;
  const low = String.raw`(?<!\\u[dD][89abAB][0-9a-fA-F]{2})(?<!\\)((?:\\\\)*)\\u[dD][c-fC-F][0-9a-fA-F]{2}`;
  return sql`regexp_replace(regexp_replace(${column}, ${sql.raw(`'${high}'`)}, '\\1\\\\ufffd', 'g'), ${sql.raw(`'${low}'`)}, '\\1\\\\ufffd', 'g')`;
}

/**
 * The stored extraction of an item, or (not stored yet) the extraction of its outputs. Subqueries that name
 * a computed value carry `offset 0`, so the planner does not pull them up and compute it once per use.
 */
const auditColumn = sql`coalesce(ji.audit, ${auditOf(outputsJsonb(sql`ji.outputs`))})`;

const postgres: DashboardSql = {
  calls(scope, status = 'succeeded') {
    if (status === 'failed') {
      return sql`with calls as (
    select ji.job_id, ji.seq, ji.item_id, ji.run_id, ji.finished_at, ji.outputs, null::jsonb as a, null::float8 as score, null::text as verdict
    from job_items ji join jobs j on j.id = ji.job_id
    where ${where(scope, status, true)})`;
    }
    return sql`with calls as (
    select ji.job_id, ji.seq, ji.item_id, ji.run_id, ji.finished_at, ji.outputs, a.a, (a.a ->> 's')::float8 as score, a.a ->> 'v' as verdict
    from job_items ji join jobs j on j.id = ji.job_id cross join lateral (select ${auditColumn} as a offset 0) a
    where ${where(scope, status, true)})`;
  },
  fill(scope) {
    return sql`update job_items ji set audit = ${auditOf(outputsJsonb(sql`ji.outputs`))} from jobs j
    where j.id = ji.job_id and ji.audit is null and ${where(scope, 'succeeded', true)}`;
  },
  fillItems(items) {
    const jobIds = items.map((i) => i.jobId);
    const seqs = items.map((i) => i.seq);
    return sql`update job_items ji set audit = ${auditOf(outputsJsonb(sql`ji.outputs`))}
    from (select * from unnest(${sql.param(jobIds)}::text[], ${sql.param(seqs)}::int[]) as k(job_id, seq)) k
    where ji.job_id = k.job_id and ji.seq = k.seq and ji.audit is null and ji.status = 'succeeded' and ji.outputs is not null`;
  },
  fillSome(limit) {
    return sql`update job_items ji set audit = ${auditOf(outputsJsonb(sql`ji.outputs`))}
    from (select ji2.job_id, ji2.seq from job_items ji2 join jobs j on j.id = ji2.job_id
      where ji2.audit is null and ji2.status = 'succeeded' and ji2.outputs is not null and j.purpose = 'batch'
      limit ${limit} for update of ji2 skip locked) k
    where ji.job_id = k.job_id and ji.seq = k.seq returning 1 as stored`;
  },
  scoreBucket: sql`(case when score = 100 then 90 else greatest(0, trunc(score / 10) * 10) end)`,
  items: sql`jsonb_array_elements(c.a -> 'i') as it(value)`,
  itemsWhere: sql`true`,
  itemKey: sql`(it.value ->> 'k')::int`,
  item: (key) => sql`(it.value ->> ${sql.raw(`'${key}'`)})`,
  // SQLite's max over mixed values: any text (a string, list or object) is larger than every number, and reads as not 1.
  fatalAggregate: sql`(case when bool_or(jsonb_typeof(it.value -> 'f') = 'string') then 0
    else max(case when jsonb_typeof(it.value -> 'f') = 'number' then (it.value ->> 'f')::float8 else 0 end) end)`,
  fatalTrue: sql`(case when jsonb_typeof(it.value -> 'f') = 'number' then (it.value ->> 'f')::float8 = 1 else false end)`,
  countIf: (cond) => sql`(count(*) filter (where ${cond}))::int`,
  count: sql`count(*)::int`,
  time: (expr) => sql`(${expr})::float8`,
  fatalLength: sql`((c.a ->> 'fl')::int)`,
  binary: (expr) => sql`(${expr} collate "C")`,
  ordered: (expr) => sql`${expr} collate "C" nulls first`,
  descNullsLast: (expr) => sql`${expr} desc nulls last`,
  slot: (shift, size) => sql`((finished_at + ${shift}::bigint) / ${size}::bigint)::float8`,
};

/** The dashboard SQL of a dialect. */
export function dashboardSql(dialect: Dialect): DashboardSql {
  return dialect === 'postgres' ? postgres : sqlite;
}
