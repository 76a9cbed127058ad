/**
 * The column kinds of the PostgreSQL schema that differ from SQLite's, in one place so every table maps
 * them the same way (docs/postgres.md): epoch-millisecond times are `bigint` read as JS numbers (2^31 ms, the most an
 * `integer` holds, is under 25 days), JSON is `json` (its text kept as written), SQLite's
 * 0/1 flags are `boolean` and its `real` (8-byte) is `double precision`.
 */
import { bigint, json as pgJson } from 'drizzle-orm/pg-core';

/** An epoch-milliseconds time (or any count that may pass 2^31), read and written as a JS number. */
export function ms(name: string) {
  return bigint(name, { mode: 'number' });
}

/**
 * A `json` column typed `T`. `json`, not `jsonb`: `jsonb` stores a parsed form that reorders an object's
 * keys (by length, then bytes) and keeps only the last of duplicate keys, so outputs, inputs and graphs
 * would read back in another order than SQLite gives and the API would show them differently. `json`
 * keeps the text as written; queries that need JSON operators cast (`col::jsonb ->> 'k'`). Unlike
 * SQLite's `jsonColumn`, a read needs no fallback for damaged text: PostgreSQL refuses to store a value
 * that is not JSON.
 */
export function json<T>(name: string) {
  return pgJson(name).$type<T>();
}
