/**
 * What `mofang migrate-store` copies, derived from the two drizzle schemas so a new table or column is
 * copied without a change here: every table in foreign-key order (a table after the tables it
 * references), each column with how its SQLite value becomes a PostgreSQL one, the primary key (to name a
 * row in a message) and the identity columns whose sequence must move past the copied ids.
 */
import { getTableName, is } from 'drizzle-orm';
import { getTableConfig as pgConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { schema } from '../db.js';
import { pgSchema } from './tables.js';

/**
 * How a column's SQLite value is carried over: `json` text is checked and kept verbatim, a `boolean`
 * is SQLite's 0/1, `text` is checked for NUL, and a `value` (numbers) goes as it is.
 */
export type CopyKind = 'json' | 'boolean' | 'text' | 'value';

export interface CopyColumn {
  name: string;
  kind: CopyKind;
  /** The PostgreSQL type (`text`, `bigint`, `json`, …). */
  pgType: string;
  /** What SQLite's store reads a damaged (non-JSON) text of this column as: its `unreadable` marker. */
  unreadable?: () => unknown;
}

export interface CopyTable {
  name: string;
  columns: CopyColumn[];
  /** Indexes into `columns` of the primary key's columns. */
  key: number[];
  /** Identity (autoincrement) columns: their sequence is set past the largest copied value. */
  identity: string[];
}

function kindOf(pgType: string): CopyKind {
  if (pgType === 'json') return 'json';
  if (pgType === 'boolean') return 'boolean';
  if (pgType === 'text') return 'text';
  return 'value';
}

/** Every table, referenced tables first; throws if the foreign keys form a cycle (none do). */
export function copyPlan(): CopyTable[] {
  const sqliteTables = new Map<string, SQLiteTable>();
  for (const t of Object.values(schema as Record<string, unknown>)) if (is(t, SQLiteTable)) sqliteTables.set(getTableName(t), t);
  const pgTables = new Map<string, PgTable>();
  for (const t of Object.values(pgSchema as Record<string, unknown>)) if (is(t, PgTable)) pgTables.set(getTableName(t), t);

  const ordered: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new Error(`foreign keys form a cycle through ${name}`);
    state.set(name, 'visiting');
    const table = sqliteTables.get(name);
    if (!table) throw new Error(`no SQLite table ${name}`);
    for (const fk of sqliteConfig(table).foreignKeys) {
      const target = getTableName(fk.reference().foreignTable);
      if (target !== name) visit(target);
    }
    state.set(name, 'done');
    ordered.push(name);
  };
  for (const name of [...sqliteTables.keys()].sort()) visit(name);

  return ordered.map((name) => {
    const s = sqliteConfig(sqliteTables.get(name) as SQLiteTable);
    const pgTable = pgTables.get(name);
    if (!pgTable) throw new Error(`no PostgreSQL table ${name}`);
    const p = pgConfig(pgTable);
    const pgColumns = new Map(p.columns.map((c) => [c.name, c]));
    const columns: CopyColumn[] = s.columns.map((c) => {
      const twin = pgColumns.get(c.name);
      if (!twin) throw new Error(`no PostgreSQL column ${name}.${c.name}`);
      const pgType = twin.getSQLType();
      const kind = kindOf(pgType);
      return kind === 'json' ? { name: c.name, kind, pgType, unreadable: () => c.mapFromDriverValue('\u0000 not JSON') } : { name: c.name, kind, pgType };
    });
    const keyNames = s.primaryKeys[0]?.columns.map((c) => c.name) ?? s.columns.filter((c) => c.primary).map((c) => c.name);
    return {
      name,
      columns,
      key: keyNames.map((k) => columns.findIndex((c) => c.name === k)),
      identity: p.columns.filter((c) => c.generatedIdentity !== undefined).map((c) => c.name),
    };
  });
}

/** `"name"`: an SQL identifier, quoted (the names come from the schema, never from input). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
