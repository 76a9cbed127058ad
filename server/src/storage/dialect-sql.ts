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
 * Serialises the transaction `tx` against every other transaction taking the lock of the same `name`,
 * until it ends: a check-then-insert that no unique index covers (the first admin: "no user exists yet").
 * PostgreSQL takes a transaction-scoped advisory lock (`pg_advisory_xact_lock` of the name's hash);
 * SQLite needs none, as its write transactions (`begin immediate`) already run one at a time.
 */
export async function lockForTransaction(tx: { readonly dialect: Dialect; readonly db: unknown }, name: string): Promise<void> {
  if (tx.dialect !== 'postgres') return;
  const db = tx.db as { execute(query: SQL): Promise<unknown> };
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`mofang:${name}`}))`);
}
