/**
 * Reading a job file in the browser before it is sent: which format it is, which text encoding
 * (UTF-8, GB18030/GBK or UTF-16 with a BOM, decided as the server decides; any other is refused here,
 * before anything is sent), the Content-Type to send it as, and how many items it holds (CSV records
 * are counted with quotes in mind: a transcript cell may span lines). An .xlsx workbook is sent as it
 * is; the server reads and counts its rows. Framework-free.
 */
import { parseJson } from '@shared/json';
import { decodeFile, encodingLabel } from '@shared/text-encoding';

export type UploadKind = 'jsonl' | 'csv' | 'json' | 'xlsx';

/** The Content-Type of an Excel workbook. */
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface PreparedUpload {
  name: string;
  kind: UploadKind;
  contentType: string;
  /** Text is sent as UTF-8 whatever the file was in; a workbook as its bytes. */
  body: string | Blob;
  /** Items read: non-blank JSONL lines, CSV records after the header, or JSON array entries; null for a workbook (the server counts). */
  items: number | null;
  /** How the file's text was read (absent for a workbook), e.g. "GB18030/GBK". */
  encoding?: string;
}

/** Why a file is not sent: its text encoding (with what it looks like and, if known, the line), or an old .xls workbook. */
export type UploadRefusal = { refused: 'encoding'; name: string; detected: string; line?: number } | { refused: 'xls'; name: string };

/** The format of a file, by its name and then its first character. */
export function detectKind(name: string, text: string): UploadKind {
  const lower = name.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  const first = text.trimStart()[0];
  if (first === '[') return 'json';
  return 'jsonl';
}

/** Records of a CSV text (newlines inside double quotes do not end one); blank lines are skipped. */
export function countCsvRecords(text: string): number {
  let records = 0;
  let quoted = false;
  let content = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      quoted = !quoted;
      content = true;
    } else if ((ch === '\n' || ch === '\r') && !quoted) {
      if (content) records += 1;
      content = false;
    } else if (ch !== '\r') {
      content = true;
    }
  }
  if (content) records += 1;
  return records;
}

/** Non-blank lines of a JSONL text. */
export function countJsonlLines(text: string): number {
  return text.split(/\r?\n/).filter((l) => l.trim() !== '').length;
}

function isZip(b: Uint8Array): boolean {
  return b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
}

function isOldExcel(b: Uint8Array): boolean {
  return b[0] === 0xd0 && b[1] === 0xcf && b[2] === 0x11 && b[3] === 0xe0;
}

/**
 * Prepares a file for `POST /api/scenarios/:id/jobs`: a workbook as it is, text decoded (or refused)
 * and then as {@link prepareText} makes it.
 */
export function prepareUpload(name: string, bytes: Uint8Array): PreparedUpload | UploadRefusal {
  const lower = name.toLowerCase();
  if (isOldExcel(bytes) || lower.endsWith('.xls')) return { refused: 'xls', name };
  if (isZip(bytes) || lower.endsWith('.xlsx')) return { name, kind: 'xlsx', contentType: XLSX_TYPE, body: new Blob([bytes.slice()], { type: XLSX_TYPE }), items: null };
  const decoded = decodeFile(bytes);
  if ('refused' in decoded) return { refused: 'encoding', name, detected: decoded.detected, ...(decoded.line === undefined ? {} : { line: decoded.line }) };
  return { ...prepareText(name, decoded.text), encoding: encodingLabel(decoded.encoding) };
}

/** Whether a prepared file was refused. */
export function isRefusal(upload: PreparedUpload | UploadRefusal): upload is UploadRefusal {
  return 'refused' in upload;
}

/**
 * Prepares a file's decoded text. A JSON array is wrapped as `{ items }`; an array that does not parse
 * is sent as it is, so the server names the problem.
 */
export function prepareText(name: string, text: string): PreparedUpload {
  const body = text.replace(/^\uFEFF/, '');
  const kind = detectKind(name, body);
  if (kind === 'csv') return { name, kind, contentType: 'text/csv', body, items: Math.max(0, countCsvRecords(body) - 1) };
  if (kind === 'json') {
    // Not JSON: sent as it is, and the server answers with the reason.
    const parsed = parseJson(body);
    if (Array.isArray(parsed)) return { name, kind, contentType: 'application/json', body: JSON.stringify({ items: parsed }), items: parsed.length };
    return { name, kind, contentType: 'application/json', body, items: 0 };
  }
  return { name, kind, contentType: 'application/x-ndjson', body, items: countJsonlLines(body) };
}

/** `1h 02m`, `3m 05s`, `42s` (seconds left). */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  return `${s}s`;
}
