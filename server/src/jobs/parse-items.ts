/**
 * Reads a job's items from a JSON array, a JSONL stream (one `{id?, inputs}` a line) or a CSV stream
 * (a header row of input names, optionally an `id` column), one at a time, so a 100 000-line upload is
 * never held in memory whole. Every problem names its line.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { JobItemInputSchema } from '@shared/jobs.js';
import type { JsonSchema } from '@shared/json-schema.js';

/** One item as read: its line (1-based; the CSV header is line 1) and, when given, its id. */
export interface ParsedItem {
  line: number;
  id?: string;
  inputs: Record<string, unknown>;
}

/** A problem with one line of the submission. */
export class ItemLineError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(`line ${line}: ${problem}`);
    this.name = 'ItemLineError';
  }
}

/** The upload formats, by Content-Type. */
export type UploadFormat = 'json' | 'jsonl' | 'csv';

/** The format a Content-Type names, or undefined when it is none of them. */
export function uploadFormat(contentType: string | undefined): UploadFormat | undefined {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || type === '') return 'json';
  if (type === 'application/x-ndjson' || type === 'application/jsonl' || type === 'application/x-jsonlines' || type === 'application/ndjson') return 'jsonl';
  if (type === 'text/csv') return 'csv';
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

/** Items of a JSON body's `items` array; item n is line n. */
export function* itemsFromArray(items: unknown[]): Generator<ParsedItem> {
  for (let i = 0; i < items.length; i++) yield toItem(items[i], i + 1);
}

/** Items of a JSONL stream; blank lines are skipped but still counted. */
export async function* itemsFromJsonl(stream: Readable): AsyncGenerator<ParsedItem> {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line += 1;
    const trimmed = text.trim();
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

/** A CSV cell as the input's declared type wants it: numbers and booleans converted, objects parsed. */
function cell(value: string, type: string | undefined, line: number, column: string): unknown {
  if (type === 'number' || type === 'integer') {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new ItemLineError(line, `column "${column}" must be a number, got "${value.slice(0, 40)}"`);
    return n;
  }
  if (type === 'boolean') {
    if (/^(true|1|yes)$/i.test(value.trim())) return true;
    if (/^(false|0|no)$/i.test(value.trim())) return false;
    throw new ItemLineError(line, `column "${column}" must be true or false, got "${value.slice(0, 40)}"`);
  }
  if ((type === 'object' || type === 'array') && /^\s*[[{]/.test(value)) {
    try {
      return JSON.parse(value);
    } catch {
      throw new ItemLineError(line, `column "${column}" is not valid JSON`);
    }
  }
  return value;
}

/** Items of a CSV stream with a header row; `inputSchema` types the cells. Empty cells are left out. */
export async function* itemsFromCsv(stream: Readable, inputSchema: JsonSchema): AsyncGenerator<ParsedItem> {
  const parser = stream.pipe(parseCsv({ bom: true, skip_empty_lines: true, relax_column_count: false, info: true }));
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
      const inputs: Record<string, unknown> = {};
      let id: string | undefined;
      header.forEach((name, i) => {
        const value = cells[i] ?? '';
        if (name === 'id') id = value.trim() === '' ? undefined : value.trim();
        else if (value !== '') inputs[name] = cell(value, propertyType(inputSchema, name), line, name);
      });
      yield toItem(id === undefined ? { inputs } : { id, inputs }, line);
    }
  } catch (error) {
    if (error instanceof ItemLineError) throw error;
    const line = typeof error === 'object' && error !== null && 'lines' in error && typeof error.lines === 'number' ? error.lines : 0;
    throw new ItemLineError(line, `not valid CSV (${error instanceof Error ? error.message : String(error)})`);
  }
}
