/**
 * Copies every table of a Mofang SQLite database into an empty PostgreSQL database (`mofang
 * migrate-store`, docs/deployment.md): the PostgreSQL migrations first (the target records its own in
 * `drizzle.__drizzle_migrations`; SQLite's bookkeeping is not copied), then, in one PostgreSQL
 * transaction (all or nothing), each table in foreign-key order, streamed from SQLite in batches (a
 * million runs never sit in memory at once), identity sequences moved past the copied ids, and the row
 * counts of both sides compared before the commit.
 *
 * SQLite is read in one read transaction, so the copy is one moment's snapshot even if a server still
 * writes (what it writes after that moment is not copied: stop the servers first).
 *
 * Two kinds of SQLite content PostgreSQL cannot hold as they are:
 * - JSON text that does not parse (disk damage; no API stores it) is copied as what SQLite's store reads
 *   it as, the column's `unreadable` marker (json-column.ts: null, `[]`, `{}`, an unreadable graph), so
 *   the copy serves the same API answers; the report counts such rows per column and names the first.
 * - Text holding the NUL character, which PostgreSQL's `text` refuses: the copy stops before its
 *   commit and {@link MigrateStoreError} `nul_in_text` names every such value (table, column, row key),
 *   for the operator to fix in SQLite first. (JSON columns are unaffected: JSON writes NUL as `\u0000`.)
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { parseJson } from '@shared/json.js';
import { copyPlan, quoteIdent, type CopyTable } from './copy-plan.js';
import { migratePostgres } from './migrate.js';

/** A refusal or failure with a stable code (`target_not_empty`, `nul_in_text`, …). */
export class MigrateStoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'MigrateStoreError';
  }
}

export interface TableReport {
  table: string;
  sqliteRows: number;
  postgresRows: number;
  seconds: number;
}

export interface DamagedJson {
  table: string;
  column: string;
  rows: number;
  /** Keys of the first rows (up to 5), as `col=value, …`. */
  first: string[];
}

export interface CopyReport {
  tables: TableReport[];
  damagedJson: DamagedJson[];
  /** Tables in the SQLite file that are not Mofang's (left alone). */
  skippedTables: string[];
  seconds: number;
}

export interface CopyOptions {
  /** Rows per INSERT at most (default 1,000); also capped by 4 MB of text. */
  batchRows?: number;
  /** Told after each batch: table, rows copied so far. */
  onProgress?: (table: string, rows: number) => void;
}

const BATCH_BYTES = 4 * 1024 * 1024;
/** How many NUL-holding values to name before saying "and N more". */
const NUL_SHOWN = 20;

/** The row's primary key as `a=1, b=x`, for messages. */
function rowKey(table: CopyTable, row: unknown[]): string {
  return table.key.map((i) => `${table.columns[i]?.name}=${typeof row[i] === 'string' ? JSON.stringify(row[i]) : String(row[i])}`).join(', ');
}

/** Classifies a connection failure for the operator: unreachable, or refused (auth, missing database). */
function connectionError(error: unknown): MigrateStoreError {
  const e = error as { code?: string; message?: string };
  const message = e.message || String(error);
  if (e.code === '28P01' || e.code === '28000') return new MigrateStoreError('target_refused', `PostgreSQL refused the login: ${message}`);
  if (e.code === '3D000') return new MigrateStoreError('target_refused', `${message} (create it first: createdb, or CREATE DATABASE)`);
  return new MigrateStoreError('target_unreachable', `cannot connect to PostgreSQL: ${message}`);
}

/** Checks `url` is a postgres:// URL; returns it. */
export function checkTargetUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not echoed: an unparsable URL may still hold a password.
    throw new MigrateStoreError('bad_target_url', '--to is not a URL: expected postgres://user:password@host:port/database');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') throw new MigrateStoreError('bad_target_url', `--to must be a postgres:// or postgresql:// URL, not ${parsed.protocol}//…`);
  if (parsed.pathname.length <= 1) throw new MigrateStoreError('bad_target_url', '--to must name the database: postgres://…/<database>');
  return url;
}

/** Copies the SQLite database `sqliteFile` (brought up to date already) into the empty PostgreSQL database at `url`. */
export async function copySqliteToPostgres(sqliteFile: string, url: string, options: CopyOptions = {}): Promise<CopyReport> {
  const started = performance.now();
  checkTargetUrl(url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    throw connectionError(error);
  }
  const sqlite = new Database(sqliteFile, { readonly: true, fileMustExist: true });
  try {
    try {
      await migratePostgres(url);
    } catch (error) {
      throw new MigrateStoreError('target_migration_failed', `could not apply Mofang's PostgreSQL migrations: ${(error as Error).message}`);
    }
    const plan = copyPlan();
    const known = new Set([...plan.map((t) => t.name), '__drizzle_migrations']);
    const present = sqlite.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`).pluck().all() as string[];
    const missing = plan.filter((t) => !present.includes(t.name)).map((t) => t.name);
    if (missing.length > 0) throw new MigrateStoreError('source_not_mofang', `${sqliteFile} lacks Mofang tables: ${missing.join(', ')}`);

    // One snapshot of SQLite for counting and copying.
    sqlite.exec('begin');
    await client.query('begin');
    try {
      // Nobody else writes these tables until the commit (readers still read).
      await client.query(`lock table ${plan.map((t) => quoteIdent(t.name)).join(', ')} in exclusive mode`);
      const holding: string[] = [];
      for (const t of plan) {
        const { rows } = await client.query(`select exists (select 1 from ${quoteIdent(t.name)}) as any`);
        if (rows[0]?.any) holding.push(t.name);
      }
      if (holding.length > 0) throw new MigrateStoreError('target_not_empty', `the target database already holds Mofang data (${holding.join(', ')}): migrate-store copies into an empty database only`);

      const report: CopyReport = { tables: [], damagedJson: [], skippedTables: present.filter((n) => !known.has(n)), seconds: 0 };
      const nuls: string[] = [];
      let nulCount = 0;
      for (const table of plan) {
        const tableStarted = performance.now();
        const sqliteRows = Number(sqlite.prepare(`select count(*) from ${quoteIdent(table.name)}`).pluck().get());
        const damaged = new Map<string, DamagedJson>();
        const batch = new Batch(client, table, options.batchRows ?? 1000);
        const select = sqlite.prepare(`select ${table.columns.map((c) => quoteIdent(c.name)).join(', ')} from ${quoteIdent(table.name)}`).raw(true);
        let seen = 0;
        for (const row of select.iterate() as IterableIterator<unknown[]>) {
          seen++;
          let size = 0;
          for (let i = 0; i < table.columns.length; i++) {
            const column = table.columns[i];
            const value = row[i];
            if (value === null || value === undefined || !column) continue;
            if (column.kind === 'boolean') {
              row[i] = value !== 0 && value !== 0n;
            } else if (typeof value === 'string') {
              size += value.length;
              if (column.kind === 'json' && parseJson(value) === undefined) {
                row[i] = JSON.stringify(column.unreadable?.() ?? null);
                const entry = damaged.get(column.name) ?? { table: table.name, column: column.name, rows: 0, first: [] };
                entry.rows++;
                if (entry.first.length < 5) entry.first.push(rowKey(table, row));
                damaged.set(column.name, entry);
              } else if (value.includes('\u0000')) {
                if (nulCount++ < NUL_SHOWN) nuls.push(`${table.name}.${column.name} (${rowKey(table, row)})`);
              }
            }
          }
          // After the first NUL, keep reading to name them all, but insert nothing more.
          if (nulCount === 0 && (await batch.add(row, size))) options.onProgress?.(table.name, batch.copied);
        }
        if (nulCount === 0) await batch.flush();
        options.onProgress?.(table.name, batch.copied);
        report.damagedJson.push(...damaged.values());
        if (nulCount > 0) continue;
        for (const column of table.identity) {
          await client.query(`select setval(pg_get_serial_sequence($1, $2), coalesce((select max(${quoteIdent(column)}) from ${quoteIdent(table.name)}), 0) + 1, false)`, [table.name, column]);
        }
        const { rows } = await client.query(`select count(*)::bigint as n from ${quoteIdent(table.name)}`);
        const postgresRows = Number(rows[0]?.n);
        if (postgresRows !== sqliteRows || seen !== sqliteRows) {
          throw new MigrateStoreError('count_mismatch', `${table.name}: ${sqliteRows} rows in SQLite, ${seen} read, ${postgresRows} in PostgreSQL`);
        }
        report.tables.push({ table: table.name, sqliteRows, postgresRows, seconds: (performance.now() - tableStarted) / 1000 });
      }
      if (nulCount > 0) {
        const more = nulCount > nuls.length ? `, and ${nulCount - nuls.length} more` : '';
        throw new MigrateStoreError('nul_in_text', `PostgreSQL cannot store the NUL character (\\u0000) in text; nothing was copied. Remove it from these values in SQLite first: ${nuls.join('; ')}${more}`);
      }
      await client.query('commit');
      report.seconds = (performance.now() - started) / 1000;
      return report;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      if (error instanceof MigrateStoreError) throw error;
      const e = error as { message?: string; table?: string; detail?: string };
      throw new MigrateStoreError('copy_failed', `the copy failed and nothing was kept: ${e.message ?? String(error)}${e.detail ? ` (${e.detail})` : ''}`);
    } finally {
      sqlite.exec('rollback');
    }
  } finally {
    sqlite.close();
    await client.end().catch(() => undefined);
  }
}

/**
 * Rows of one table sent as one INSERT per batch: `insert … select * from unnest($1::text[], $2::bigint[], …)`,
 * one array parameter per column whatever the batch's length (a multi-row VALUES list has one per value,
 * up to PostgreSQL's 65,535), so one statement text serves every batch of the table.
 */
class Batch {
  private rows: unknown[][] = [];
  private bytes = 0;
  copied = 0;
  private readonly maxRows: number;
  private readonly sql: string;

  constructor(
    private readonly client: pg.Client,
    private readonly table: CopyTable,
    batchRows: number,
  ) {
    this.maxRows = Math.max(1, batchRows);
    const columns = table.columns.map((c) => quoteIdent(c.name)).join(', ');
    const arrays = table.columns.map((c, i) => `$${i + 1}::${c.pgType}[]`).join(', ');
    this.sql = `insert into ${quoteIdent(table.name)} (${columns}) select * from unnest(${arrays})`;
  }

  /** Adds a row; sends the batch when it is full. Resolves true when it sent one. */
  async add(row: unknown[], bytes: number): Promise<boolean> {
    this.rows.push(row);
    this.bytes += bytes;
    if (this.rows.length < this.maxRows && this.bytes < BATCH_BYTES) return false;
    await this.flush();
    return true;
  }

  async flush(): Promise<void> {
    if (this.rows.length === 0) return;
    const values = this.table.columns.map((_, i) => this.rows.map((row) => row[i]));
    try {
      await this.client.query(this.sql, values);
    } catch (error) {
      const first = this.rows[0] ?? [];
      const last = this.rows[this.rows.length - 1] ?? [];
      const e = error as { message?: string; detail?: string };
      throw new MigrateStoreError('copy_failed', `the copy of ${this.table.name} failed (rows ${rowKey(this.table, first)} … ${rowKey(this.table, last)}) and nothing was kept: ${e.message ?? String(error)}${e.detail ? ` (${e.detail})` : ''}`);
    }
    this.copied += this.rows.length;
    this.rows = [];
    this.bytes = 0;
  }
}
