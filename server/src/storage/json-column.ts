/**
 * The one JSON column type of the schema. Like drizzle's `text(name, { mode: 'json' })` (the SQL type
 * stays `text`, values are written with `JSON.stringify`), but its read never throws: a stored text that
 * is not JSON (cut short by disk damage, or written by something other than Mofang; no API can store
 * one) reads back as the column's `unreadable` marker, so a damaged row shows as damaged and never fails
 * a list or a read. The markers in use:
 * - value columns (run inputs/outputs/error/usage/events, run_events data, template meta and samples):
 *   `null`, which their readers already treat as "nothing stored";
 * - a key's scenarios: `[]` (the key may call no scenario), never null, which would mean "every scenario":
 *   damage must not widen what a key may do;
 * - graph columns: `unreadableGraph()` (shared/src/graph.ts), an empty graph the compiler reports as
 *   `invalid_graph`.
 * Raw SQL readers of the same columns guard SQLite's JSON functions with `json_valid(...)` instead.
 */
import { customType } from 'drizzle-orm/sqlite-core';
import { parseJson } from '@shared/json.js';

/**
 * A text column holding JSON; `unreadable()` makes what a row whose text does not parse reads as (SQL
 * null still reads as null, and JSON `null` text as null).
 */
export function jsonColumn<T>(name: string, unreadable: () => T | null) {
  return customType<{ data: T; driverData: string }>({
    dataType: () => 'text',
    toDriver: (value) => JSON.stringify(value),
    fromDriver: (text) => {
      const value = parseJson(text);
      return (value === undefined ? unreadable() : value) as T;
    },
  })(name);
}

/**
 * SQL for `json_extract(column, path)` that is null, not an SQL error ("malformed JSON"), when the
 * column's text is not JSON SQLite can read (damaged, or nested past SQLite's 1,000 levels). `column` and
 * `path` are pasted into the SQL: pass literals only, never caller input.
 */
export function jsonExtractSql(column: string, path: string): string {
  return `case when json_valid(${column}) then json_extract(${column}, '${path}') end`;
}
