/**
 * `mofang migrate-store --to postgres://… [--from <data dir>]`: copies an existing SQLite data directory
 * (MOFANG_DATA_DIR by default) into an empty PostgreSQL database (../storage/pg/copy-sqlite.ts), then
 * prints the row counts of both sides per table and the time. Refusals and failures are one line with a
 * stable code; nothing is kept in PostgreSQL unless the whole copy succeeded.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config.js';
import { openStore } from '../storage/db.js';
import { checkTargetUrl, copySqliteToPostgres, MigrateStoreError, type CopyReport } from '../storage/pg/copy-sqlite.js';
import { CliError } from './errors.js';
import type { CliIo } from './io.js';

export interface MigrateStoreOptions {
  to: string;
  from?: string;
  batchRows?: number;
}

/** The URL without its password, for printing. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** The report as a table: one line per table, a total, damaged JSON and skipped tables after it. */
export function formatReport(report: CopyReport, target: string): string {
  const rows = report.tables.map((t) => [t.table, String(t.sqliteRows), String(t.postgresRows), t.seconds.toFixed(2)]);
  const sum = (f: (t: CopyReport['tables'][number]) => number) => report.tables.reduce((n, t) => n + f(t), 0);
  const total = ['total', String(sum((t) => t.sqliteRows)), String(sum((t) => t.postgresRows)), report.seconds.toFixed(2)];
  const all = [['table', 'sqlite', 'postgres', 'seconds'], ...rows, total];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  const out = [line(all[0] ?? []), ...rows.map(line), line(total)];
  for (const d of report.damagedJson) {
    out.push(`damaged JSON: ${d.table}.${d.column}: ${d.rows} row(s) copied as what SQLite reads them as (the column's unreadable marker); first: ${d.first.join('; ')}`);
  }
  if (report.skippedTables.length > 0) out.push(`not Mofang's, not copied: ${report.skippedTables.join(', ')}`);
  out.push(`copied ${total[1]} rows of ${report.tables.length} tables into ${redactUrl(target)} in ${report.seconds.toFixed(2)} s; row counts match`);
  return `${out.join('\n')}\n`;
}

/** Runs the copy; 0 when it committed. */
export async function migrateStoreAction(opts: MigrateStoreOptions, io: CliIo): Promise<number> {
  try {
    checkTargetUrl(opts.to);
    const dataDir = path.resolve(opts.from ?? loadConfig(io.env).dataDir);
    const file = path.join(dataDir, 'mofang.db');
    if (!existsSync(file)) throw new MigrateStoreError('source_missing', `no Mofang data in ${dataDir} (no mofang.db): pass --from <data dir> or set MOFANG_DATA_DIR`);
    // Brings the SQLite file to this version's schema first, as `start` would (the copy maps that schema).
    openStore(dataDir).close();
    let lastProgress = performance.now();
    const report = await copySqliteToPostgres(file, opts.to, {
      batchRows: opts.batchRows,
      onProgress: (table, rows) => {
        const now = performance.now();
        if (now - lastProgress < 2000) return;
        lastProgress = now;
        io.stderr(`mofang: ${table}: ${rows} rows copied\n`);
      },
    });
    io.stdout(formatReport(report, opts.to));
    return 0;
  } catch (error) {
    if (error instanceof MigrateStoreError) throw new CliError(`${error.code}: ${error.message}`);
    throw error;
  }
}
