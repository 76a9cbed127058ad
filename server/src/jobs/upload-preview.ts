/**
 * The first rows of a job file, before it is submitted, so the jobs page can show them and map the
 * file's columns to the scenario's inputs: a CSV's or a workbook's header and first rows as text, or
 * for JSON and JSONL the keys of the first items' inputs as columns. Read by the same decoders as a
 * submission (text encodings, Content-Encoding, the ZIP checks of a workbook), so what the preview
 * refuses the submission would refuse too.
 */
import { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { isRecord } from '@shared/json.js';
import type { JobUploadPreview } from '@shared/jobs.js';
import { decodeUpload } from './decode-upload.js';
import { ItemLineError, refuseNulCells, type ParsedItem, type UploadFormat } from './parse-items.js';
import type { JobUploadConfig } from './upload-config.js';
import { decodedBody as uploadSource, uploadItems } from './upload-items.js';
import { previewXlsx } from './xlsx-items.js';

/** Most rows a preview shows. */
export const MAX_PREVIEW_ROWS = 50;

/** A value as the text of a preview cell (objects as JSON). */
function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

async function csvPreview(source: AsyncIterable<string>, rows: number): Promise<Pick<JobUploadPreview, 'columns' | 'rows'>> {
  const parser = parseCsv({ bom: true, skip_empty_lines: true, relax_column_count: true, info: true });
  Readable.from(source, { highWaterMark: 1 }).pipe(parser);
  const records: string[][] = [];
  try {
    for await (const row of parser) {
      const record: unknown = isRecord(row) ? row.record : undefined;
      const cells = Array.isArray(record) ? record.map(String) : [];
      // What the submission would refuse, the preview refuses too (the NUL rule).
      refuseNulCells(cells, records[0] ?? [], { line: isRecord(row) && isRecord(row.info) && typeof row.info.lines === 'number' ? row.info.lines : records.length + 1 });
      records.push(cells);
      if (records.length > rows) break;
    }
  } catch (error) {
    if (error instanceof Error && error.name !== 'CsvError') throw error;
    const line = isRecord(error) && typeof error.lines === 'number' ? error.lines : 0;
    throw new ItemLineError(line, `not valid CSV (${error instanceof Error ? error.message : String(error)})`, undefined, undefined, { code: 'not_csv' });
  } finally {
    parser.destroy();
  }
  const [header = [], ...body] = records;
  return { columns: header.map((h) => h.trim()), rows: body };
}

async function itemsPreview(items: AsyncIterable<ParsedItem>, rows: number): Promise<Pick<JobUploadPreview, 'columns' | 'rows'>> {
  const first: ParsedItem[] = [];
  for await (const item of items) {
    first.push(item);
    if (first.length >= rows) break;
  }
  const keys = [...new Set(first.flatMap((item) => Object.keys(item.inputs)))];
  const hasId = first.some((item) => item.id !== undefined);
  const columns = hasId ? ['id', ...keys.filter((k) => k !== 'id')] : keys;
  return { columns, rows: first.map((item) => columns.map((c) => (c === 'id' && hasId ? (item.id ?? '') : text(item.inputs[c])))) };
}

/**
 * The preview of a file of `format`: its columns and up to `rows` rows as text. Throws what a
 * submission would: an ItemLineError, an upload encoding or size error, an XlsxError, a JsonBodyError.
 */
export async function previewUpload(body: Readable, headers: { contentEncoding?: string }, format: UploadFormat, limits: JobUploadConfig, rows: number): Promise<JobUploadPreview> {
  const n = Math.max(1, Math.min(MAX_PREVIEW_ROWS, rows));
  if (format === 'xlsx') {
    // The workbook's bytes, undone of their Content-Encoding, as the submission reads them.
    const source = uploadSource(body, headers);
    const sheet = await previewXlsx(source, { limitBytes: limits.limitBytes, limitSetting: 'MOFANG_JOB_UPLOAD_LIMIT', unpackedBytes: limits.xlsxUnpackedBytes, unpackedSetting: 'MOFANG_JOB_XLSX_UNPACKED_LIMIT' }, n);
    return { format, sheet: sheet.sheet, columns: sheet.header, rows: sheet.rows };
  }
  if (format === 'csv') return { format, ...(await csvPreview(decodeUpload(uploadSource(body, headers), { limitBytes: limits.limitBytes, limitSetting: 'MOFANG_JOB_UPLOAD_LIMIT' }), n)) };
  return { format, ...(await itemsPreview(uploadItems(body, headers, format, {}, limits).items, n)) };
}
