/**
 * SQL that differs between SQLite and PostgreSQL, one function per construct, keyed by the store's
 * dialect, so a repository never writes either form inline (docs/postgres.md). Each returns a drizzle
 * `sql` fragment; column arguments are drizzle columns or `sql` fragments, never caller text.
 *
 * JSON columns are `json` on PostgreSQL (not `jsonb`: it reorders keys), whose `->`/`->>` operators need
 * no cast; SQLite's `json_extract` is guarded by `json_valid` so a damaged cell reads as null rather than
 * failing the query (./json-column.ts).
 */
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Dialect } from './store.js';

/** A key path into a JSON value: `['usage', 'prompt_tokens']`. Literal names only. */
export type JsonPath = readonly string[];

function checkPath(path: JsonPath): void {
  for (const key of path) if (!/^[A-Za-z0-9_]+$/.test(key)) throw new Error(`JSON path key "${key}" must be letters, digits or _`);
}

/** The value at `path` of a JSON column as text (null when absent or the cell is not JSON). */
export function jsonText(dialect: Dialect, column: SQLWrapper, path: JsonPath): SQL<string | null> {
  checkPath(path);
  if (dialect === 'postgres') return sql<string | null>`(${column} #>> ${sql.raw(`'{${path.join(',')}}'`)})`;
  const p = sql.raw(`'$.${path.join('.')}'`);
  return sql<string | null>`(case when json_valid(${column}) then json_extract(${column}, ${p}) end)`;
}

/** The value at `path` of a JSON column as a number (null when absent, not a number, or not JSON). */
export function jsonNumber(dialect: Dialect, column: SQLWrapper, path: JsonPath): SQL<number | null> {
  checkPath(path);
  if (dialect === 'sqlite') {
    const p = sql.raw(`'$.${path.join('.')}'`);
    return sql<number | null>`(case when json_valid(${column}) and json_type(${column}, ${p}) in ('integer', 'real') then json_extract(${column}, ${p}) end)`.mapWith(Number);
  }
  const value = sql`(${column} #> ${sql.raw(`'{${path.join(',')}}'`)})`;
  return sql<number | null>`(case when json_typeof(${value}) = 'number' then (${value}::text)::double precision end)`.mapWith(Number);
}

/** The larger of two values (`max(a, b)` on SQLite, `greatest(a, b)` on PostgreSQL). */
export function greatest(dialect: Dialect, a: SQLWrapper, b: SQLWrapper): SQL {
  return dialect === 'postgres' ? sql`greatest(${a}, ${b})` : sql`max(${a}, ${b})`;
}

/** The smaller of two values (`min(a, b)` on SQLite, `least(a, b)` on PostgreSQL). */
export function least(dialect: Dialect, a: SQLWrapper, b: SQLWrapper): SQL {
  return dialect === 'postgres' ? sql`least(${a}, ${b})` : sql`min(${a}, ${b})`;
}

/**
 * PostgreSQL: a `\u0000` escape (not one after an escaped backslash) in JSON text. Its `json` operators
 * de-escape every string of a document they read, and refuse this one ("unsupported Unicode escape
 * sequence"), even when the path asked for is elsewhere.
 */
const NUL_ESCAPE = String.raw`(?<!\\)((?:\\\\)*)\\u0000`;

/**
 * A JSON column (PostgreSQL `json`, or `text` holding JSON) as a value the JSON operators can read: on
 * PostgreSQL a document holding `\u0000` reads with U+FFFD in its place (PostgreSQL text cannot hold
 * NUL; the check is a `strpos`, so other documents cost nothing more). SQLite reads the column as it is.
 */
export function readableJson(dialect: Dialect, column: SQLWrapper): SQL {
  if (dialect === 'sqlite') return sql`${column}`;
  return sql`(case when strpos(${column}::text, '\\u0000') > 0 then regexp_replace(${column}::text, ${sql.raw(`'${NUL_ESCAPE}'`)}, '\\1\\\\ufffd', 'g') else ${column}::text end)::json`;
}

/** Text in byte order, as SQLite compares it (PostgreSQL orders by the database's collation otherwise). */
export function binaryText(dialect: Dialect, column: SQLWrapper): SQL {
  return dialect === 'postgres' ? sql`(${column} collate "C")` : sql`${column}`;
}

/**
 * The rows of a raw query on either store (node-postgres' `rows`, better-sqlite3's result), for the
 * aggregates the query builder cannot say. PostgreSQL gives `bigint`/`numeric` results as strings: the
 * query casts what it counts (`::int`, `::float8`).
 */
export async function rawRows(store: { dialect: Dialect; db: unknown }, query: SQL): Promise<Array<Record<string, unknown>>> {
  if (store.dialect === 'postgres') {
    const result = await (store.db as { execute(q: SQL): Promise<{ rows: Array<Record<string, unknown>> }> }).execute(query);
    return result.rows;
  }
  return (store.db as { all(q: SQL): Array<Record<string, unknown>> }).all(query);
}
