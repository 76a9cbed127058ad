/**
 * The column kinds of the PostgreSQL schema that differ from SQLite's, in one place so every table maps
 * them the same way (docs/postgres.md): epoch-millisecond times are `bigint` read as JS numbers (2^31 ms, the most an
 * `integer` holds, is under 25 days), JSON is `jsonb`, SQLite's
 * 0/1 flags are `boolean` and its `real` (8-byte) is `double precision`.
 */
import { bigint, jsonb } from 'drizzle-orm/pg-core';

/** An epoch-milliseconds time (or any count that may pass 2^31), read and written as a JS number. */
export function ms(name: string) {
  return bigint(name, { mode: 'number' });
}

/**
 * A `jsonb` column typed `T`. Unlike SQLite's `jsonColumn`, a read needs no fallback for damaged text:
 * PostgreSQL refuses to store a value that is not JSON.
 */
export function json<T>(name: string) {
  return jsonb(name).$type<T>();
}
