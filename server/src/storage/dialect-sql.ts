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

/** The length of the JSON array at `path` of a JSON column; 0 when absent, not an array, or not JSON. */
export function jsonArrayLength(dialect: Dialect, column: SQLWrapper, path: JsonPath): SQL<number> {
  checkPath(path);
  if (dialect === 'sqlite') {
    // json_valid first: a cell SQLite cannot parse (nested past its 1000 levels) must not fail the query.
    return sql<number>`coalesce(case when json_valid(${column}) then json_array_length(${column}, ${sql.raw(`'$.${path.join('.')}'`)}) end, 0)`.mapWith(Number);
  }
  const value = sql`(${column} #> ${sql.raw(`'{${path.join(',')}}'`)})`;
  return sql<number>`coalesce(case when json_typeof(${value}) = 'array' then json_array_length(${value}) end, 0)`.mapWith(Number);
}

/**
 * `column like pattern escape '\'`, case-insensitive for ASCII letters as SQLite's `like` is (`ilike` on
 * PostgreSQL, whose `like` tells cases apart; it also folds non-ASCII letters).
 */
export function likeIgnoringCase(dialect: Dialect, column: SQLWrapper, pattern: string): SQL<boolean> {
  return dialect === 'postgres' ? sql<boolean>`${column} ilike ${pattern} escape '\\'` : sql<boolean>`${column} like ${pattern} escape '\\'`;
}

/**
 * The locking clause a claim's `select` ends with (SQL text, for {@link statementRows}): `for update skip locked` on PostgreSQL (rows another
 * server's open claim holds are passed over, not waited for), nothing on SQLite (one writer at a time:
 * its claim runs in a `begin immediate` transaction).
 */
export function skipLocked(dialect: Dialect): string {
  return dialect === 'postgres' ? ' for update skip locked' : '';
}

/** Statements prepared by {@link statementRows}, per SQLite connection, by text. */
const prepared = new WeakMap<object, Map<string, { all(...params: unknown[]): unknown[]; run(...params: unknown[]): unknown; reader: boolean }>>();
/** Texts kept prepared per connection; past it the cache starts over. */
const PREPARED_MAX = 256;

/** The text around each `?`; throws when their number is not the parameters'. */
function placeholders(text: string, params: readonly unknown[]): string[] {
  const parts = text.split('?');
  if (parts.length !== params.length + 1) throw new Error(`the statement has ${parts.length - 1} placeholders for ${params.length} parameters`);
  return parts;
}

/**
 * Runs one statement given as text with `?` placeholders and its parameters, and returns its rows
 * (none for a write without `returning`). For the hot batch paths (the job runner's claims and outcome
 * writes): on SQLite the text is prepared once per connection and reused, as building a drizzle `sql` of
 * a few thousand parameters costs more than running it; on PostgreSQL the `?` become drizzle parameters.
 * The text is the caller's own SQL (never user text) and holds no other `?`; columns read are aliased
 * in double quotes where their case matters. Numbers in rows are what the driver gives: select
 * `bigint` columns on PostgreSQL through `::int` or map them with `Number`.
 */
export async function statementRows<T>(store: { dialect: Dialect; db: object }, text: string, params: readonly unknown[]): Promise<T[]> {
  if (store.dialect === 'postgres') {
    const parts = placeholders(text, params);
    const query = sql.empty();
    parts.forEach((part, i) => {
      query.append(sql.raw(part));
      if (i < params.length) query.append(sql`${params[i]}`);
    });
    return (await rawRows(store, query)) as T[];
  }
  const connection = (store.db as { $client?: { prepare(text: string): { all(...params: unknown[]): unknown[]; run(...params: unknown[]): unknown; reader: boolean } } }).$client;
  if (!connection) throw new Error('the SQLite store has no better-sqlite3 connection');
  let cache = prepared.get(connection);
  if (!cache || cache.size >= PREPARED_MAX) prepared.set(connection, (cache = new Map()));
  let statement = cache.get(text);
  if (!statement) {
    placeholders(text, params);
    cache.set(text, (statement = connection.prepare(text)));
  }
  if (statement.reader) return statement.all(...params) as T[];
  statement.run(...params);
  return [];
}

/**
 * Serialises the transaction `tx` against every other transaction taking the lock of the same `name`,
 * until it ends: a check-then-insert that no unique index covers (the first admin: "no user exists yet").
 * PostgreSQL takes a transaction-scoped advisory lock (`pg_advisory_xact_lock` of the name's hash);
 * SQLite needs none, as its write transactions (`begin immediate`) already run one at a time.
 */
export async function lockForTransaction(tx: { readonly dialect: Dialect; readonly db: unknown }, name: string): Promise<void> {
  if (tx.dialect !== 'postgres') return;
  await rawRows(tx, sql`select pg_advisory_xact_lock(hashtext(${`mofang:${name}`}))`);
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

/**
 * The database's clock now, epoch ms (an integer; PostgreSQL `bigint`). Leases held by several servers
 * compare against this one clock, not against each server's own.
 */
export function databaseNowMs(dialect: Dialect): SQL<number> {
  if (dialect === 'postgres') return sql<number>`(floor(extract(epoch from clock_timestamp()) * 1000))::bigint`;
  return sql<number>`cast((julianday('now') - 2440587.5) * 86400000 as integer)`;
}

/**
 * The clause that share-locks the rows a select reads until the transaction ends (PostgreSQL
 * ` for share`: another transaction's update of them waits); empty on SQLite, whose write
 * transactions run one at a time.
 */
export function forShare(dialect: Dialect): SQL {
  return dialect === 'postgres' ? sql` for share` : sql``;
}
