/**
 * The PostgreSQL schema mirrors the SQLite one: every table, column (name, SQL type by the mapping of
 * columns.ts, nullability, default, enum values, key), composite primary key, index and foreign key of one
 * has its counterpart in the other, and both give repositories the same row types. A schema change that
 * touches one side only fails here (at type-check for the row types).
 */
import { describe, expect, it } from 'vitest';
import { getTableName, is } from 'drizzle-orm';
import { getTableConfig as pgConfig, integer as pgInteger, PgTable, pgTable, text as pgText } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteConfig, integer, SQLiteTable, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { schema } from '../db.js';
import { pgSchema } from './tables.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Sqlite = typeof schema;
type Pg = typeof pgSchema;
/** The export names whose row types (select or insert) differ between the two schemas, or that one lacks. */
type RowTypeMismatch = {
  [K in keyof Sqlite | keyof Pg]: K extends keyof Sqlite & keyof Pg
    ? Equal<Sqlite[K]['$inferSelect'], Pg[K]['$inferSelect']> extends true
      ? Equal<Sqlite[K]['$inferInsert'], Pg[K]['$inferInsert']> extends true
        ? never
        : K
      : K
    : K;
}[keyof Sqlite | keyof Pg];
// Fails to compile, naming the tables, when a pair's row types differ.
const rowTypesMatch: [RowTypeMismatch] extends [never] ? true : RowTypeMismatch = true;

/** JSON columns that are `jsonb` on PostgreSQL (docs/postgres.md: only what aggregates read, never shown as written). */
const JSONB_COLUMNS = new Set(['job_items.audit']);

/** The pg SQL type a SQLite column maps to (docs/postgres.md). */
function expectedPgType(column: { columnType: string; name: string; getSQLType(): string }, autoIncrement: boolean, table: string): string {
  switch (column.columnType) {
    case 'SQLiteCustomColumn':
      return JSONB_COLUMNS.has(`${table}.${column.name}`) ? 'jsonb' : 'json';
    case 'SQLiteBoolean':
      return 'boolean';
    case 'SQLiteReal':
      return 'double precision';
    case 'SQLiteInteger':
      return autoIncrement || column.name === 'at' || column.name.endsWith('_at') ? 'bigint' : 'integer';
    default:
      return column.getSQLType();
  }
}

/** Everything the parity covers of a table, in one comparable shape per dialect. */
function describeSqlite(table: SQLiteTable) {
  const c = sqliteConfig(table);
  return {
    name: c.name,
    columns: c.columns.map((col) => {
      const autoIncrement = 'autoIncrement' in col && col.autoIncrement === true;
      return { name: col.name, type: expectedPgType(col, autoIncrement, c.name), notNull: col.notNull, primary: col.primary, default: col.default, enum: col.enumValues ?? [], generated: autoIncrement };
    }),
    primaryKeys: c.primaryKeys.map((pk) => pk.columns.map((col) => col.name)),
    indexes: c.indexes.map((i) => ({ name: i.config.name, unique: i.config.unique, columns: i.config.columns.map((col) => ('name' in col ? col.name : '?')) })),
    foreignKeys: c.foreignKeys.map((fk) => {
      const ref = fk.reference();
      return { columns: ref.columns.map((col) => col.name), table: getTableName(ref.foreignTable), foreign: ref.foreignColumns.map((col) => col.name), onDelete: fk.onDelete ?? 'no action' };
    }),
    uniques: c.uniqueConstraints.map((u) => u.getName()),
    checks: c.checks.map((k) => k.name),
  };
}

function describePg(table: PgTable) {
  const c = pgConfig(table);
  return {
    name: c.name,
    columns: c.columns.map((col) => ({ name: col.name, type: col.getSQLType(), notNull: col.notNull, primary: col.primary, default: col.default, enum: col.enumValues ?? [], generated: col.generatedIdentity !== undefined })),
    primaryKeys: c.primaryKeys.map((pk) => pk.columns.map((col) => col.name)),
    indexes: c.indexes.map((i) => ({ name: i.config.name, unique: i.config.unique, columns: i.config.columns.map((col) => ('name' in col ? col.name : '?')) })),
    foreignKeys: c.foreignKeys.map((fk) => {
      const ref = fk.reference();
      return { columns: ref.columns.map((col) => col.name), table: getTableName(ref.foreignTable), foreign: ref.foreignColumns.map((col) => col.name), onDelete: fk.onDelete ?? 'no action' };
    }),
    uniques: c.uniqueConstraints.map((u) => u.getName()),
    checks: c.checks.map((k) => k.name),
  };
}

const sqliteTables = Object.entries(schema as Record<string, unknown>).filter((e): e is [string, SQLiteTable] => is(e[1], SQLiteTable));
const pgTables = Object.entries(pgSchema as Record<string, unknown>).filter((e): e is [string, PgTable] => is(e[1], PgTable));

describe('PostgreSQL schema parity', () => {
  it('has the row types of the SQLite schema (checked at compile time)', () => {
    expect(rowTypesMatch).toBe(true);
  });

  it('has one table per SQLite table, under the same export name and SQL name, and no other', () => {
    expect(sqliteTables.length).toBeGreaterThan(20);
    expect(pgTables.map(([key, t]) => [key, getTableName(t)]).sort()).toEqual(sqliteTables.map(([key, t]) => [key, getTableName(t)]).sort());
  });

  it.each(sqliteTables)('mirrors %s: columns, keys, indexes and foreign keys', (key, table) => {
    const twin = (pgSchema as Record<string, unknown>)[key];
    if (!is(twin, PgTable)) throw new Error(`no PostgreSQL table for ${key}`);
    expect(describePg(twin)).toEqual(describeSqlite(table));
  });

  it('tells a difference between two tables apart (the comparison can fail)', () => {
    const a = sqliteTable('t', { id: text('id').primaryKey(), n: integer('n').notNull(), at: integer('at') });
    const b = pgTable('t', { id: pgText('id').primaryKey(), n: pgInteger('n'), at: pgInteger('at') });
    const [left, right] = [describeSqlite(a), describePg(b)];
    expect(right).not.toEqual(left);
    expect(right.columns[1]).toMatchObject({ name: 'n', notNull: false });
    expect(left.columns[1]).toMatchObject({ name: 'n', notNull: true });
    // A time column must be bigint in PostgreSQL.
    expect(left.columns[2].type).toBe('bigint');
    expect(right.columns[2].type).toBe('integer');
  });
});
