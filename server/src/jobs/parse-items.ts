/**
 * Reads a job's items from a JSON array, JSONL text (one `{id?, inputs}` a line) or CSV text (a
 * header row of input names, optionally an `id` column), one at a time, so a 100 000-line upload is
 * never held in memory whole. The text arrives decoded (decode-upload.ts). Every problem names its line.
 */
import { Readable, pipeline } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { JobItemInputSchema } from '@shared/jobs.js';
import type { JsonSchema } from '@shared/json-schema.js';
import { UploadEncodingError, UploadTooLargeError } from './decode-upload.js';

/** One item as read: its line (1-based; the CSV header is line 1) and, when given, its id. */
export interface ParsedItem {
  line: number;
  id?: string;
  inputs: Record<string, unknown>;
}

/** A problem with one line of the submission (for a sheet: one row, `sheet` naming it). */
export class ItemLineError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
    readonly sheet?: string,
  ) {
    super(`${sheet === undefined ? 'line' : `sheet "${sheet}" row`} ${line}: ${problem}`);
    this.name = 'ItemLineError';
  }
}

/** The Content-Type of an Excel workbook. */
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The upload formats, by Content-Type. */
export type UploadFormat = 'json' | 'jsonl' | 'csv' | 'xlsx';

/** The format a Content-Type names, or undefined when it is none of them. */
export function uploadFormat(contentType: string | undefined): UploadFormat | undefined {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || type === '') return 'json';
  if (type === 'application/x-ndjson' || type === 'application/jsonl' || type === 'application/x-jsonlines' || type === 'application/ndjson') return 'jsonl';
  if (type === 'text/csv') return 'csv';
  if (type === XLSX_TYPE) return 'xlsx';
  return undefined;
}

function describe(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  const first = issues[0];
  return first ? `${first.path.map(String).join('.') || '(item)'}: ${first.message}` : 'invalid item';
}

/** Checks one `{id?, inputs}` value. */
export function toItem(value: unknown, line: number): ParsedItem {
  const parsed = JobItemInputSchema.safeParse(value);
  if (!parsed.success) throw new ItemLineError(line, `expected { "id"?, "inputs": { … } } (${describe(parsed.error.issues)})`);
  return { line, id: parsed.data.id, inputs: parsed.data.inputs };
}

/** Lines of text chunks (`\n` or `\r\n`), the last one even without a newline. */
export async function* linesOf(text: AsyncIterable<string>): AsyncGenerator<string> {
  let partial = '';
  for await (const chunk of text) {
    let from = 0;
    for (let at = chunk.indexOf('\n'); at >= 0; at = chunk.indexOf('\n', from)) {
      const line = partial + chunk.slice(from, at);
      partial = '';
      yield line.endsWith('\r') ? line.slice(0, -1) : line;
      from = at + 1;
    }
    partial += chunk.slice(from);
  }
  if (partial !== '') yield partial;
}

/** Items of JSONL text; blank lines are skipped but still counted. */
export async function* itemsFromJsonl(text: AsyncIterable<string>): AsyncGenerator<ParsedItem> {
  let line = 0;
  for await (const raw of linesOf(text)) {
    line += 1;
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      throw new ItemLineError(line, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    yield toItem(value, line);
  }
}

function propertyType(schema: JsonSchema, name: string): string | undefined {
  const properties: unknown = schema.properties;
  if (typeof properties !== 'object' || properties === null || !(name in properties)) return undefined;
  const property: unknown = Object.getOwnPropertyDescriptor(properties, name)?.value;
  if (typeof property !== 'object' || property === null || !('type' in property)) return undefined;
  return typeof property.type === 'string' ? property.type : undefined;
}

/** Where a cell is, for its error: a CSV line or a sheet row. */
interface CellPlace {
  line: number;
  sheet?: string;
}

/** A table cell (CSV text) as the input's declared type wants it: numbers and booleans converted, objects parsed. */
export function cell(value: string, type: string | undefined, place: CellPlace, column: string): unknown {
  const fail = (problem: string) => new ItemLineError(place.line, problem, place.sheet);
  if (type === 'number' || type === 'integer') {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw fail(`column "${column}" must be a number, got "${value.slice(0, 40)}"`);
    return n;
  }
  if (type === 'boolean') {
    if (/^(true|1|yes)$/i.test(value.trim())) return true;
    if (/^(false|0|no)$/i.test(value.trim())) return false;
    throw fail(`column "${column}" must be true or false, got "${value.slice(0, 40)}"`);
  }
  if ((type === 'object' || type === 'array') && /^\s*[[{]/.test(value)) {
    try {
      return JSON.parse(value);
    } catch {
      throw fail(`column "${column}" is not valid JSON`);
    }
  }
  return value;
}

/**
 * One table row (CSV record or sheet row) under its header as an item: the `id` column is the id,
 * other non-empty cells are inputs typed by `inputSchema`.
 */
export function rowItem(header: string[], cells: string[], inputSchema: JsonSchema, place: CellPlace): ParsedItem {
  const inputs: Record<string, unknown> = {};
  let id: string | undefined;
  header.forEach((name, i) => {
    const value = cells[i] ?? '';
    if (name === 'id') id = value.trim() === '' ? undefined : value.trim();
    else if (value !== '') inputs[name] = cell(value, propertyType(inputSchema, name), place, name);
  });
  const value = id === undefined ? { inputs } : { id, inputs };
  if (place.sheet === undefined) return toItem(value, place.line);
  const parsed = JobItemInputSchema.safeParse(value);
  if (!parsed.success) throw new ItemLineError(place.line, `expected an id and inputs (${describe(parsed.error.issues)})`, place.sheet);
  return { line: place.line, id: parsed.data.id, inputs: parsed.data.inputs };
}

/** Items of CSV text with a header row; `inputSchema` types the cells. Empty cells are left out. */
export async function* itemsFromCsv(text: AsyncIterable<string>, inputSchema: JsonSchema): AsyncGenerator<ParsedItem> {
  const parser = parseCsv({ bom: true, skip_empty_lines: true, relax_column_count: false, info: true });
  // pipeline, not pipe: an error in the text (a refused encoding) must end the parser's iteration too.
  // One chunk read ahead at most: flowing mode parses everything buffered in one turn of the loop.
  pipeline(Readable.from(text, { highWaterMark: 1 }), parser, () => {});
  let header: string[] | undefined;
  try {
    for await (const record of parser) {
      const row: unknown = record;
      if (typeof row !== 'object' || row === null || !('record' in row) || !('info' in row)) continue;
      const info: unknown = row.info;
      const line = typeof info === 'object' && info !== null && 'lines' in info && typeof info.lines === 'number' ? info.lines : 0;
      const cells = Array.isArray(row.record) ? row.record.map(String) : [];
      if (!header) {
        header = cells.map((c) => c.trim());
        if (header.some((h) => h === '')) throw new ItemLineError(line, 'the header row has an empty column name');
        continue;
      }
      yield rowItem(header, cells, inputSchema, { line });
    }
  } catch (error) {
    if (error instanceof ItemLineError || error instanceof UploadEncodingError || error instanceof UploadTooLargeError) throw error;
    const line = typeof error === 'object' && error !== null && 'lines' in error && typeof error.lines === 'number' ? error.lines : 0;
    throw new ItemLineError(line, `not valid CSV (${error instanceof Error ? error.message : String(error)})`);
  }
}
