/**
 * Streams a job's finished items from the database as JSONL (the API), CSV or an Excel workbook (.xlsx),
 * a page at a time with keyset paging: 100 000 rows are never held in memory, and the event loop turns
 * between pages, so other requests are answered while a big export runs. CSV and .xlsx share one column
 * plan (result-columns.ts): one column per output, a score and result pair per audit item.
 */
import { isRecord, parseJson } from '@shared/json.js';
import { simulatedModel } from '@shared/simulated.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Writable } from 'node:stream';
import { csvRecords } from '../common/csv.js';
import { writeChunk } from '../common/write-chunk.js';
import type { JobResultLine } from '@shared/jobs.js';
import type { FinishedItemRow, JobStore } from '../storage/jobs.js';
import type { ResultColumn } from './result-columns.js';
import { writeXlsxResults } from './results-xlsx.js';

/** The formats results download as. */
export type ResultFormat = 'jsonl' | 'csv' | 'xlsx';

/** Rows read and written per turn of the event loop (a few ms of work). */
const PAGE = 200;

/** One row as its results line; `simulated` read from its run's recorded `model`. */
export function resultLine(row: FinishedItemRow): JobResultLine {
  const line: JobResultLine = { id: row.itemId, run_id: row.runId, status: row.status, simulated: simulatedModel(row.model) };
  const outputs = parseJson(row.outputs);
  if (row.status === 'succeeded' && isRecord(outputs)) line.outputs = outputs;
  const error = parseJson(row.error);
  if (row.status === 'failed' && isRecord(error) && typeof error.code === 'string' && typeof error.message === 'string') {
    line.error = { code: error.code, message: error.message, ...(typeof error.nodeId === 'string' ? { nodeId: error.nodeId } : {}) };
  }
  return line;
}

/** CSV text of records: the one CSV writer of the server's exports (`common/csv.ts`). */
export { csvRecords };

/** The finished items of a job, page by page in submission order, each passed through `shape`. */
export async function* resultPages(store: JobStore, jobId: string, shape: (line: JobResultLine) => JobResultLine = (line) => line): AsyncGenerator<JobResultLine[]> {
  let after = 0;
  for (;;) {
    const rows = await store.finishedPage(jobId, after, PAGE);
    if (rows.length === 0) return;
    after = rows[rows.length - 1].seq;
    yield rows.map((row) => shape(resultLine(row)));
  }
}

/**
 * Writes every finished item of the job to `res`, once each, in submission order, then ends it; each
 * line passes through `shape` first (the HTTP layer masks customers' data there for some readers).
 * `columns` lays out CSV and .xlsx (see {@link resultColumns}); JSONL writes the lines whole.
 */
export async function streamResults(res: Writable, store: JobStore, jobId: string, format: ResultFormat, columns: ResultColumn[], shape: (line: JobResultLine) => JobResultLine = (line) => line): Promise<void> {
  if (format === 'xlsx') return writeXlsxResults(res, columns, resultPages(store, jobId, shape));
  if (format === 'csv') {
    // A BOM so spreadsheet programs read the Chinese text as UTF-8.
    await writeChunk(res, csvRecords([columns.map((c) => c.header)], true));
  }
  for await (const lines of resultPages(store, jobId, shape)) {
    if (res.destroyed) return;
    const chunk = format === 'jsonl' ? lines.map((line) => `${JSON.stringify(line)}\n`).join('') : csvRecords(lines.map((line) => columns.map((c) => c.cell(line))));
    // A socket that keeps up never asks to wait: turn the loop anyway.
    await (writeChunk(res, chunk) ?? nextTurn());
  }
  res.end();
}
