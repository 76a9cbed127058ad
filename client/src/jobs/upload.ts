/**
 * Reading a job file in the browser before it is sent: which format it is, the Content-Type to send it
 * as, and how many items it holds (CSV records are counted with quotes in mind: a transcript cell may
 * span lines). Framework-free.
 */

export type UploadKind = 'jsonl' | 'csv' | 'json';

export interface PreparedUpload {
  name: string;
  kind: UploadKind;
  contentType: string;
  body: string;
  /** Items read: non-blank JSONL lines, CSV records after the header, or JSON array entries. */
  items: number;
}

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

/**
 * Prepares a file's text for `POST /api/scenarios/:id/jobs`. A JSON array is wrapped as `{ items }`;
 * an array that does not parse is sent as it is, so the server names the problem.
 */
export function prepareUpload(name: string, text: string): PreparedUpload {
  const body = text.replace(/^\uFEFF/, '');
  const kind = detectKind(name, body);
  if (kind === 'csv') return { name, kind, contentType: 'text/csv', body, items: Math.max(0, countCsvRecords(body) - 1) };
  if (kind === 'json') {
    try {
      const parsed: unknown = JSON.parse(body);
      if (Array.isArray(parsed)) return { name, kind, contentType: 'application/json', body: JSON.stringify({ items: parsed }), items: parsed.length };
    } catch {
      // fall through: the server answers with the reason
    }
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
