/**
 * The audit log as CSV (the admin page's export): a header row, then one row per entry, newest first,
 * written a page at a time with back-pressure, so a large log is never held in memory. Quoting follows
 * RFC 4180 through csv-stringify (the job results export's settings: a field with a comma, quote or line
 * break is quoted; a cell a spreadsheet would run as a formula starts with `'`); a UTF-8 BOM first lets
 * spreadsheet programs read the Chinese names.
 */
import type { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { AuditEntry } from '@shared/audit.js';
import { csvRecords } from '../common/csv.js';
import { writeChunk } from '../common/write-chunk.js';

/** The CSV columns, in order: the entry's fields as the API names them. */
export const AUDIT_CSV_COLUMNS = ['at', 'actor_type', 'actor_id', 'actor_name', 'client_address', 'action', 'target_type', 'target_id', 'target_name', 'summary', 'before_digest', 'after_digest', 'id'] as const;

/** The rows of `entries` as CSV text (no header). */
export function auditCsvRows(entries: AuditEntry[]): string {
  return csvRecords(entries.map((e) => AUDIT_CSV_COLUMNS.map((c) => e[c] ?? '')));
}

/** The header row, after a UTF-8 BOM. */
export function auditCsvHeader(): string {
  return csvRecords([[...AUDIT_CSV_COLUMNS]], true);
}

/**
 * Writes the header and every page of `pages` to `out`, waiting for it to drain and letting the event loop
 * turn between pages, then ends it. Stops early when `out` is destroyed (the client went away).
 */
export async function writeAuditCsv(out: Writable, pages: Iterable<AuditEntry[]> | AsyncIterable<AuditEntry[]>): Promise<void> {
  await writeChunk(out, auditCsvHeader());
  for await (const entries of pages) {
    if (out.destroyed) return;
    await (writeChunk(out, auditCsvRows(entries)) ?? nextTurn());
  }
  out.end();
}
