/**
 * Decided review items as files: JSONL (one decided item a line, with the outputs before and after) and
 * CSV (one row per item, the changed outputs named, before/after as JSON), for a team's own records.
 */
import { csvRecords } from '../common/csv.js';
import type { ReviewExportRow } from './service.js';

/** One JSON object a line: the item, its source, reasons, who/when, before, after, changed, the case it made. */
export function reviewJsonl(rows: ReviewExportRow[]): string {
  return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
}

/** The CSV columns, in order. */
export const REVIEW_CSV_COLUMNS = ['id', 'scenario', 'slug', 'version', 'run_id', 'job_id', 'item_id', 'reasons', 'status', 'decided_by', 'decided_at', 'changed', 'note', 'before', 'after', 'set_id', 'case_id', 'revision'] as const;

/** A header row and one row per decided item, with a BOM so spreadsheet programs read the Chinese right. */
export function reviewCsv(rows: ReviewExportRow[]): string {
  const records = rows.map((r) => [
    r.id,
    r.scenario_name,
    r.slug,
    r.version,
    r.source.run_id,
    r.source.kind === 'job_item' ? r.source.job_id : '',
    r.source.kind === 'job_item' ? r.source.item_id : '',
    r.reasons.map((x) => x.code).join(' '),
    r.status,
    r.decided_by ?? '',
    r.decided_at ?? '',
    r.changed.join(' '),
    r.note,
    r.before,
    r.after,
    r.set_id,
    r.case_id,
    r.revision,
  ]);
  return csvRecords([[...REVIEW_CSV_COLUMNS], ...records], true);
}
