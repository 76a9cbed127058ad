/**
 * Reads a job's items from a JSON array, JSONL text (one `{id?, inputs}` a line) or CSV text (a
 * header row of input names, optionally an `id` column), one at a time, so a 100 000-line upload is
 * never held in memory whole. The text arrives decoded (decode-upload.ts). Every problem names its line.
 */
import { Readable, pipeline } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { JobItemInputSchema } from '@shared/jobs.js';
import { describeNul, findNul, hasNul, NUL_CODE, showNul } from '@shared/nul.js';
import type { JsonSchema } from '@shared/json-schema.js';
import { UploadEncodingError, UploadTooLargeError } from './decode-upload.js';

/** One item as read: its line (1-based; the CSV header is line 1) and, when given, its id. */
export interface ParsedItem {
  line: number;
  /** The sheet the row is on (a workbook's items only). */
  sheet?: string;
  id?: string;
  inputs: Record<string, unknown>;
}

/**
 * Why a line was refused, for the reader's language: a code (`errors.invalid_item_<code>` in the client)
 * and its parameters, sent in the refusal's details beside the English `problem`.
 */
export interface ItemLineReason {
  code: string;
  params?: Record<string, string | number>;
}

/**
 * A problem with one line of the submission (for a sheet: one row, `sheet` naming it; `column`: the file's
 * column at fault; `reason`: what is wrong as a code and parameters).
 */
export class ItemLineError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
    readonly sheet?: string,
    readonly column?: string,
    readonly reason?: ItemLineReason,
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

/**
 * Refuses a line's parsed JSON value holding U+0000 in a string or key (the NUL rule, shared/src/nul.ts):
 * an {@link ItemLineError} with the reason `nul_character` and the path in the value (`inputs.transcript`).
 */
export function refuseNulValue(value: unknown, line: number): void {
  const found = findNul(value);
  if (found) throw new ItemLineError(line, describeNul(found.path, found.inKey), undefined, undefined, { code: NUL_CODE, params: { path: found.path, ...(found.inKey ? { in_key: 1 } : {}) } });
}

/**
 * Refuses a table row (CSV record, sheet row, header included) with U+0000 in a cell, naming its column:
 * `columns[i]`, or `#<n>` where the header has none (the header row itself).
 */
export function refuseNulCells(cells: readonly string[], columns: readonly string[], place: CellPlace): void {
  const at = cells.findIndex(hasNul);
  if (at < 0) return;
  const column = showNul(columns[at] ?? `#${at + 1}`);
  throw new ItemLineError(place.line, `column "${column}" ${describeNul('')}`, place.sheet, column, { code: NUL_CODE });
}

/** Checks one `{id?, inputs}` value. */
export function toItem(value: unknown, line: number): ParsedItem {
  refuseNulValue(value, line);
  const parsed = JobItemInputSchema.safeParse(value);
  if (!parsed.success) throw new ItemLineError(line, `expected { "id"?, "inputs": { … } } (${describe(parsed.error.issues)})`, undefined, undefined, { code: 'item_shape' });
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

/** An item's inputs renamed by `mapping` (input → the key the file uses); keys no input names are left out. */
export function mapInputs(item: ParsedItem, mapping: ColumnMapping | undefined): ParsedItem {
  if (mapping === undefined) return item;
  const inputs: Record<string, unknown> = {};
  // `id` is the item's own field in JSON, not one of its inputs.
  for (const [input, key] of Object.entries(mapping)) if (input !== 'id' && key !== '' && Object.hasOwn(item.inputs, key)) inputs[input] = item.inputs[key];
  return { ...item, inputs };
}

/** Items of JSONL text (their inputs' keys read through `mapping`); blank lines are skipped but still counted. */
export async function* itemsFromJsonl(text: AsyncIterable<string>, mapping?: ColumnMapping): AsyncGenerator<ParsedItem> {
  let line = 0;
  for await (const raw of linesOf(text)) {
    line += 1;
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      throw new ItemLineError(line, `not valid JSON (${error instanceof Error ? error.message : String(error)})`, undefined, undefined, { code: 'not_json' });
    }
    yield mapInputs(toItem(value, line), mapping);
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
  const fail = (problem: string, code: string) => new ItemLineError(place.line, problem, place.sheet, column, { code, params: { value: value.slice(0, 40) } });
  if (type === 'number' || type === 'integer') {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw fail(`column "${column}" must be a number, got "${value.slice(0, 40)}"`, 'not_number');
    return n;
  }
  if (type === 'boolean') {
    if (/^(true|1|yes)$/i.test(value.trim())) return true;
    if (/^(false|0|no)$/i.test(value.trim())) return false;
    throw fail(`column "${column}" must be true or false, got "${value.slice(0, 40)}"`, 'not_boolean');
  }
  if ((type === 'object' || type === 'array') && /^\s*[[{]/.test(value)) {
    try {
      return JSON.parse(value);
    } catch {
      throw fail(`column "${column}" is not valid JSON`, 'cell_not_json');
    }
  }
  return value;
}

/**
 * How a table's columns feed a job's inputs: input name → the file's column header. Without one, each
 * column feeds the input of its name.
 */
export type ColumnMapping = Readonly<Record<string, string>>;

/** What a table's header means: per column, the input (or `id`) it feeds, '' for none, and its own name. */
export interface TableHeader {
  names: string[];
  columns: string[];
}

/**
 * The header row read through `mapping`: each column takes the input mapped to it (`id` may be mapped
 * too; else an `id` column stays the id); with a mapping, a column no input names is left out. Throws an
 * {@link ItemLineError} on the header row when a mapped column is not in it, or feeds two inputs.
 */
export function mapHeader(header: string[], mapping: ColumnMapping | undefined, place: CellPlace): TableHeader {
  if (mapping === undefined) return { names: header, columns: header };
  // An `id` column is the id unless the mapping says where the id comes from.
  const keepId = !Object.hasOwn(mapping, 'id');
  const names = header.map((h): string => (keepId && h === 'id' ? 'id' : ''));
  for (const [input, column] of Object.entries(mapping)) {
    if (column === '') continue;
    const at = header.indexOf(column);
    if (at < 0) throw new ItemLineError(place.line, `column "${column}" (for input "${input}") is not in the header row`, place.sheet, column, { code: 'column_missing', params: { input } });
    if (names[at] !== '' && names[at] !== 'id') throw new ItemLineError(place.line, `column "${column}" is mapped to two inputs ("${names[at]}" and "${input}")`, place.sheet, column, { code: 'column_twice', params: { first: names[at], second: input } });
    names[at] = input;
  }
  return { names, columns: header };
}

/**
 * One table row (CSV record or sheet row) under its header as an item: the `id` column is the id,
 * other non-empty cells are inputs typed by `inputSchema`; columns named '' are left out. Errors name
 * the file's column (`header.columns`).
 */
export function rowItem(header: string[] | TableHeader, cells: string[], inputSchema: JsonSchema, place: CellPlace): ParsedItem {
  const { names, columns } = Array.isArray(header) ? { names: header, columns: header } : header;
  const inputs: Record<string, unknown> = {};
  let id: string | undefined;
  names.forEach((name, i) => {
    const value = cells[i] ?? '';
    if (name === '') return;
    if (name === 'id') id = value.trim() === '' ? undefined : value.trim();
    else if (value !== '') inputs[name] = cell(value, propertyType(inputSchema, name), place, columns[i] ?? name);
  });
  const value = id === undefined ? { inputs } : { id, inputs };
  if (place.sheet === undefined) return toItem(value, place.line);
  const parsed = JobItemInputSchema.safeParse(value);
  if (!parsed.success) throw new ItemLineError(place.line, `expected an id and inputs (${describe(parsed.error.issues)})`, place.sheet, undefined, { code: 'item_shape' });
  return { line: place.line, sheet: place.sheet, id: parsed.data.id, inputs: parsed.data.inputs };
}

/** Items of CSV text with a header row (read through `mapping`); `inputSchema` types the cells. Empty cells are left out. */
export async function* itemsFromCsv(text: AsyncIterable<string>, inputSchema: JsonSchema, mapping?: ColumnMapping): AsyncGenerator<ParsedItem> {
  const parser = parseCsv({ bom: true, skip_empty_lines: true, relax_column_count: false, info: true });
  // pipeline, not pipe: an error in the text (a refused encoding) must end the parser's iteration too.
  // One chunk read ahead at most: flowing mode parses everything buffered in one turn of the loop.
  pipeline(Readable.from(text, { highWaterMark: 1 }), parser, () => {});
  let header: TableHeader | undefined;
  try {
    for await (const record of parser) {
      const row: unknown = record;
      if (typeof row !== 'object' || row === null || !('record' in row) || !('info' in row)) continue;
      const info: unknown = row.info;
      const line = typeof info === 'object' && info !== null && 'lines' in info && typeof info.lines === 'number' ? info.lines : 0;
      const cells = Array.isArray(row.record) ? row.record.map(String) : [];
      refuseNulCells(cells, header?.columns ?? [], { line });
      if (!header) {
        const names = cells.map((c) => c.trim());
        if (names.some((h) => h === '')) throw new ItemLineError(line, 'the header row has an empty column name', undefined, undefined, { code: 'header_empty_name' });
        header = mapHeader(names, mapping, { line });
        continue;
      }
      yield rowItem(header, cells, inputSchema, { line });
    }
  } catch (error) {
    if (error instanceof ItemLineError || error instanceof UploadEncodingError || error instanceof UploadTooLargeError) throw error;
    const line = typeof error === 'object' && error !== null && 'lines' in error && typeof error.lines === 'number' ? error.lines : 0;
    throw new ItemLineError(line, `not valid CSV (${error instanceof Error ? error.message : String(error)})`, undefined, undefined, { code: 'not_csv' });
  }
}
