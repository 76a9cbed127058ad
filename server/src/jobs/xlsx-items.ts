/**
 * Reads a job's items from an Excel workbook (.xlsx): the first sheet, its first non-empty row the
 * input names (optionally an `id` column), each later row one item, cells typed as the CSV path types
 * them. The workbook is held in memory (at most the upload limit), its ZIP checked before anything
 * unpacks it (yauzl: the central directory agrees with the local headers, the unpacked total is under
 * the limit and every entry really unpacks to its declared size: no ZIP bomb gets through), then read
 * with exceljs's streaming reader on a worker thread (xlsx-worker.mjs), in batches of rows: exceljs
 * costs a few hundred ms and ≈ 30 MB to load, which neither the event loop nor the idle server pays.
 */
import { isRecord } from '@shared/json.js';
import { Worker } from 'node:worker_threads';
import yauzl from 'yauzl';
import type { JsonSchema } from '@shared/json-schema.js';
import { UploadTooLargeError } from './decode-upload.js';
import { ItemLineError, mapHeader, refuseNulCells, rowItem, type ColumnMapping, type ParsedItem, type TableHeader } from './parse-items.js';

/** The worker that reads a workbook's rows with exceljs (see the file for its messages). */
const WORKER_URL = new URL('./xlsx-worker.mjs', import.meta.url);

/** Most memory a workbook reader may take, MB: a workbook past it fails its upload, not the server. */
const WORKER_HEAP_MB = 512;

/**
 * The workbook cannot be read (not an .xlsx, encrypted, inconsistent); `reason` says which as a code
 * (`not_zip`, `encrypted`, `damaged`, `not_workbook`, `too_big_to_read`, `no_worksheet`, `unreadable`).
 */
export class XlsxError extends Error {
  constructor(
    message: string,
    readonly reason: 'not_zip' | 'encrypted' | 'damaged' | 'not_workbook' | 'too_big_to_read' | 'no_worksheet' | 'unreadable' = 'unreadable',
  ) {
    super(message);
    this.name = 'XlsxError';
  }
}

export interface XlsxLimits {
  /** Largest upload (the .xlsx file as sent), bytes, and its setting. */
  limitBytes: number;
  limitSetting: string;
  /** Largest total of the workbook's unpacked entries, bytes, and its setting. */
  unpackedBytes: number;
  unpackedSetting: string;
}

async function readAll(source: AsyncIterable<Uint8Array | string>, limits: XlsxLimits): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const piece of source) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : Buffer.from(piece);
    total += chunk.length;
    if (total > limits.limitBytes) throw new UploadTooLargeError(limits.limitBytes, limits.limitSetting);
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

/** Where the central directory starts, from the end-of-central-directory record (yauzl found it already; −1 for ZIP64). */
function centralDirectoryOffset(buffer: Buffer): number {
  for (let at = buffer.length - 22; at >= Math.max(0, buffer.length - 22 - 0xffff); at--) {
    if (buffer.readUInt32LE(at) === 0x06054b50) {
      const offset = buffer.readUInt32LE(at + 16);
      return offset === 0xffffffff ? -1 : offset;
    }
  }
  return -1;
}

/** The length of an entry's data descriptor, if it has one (general purpose flag bit 3). */
function descriptorLength(buffer: Buffer, at: number, flags: number): number {
  if ((flags & 0x8) === 0) return 0;
  return at + 4 <= buffer.length && buffer.readUInt32LE(at) === 0x08074b50 ? 16 : 12;
}

/**
 * Checks the workbook's ZIP: every entry in the central directory, laid out back to back from byte 0
 * to the directory (so a streaming reader sees exactly these entries), none encrypted, the unpacked
 * total under the limit, and each entry unpacking to exactly its declared size.
 */
async function checkZip(buffer: Buffer, limits: XlsxLimits): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(buffer, { lazyEntries: true, validateEntrySizes: true });
  } catch {
    throw new XlsxError('the file is not an .xlsx workbook (not a ZIP archive)', 'not_zip');
  }
  const directory = centralDirectoryOffset(buffer);
  const entries: yauzl.Entry[] = [];
  let unpacked = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.isEncrypted()) throw new XlsxError('the workbook is password-protected: save it without a password', 'encrypted');
      unpacked += entry.uncompressedSize;
      if (unpacked > limits.unpackedBytes) throw new UploadTooLargeError(limits.unpackedBytes, limits.unpackedSetting);
      entries.push(entry);
    }
  } catch (error) {
    if (error instanceof XlsxError || error instanceof UploadTooLargeError) throw error;
    throw new XlsxError(`the workbook's ZIP is damaged (${error instanceof Error ? error.message : String(error)})`, 'damaged');
  }
  if (!entries.some((e) => e.fileName === 'xl/workbook.xml')) throw new XlsxError('the file is a ZIP archive but not an Excel workbook (no xl/workbook.xml)', 'not_workbook');
  entries.sort((a, b) => a.relativeOffsetOfLocalHeader - b.relativeOffsetOfLocalHeader);
  let expected = 0;
  for (const entry of entries) {
    // A damaged local header (its signature, its lengths) is the file's fault, not the server's.
    const header = await zip.readLocalFileHeaderPromise(entry).catch((error: unknown) => {
      throw new XlsxError(`the workbook's entry ${entry.fileName} is damaged (${error instanceof Error ? error.message : String(error)})`, 'damaged');
    });
    const end = header.fileDataStart + entry.compressedSize;
    if (entry.relativeOffsetOfLocalHeader !== expected || header.fileName.toString('utf8') !== entry.fileNameRaw.toString('utf8')) {
      throw new XlsxError('the workbook\'s ZIP is inconsistent (its entries do not match its directory)', 'damaged');
    }
    expected = end + descriptorLength(buffer, end, header.generalPurposeBitFlag);
    // Unpack and count: yauzl fails the stream when the data is larger than declared.
    const stream = await zip.openReadStreamPromise(entry).catch((error: unknown) => {
      throw new XlsxError(`the workbook's entry ${entry.fileName} is damaged (${error instanceof Error ? error.message : String(error)})`, 'damaged');
    });
    try {
      for await (const chunk of stream) void chunk;
    } catch (error) {
      throw new XlsxError(`the workbook's entry ${entry.fileName} is damaged (${error instanceof Error ? error.message : String(error)})`, 'damaged');
    }
  }
  if (directory >= 0 && expected !== directory) throw new XlsxError('the workbook\'s ZIP is inconsistent (data between its entries)', 'damaged');
  zip.close();
}

/**
 * A cell's value as text, the way CSV would hold it: dates as ISO dates, formulas as their result.
 * Refuses a cell holding U+0000 (the NUL rule), in the header row too.
 */
export function cellText(value: unknown, place: { row: number; column: string; sheet: string }): string {
  const text = cellValueText(value, place);
  refuseNulCells([text], [place.column], { line: place.row, sheet: place.sheet });
  return text;
}

function cellValueText(value: unknown, place: { row: number; column: string; sheet: string }): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('.000Z', 'Z');
  }
  if (isRecord(value)) {
    if (Array.isArray(value.richText)) return value.richText.map((run: unknown) => (isRecord(run) && typeof run.text === 'string' ? run.text : '')).join('');
    if (typeof value.error === 'string') throw new ItemLineError(place.row, `column "${place.column}" holds the error ${value.error}`, place.sheet, place.column, { code: 'cell_error', params: { error: value.error } });
    if ('result' in value) return cellValueText(value.result, place);
    if ('formula' in value || 'sharedFormula' in value) return '';
    if ('text' in value) return cellValueText(value.text, place);
  }
  return String(value);
}

type WorkbookRows = AsyncGenerator<{ type: 'sheet'; name: string } | { type: 'row'; number: number; values: unknown[] }, boolean>;

/**
 * The first sheet's rows, read on a worker thread: its name, then each row; returns whether the
 * workbook had a worksheet. Throws {@link XlsxError} when exceljs cannot read it. The worker is
 * stopped when the rows are no longer wanted.
 */
async function* workbookRows(buffer: Buffer): WorkbookRows {
  const copy = new Uint8Array(buffer).buffer;
  const worker = new Worker(WORKER_URL, { workerData: { buffer: copy }, transferList: [copy], resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
  const inbox: unknown[] = [];
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  worker.on('message', (m: unknown) => {
    inbox.push(m);
    notify();
  });
  worker.on('error', (error) => {
    failure ??= error.message.includes('memory') ? new XlsxError(`the workbook needs more than ${WORKER_HEAP_MB} MB to read`, 'too_big_to_read') : error;
    notify();
  });
  worker.on('exit', () => {
    failure ??= new XlsxError('the workbook reader stopped unexpectedly');
    notify();
  });
  try {
    for (;;) {
      while (inbox.length === 0) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      const m = inbox.shift();
      if (!isRecord(m)) continue;
      if (m.type === 'error') throw new XlsxError(`the workbook cannot be read (${String(m.message)})`);
      if (m.type === 'end') return m.sheets === true;
      if (m.type === 'sheet') yield { type: 'sheet', name: String(m.name) };
      if (m.type === 'rows' && Array.isArray(m.rows)) {
        for (const row of m.rows) {
          if (isRecord(row) && typeof row.number === 'number') yield { type: 'row', number: row.number, values: Array.isArray(row.values) ? row.values : [] };
        }
        worker.postMessage('more');
      }
    }
  } finally {
    worker.removeAllListeners('exit');
    void worker.terminate();
  }
}

/**
 * Items of an .xlsx upload, its header read through `mapping`; throws {@link XlsxError},
 * {@link UploadTooLargeError} or {@link ItemLineError} (with the sheet row).
 */
export async function* itemsFromXlsx(source: AsyncIterable<Uint8Array | string>, inputSchema: JsonSchema, limits: XlsxLimits, mapping?: ColumnMapping): AsyncGenerator<ParsedItem> {
  const buffer = await readAll(source, limits);
  await checkZip(buffer, limits);
  const rows = workbookRows(buffer);
  try {
    yield* rowsToItems(rows, inputSchema, mapping);
  } finally {
    // Stepped by hand below, the rows are not ended by a throw or an early return of this generator:
    // ending them here stops the worker (left waiting for 'more', it would live on, with its heap).
    await rows.return(false);
  }
}

/** The items of a workbook's rows: the first non-empty row names the inputs. */
async function* rowsToItems(rows: WorkbookRows, inputSchema: JsonSchema, mapping: ColumnMapping | undefined): AsyncGenerator<ParsedItem> {
  let name = 'Sheet1';
  let header: string[] | undefined;
  let mapped: TableHeader | undefined;
  let next = await rows.next();
  for (; !next.done; next = await rows.next()) {
    const event = next.value;
    if (event.type === 'sheet') {
      name = event.name;
      continue;
    }
    const cells = event.values;
    const texts: string[] = [];
    // row.values is 1-based and sparse: column A is index 1.
    for (let c = 1; c < cells.length; c++) texts.push(cellText(cells[c], { row: event.number, column: header?.[c - 1] ?? `#${c}`, sheet: name }));
    if (texts.every((t) => t.trim() === '')) continue;
    if (!header) {
      header = texts.map((t) => t.trim());
      while (header.length > 0 && header[header.length - 1] === '') header.pop();
      const blank = header.indexOf('');
      if (blank >= 0) throw new ItemLineError(event.number, `the header row has an empty column name (column ${blank + 1})`, name, undefined, { code: 'header_empty_name', params: { index: blank + 1 } });
      mapped = mapHeader(header, mapping, { line: event.number, sheet: name });
      continue;
    }
    const extra = texts.findIndex((t, i) => i >= (header?.length ?? 0) && t.trim() !== '');
    if (extra >= 0) throw new ItemLineError(event.number, `column ${extra + 1} has a value but no name in the header row`, name, undefined, { code: 'column_without_name', params: { index: extra + 1 } });
    yield rowItem(mapped ?? header, texts, inputSchema, { line: event.number, sheet: name });
  }
  if (!next.value) throw new XlsxError('the workbook has no worksheet', 'no_worksheet');
  if (!header) throw new ItemLineError(1, 'the sheet is empty: its first row should name the inputs', name, undefined, { code: 'sheet_empty' });
}

/** The first rows of a workbook's first sheet as text, for a preview: its name, the header and up to `rows` rows after it. */
export async function previewXlsx(source: AsyncIterable<Uint8Array | string>, limits: XlsxLimits, rows: number): Promise<{ sheet: string; header: string[]; rows: string[][] }> {
  const buffer = await readAll(source, limits);
  await checkZip(buffer, limits);
  const events = workbookRows(buffer);
  let sheet = 'Sheet1';
  let header: string[] | undefined;
  const out: string[][] = [];
  try {
    for (let next = await events.next(); !next.done && out.length < rows; next = await events.next()) {
      const event = next.value;
      if (event.type === 'sheet') {
        sheet = event.name;
        continue;
      }
      const texts: string[] = [];
      for (let c = 1; c < event.values.length; c++) texts.push(cellText(event.values[c], { row: event.number, column: header?.[c - 1] ?? `#${c}`, sheet }));
      if (texts.every((t) => t.trim() === '')) continue;
      if (header) out.push(texts);
      else {
        header = texts.map((t) => t.trim());
        while (header.length > 0 && header[header.length - 1] === '') header.pop();
      }
    }
  } finally {
    await events.return(false);
  }
  if (!header) throw new ItemLineError(1, 'the sheet is empty: its first row should name the inputs', sheet, undefined, { code: 'sheet_empty' });
  return { sheet, header, rows: out };
}
