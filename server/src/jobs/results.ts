/**
 * Streams a job's finished items from the database as JSONL (the API) or CSV (the UI download), a page
 * at a time with keyset paging, honouring back-pressure: 100 000 rows are never held in memory, and
 * the event loop turns between pages, so other requests are answered while a big export runs.
 */
import { isRecord, parseJson } from '@shared/json.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Writable } from 'node:stream';
import { stringify, type Options } from 'csv-stringify/sync';
import type { JobResultLine } from '@shared/jobs.js';
import type { FinishedItemRow, JobStore } from '../storage/jobs.js';

/** Rows read and written per turn of the event loop (a few ms of work). */
const PAGE = 200;

/** One row as its results line. */
export function resultLine(row: FinishedItemRow): JobResultLine {
  const line: JobResultLine = { id: row.itemId, run_id: row.runId, status: row.status };
  const outputs = parseJson(row.outputs);
  if (row.status === 'succeeded' && isRecord(outputs)) line.outputs = outputs;
  const error = parseJson(row.error);
  if (row.status === 'failed' && isRecord(error) && typeof error.code === 'string' && typeof error.message === 'string') {
    line.error = { code: error.code, message: error.message, ...(typeof error.nodeId === 'string' ? { nodeId: error.nodeId } : {}) };
  }
  return line;
}

/**
 * How csv-stringify writes the export: CRLF records (RFC 4180), a field quoted when it holds a comma, a
 * quote or a line break of either kind; objects, arrays and booleans as JSON. A text value that a
 * spreadsheet program would run as a formula when it opens the file (`=HYPERLINK(…)`, `+cmd|…`,
 * `@SUM(…)`, also after a tab or a carriage return) gets a leading `'`, so it opens as the text it is
 * (OWASP's advice for CSV injection; item ids and model outputs are caller and model text); numbers
 * stay numbers.
 */
const CSV_OPTIONS: Options = {
  record_delimiter: '\r\n',
  quoted_match: /[\r\n]/,
  escape_formulas: true,
  cast: { boolean: (value) => String(value), object: (value) => JSON.stringify(value) },
};

/** CSV text of `records` (one array of cells each), each ending in CRLF; `bom` puts a UTF-8 BOM first. */
export function csvRecords(records: unknown[][], bom = false): string {
  return stringify(records, { ...CSV_OPTIONS, bom });
}

function write(res: Writable, chunk: string): Promise<void> | undefined {
  if (res.write(chunk)) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Writes every finished item of the job to `res`, once each, in submission order, then ends it; each
 * line passes through `shape` first (the HTTP layer masks customers' data there for some readers).
 */
export async function streamResults(res: Writable, store: JobStore, jobId: string, format: 'jsonl' | 'csv', outputNames: string[], shape: (line: JobResultLine) => JobResultLine = (line) => line): Promise<void> {
  if (format === 'csv') {
    // A BOM so spreadsheet programs read the Chinese text as UTF-8.
    await write(res, csvRecords([['id', 'run_id', 'status', ...outputNames, 'error_code', 'error_message']], true));
  }
  let after = 0;
  for (;;) {
    if (res.destroyed) return;
    const rows = store.finishedPage(jobId, after, PAGE);
    if (rows.length === 0) break;
    const lines = rows.map((row) => shape(resultLine(row)));
    const chunk =
      format === 'jsonl'
        ? lines.map((line) => `${JSON.stringify(line)}\n`).join('')
        : csvRecords(lines.map((line) => [line.id, line.run_id, line.status, ...outputNames.map((n) => line.outputs?.[n]), line.error?.code, line.error?.message]));
    after = rows[rows.length - 1].seq;
    // A socket that keeps up never asks to wait: turn the loop anyway.
    await (write(res, chunk) ?? nextTurn());
  }
  res.end();
}
