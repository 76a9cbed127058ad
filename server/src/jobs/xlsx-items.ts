/**
 * Reads a job's items from an Excel workbook (.xlsx): the first sheet, its first non-empty row the
 * input names (optionally an `id` column), each later row one item, cells typed as the CSV path types
 * them. The workbook is held in memory (at most the upload limit), its ZIP checked before anything
 * unpacks it (yauzl: the central directory agrees with the local headers, the unpacked total is under
 * the limit and every entry really unpacks to its declared size: no ZIP bomb gets through), then read
 * with exceljs's streaming reader, a row at a time.
 */
import { isRecord } from '@shared/json.js';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { JsonSchema } from '@shared/json-schema.js';
import { UploadTooLargeError } from './decode-upload.js';
import { ItemLineError, rowItem, type ParsedItem } from './parse-items.js';

/** exceljs, loaded on first use: it takes a few hundred ms to load, which every CLI command would pay. */
let excel: Promise<typeof import('./xlsx-reader.js')> | undefined;

/** Loads the workbook reader now (the server calls this at start, so no upload waits for it). */
export function preloadXlsxReader(): Promise<unknown> {
  excel ??= import('./xlsx-reader.js');
  return excel;
}

/** The workbook cannot be read (not an .xlsx, encrypted, inconsistent). */
export class XlsxError extends Error {
  constructor(message: string) {
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
    throw new XlsxError('the file is not an .xlsx workbook (not a ZIP archive)');
  }
  const directory = centralDirectoryOffset(buffer);
  const entries: yauzl.Entry[] = [];
  let unpacked = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.isEncrypted()) throw new XlsxError('the workbook is password-protected: save it without a password');
      unpacked += entry.uncompressedSize;
      if (unpacked > limits.unpackedBytes) throw new UploadTooLargeError(limits.unpackedBytes, limits.unpackedSetting);
      entries.push(entry);
    }
  } catch (error) {
    if (error instanceof XlsxError || error instanceof UploadTooLargeError) throw error;
    throw new XlsxError(`the workbook's ZIP is damaged (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!entries.some((e) => e.fileName === 'xl/workbook.xml')) throw new XlsxError('the file is a ZIP archive but not an Excel workbook (no xl/workbook.xml)');
  entries.sort((a, b) => a.relativeOffsetOfLocalHeader - b.relativeOffsetOfLocalHeader);
  let expected = 0;
  for (const entry of entries) {
    const header = await zip.readLocalFileHeaderPromise(entry);
    const end = header.fileDataStart + entry.compressedSize;
    if (entry.relativeOffsetOfLocalHeader !== expected || header.fileName.toString('utf8') !== entry.fileNameRaw.toString('utf8')) {
      throw new XlsxError('the workbook\'s ZIP is inconsistent (its entries do not match its directory)');
    }
    expected = end + descriptorLength(buffer, end, header.generalPurposeBitFlag);
    // Unpack and count: yauzl fails the stream when the data is larger than declared.
    const stream = await zip.openReadStreamPromise(entry);
    try {
      for await (const chunk of stream) void chunk;
    } catch (error) {
      throw new XlsxError(`the workbook's entry ${entry.fileName} is damaged (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  if (directory >= 0 && expected !== directory) throw new XlsxError('the workbook\'s ZIP is inconsistent (data between its entries)');
  zip.close();
}

/** A cell's value as text, the way CSV would hold it: dates as ISO dates, formulas as their result. */
export function cellText(value: unknown, place: { row: number; column: string; sheet: string }): string {
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
    if (typeof value.error === 'string') throw new ItemLineError(place.row, `column "${place.column}" holds the error ${value.error}`, place.sheet);
    if ('result' in value) return cellText(value.result, place);
    if ('formula' in value || 'sharedFormula' in value) return '';
    if ('text' in value) return cellText(value.text, place);
  }
  return String(value);
}

function sheetName(worksheet: object, fallback: string): string {
  return 'name' in worksheet && typeof worksheet.name === 'string' ? worksheet.name : fallback;
}

/** Items of an .xlsx upload; throws {@link XlsxError}, {@link UploadTooLargeError} or {@link ItemLineError} (with the sheet row). */
export async function* itemsFromXlsx(source: AsyncIterable<Uint8Array | string>, inputSchema: JsonSchema, limits: XlsxLimits): AsyncGenerator<ParsedItem> {
  const buffer = await readAll(source, limits);
  await checkZip(buffer, limits);
  const { WorkbookReader } = await (excel ??= import('./xlsx-reader.js'));
  const reader = new WorkbookReader(Readable.from([buffer]), { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore' });
  let done = false;
  for await (const worksheet of reader) {
    // The first tab; the others are skipped (a worksheet left unread is drained by the reader).
    const first = reader.model?.sheets?.[0]?.name;
    const name = sheetName(worksheet, 'Sheet1');
    if (done || (first !== undefined && name !== first)) continue;
    done = true;
    let header: string[] | undefined;
    for await (const row of worksheet) {
      const values: unknown = row.values;
      const cells = Array.isArray(values) ? values : [];
      const texts: string[] = [];
      // row.values is 1-based and sparse: column A is index 1.
      for (let c = 1; c < cells.length; c++) texts.push(cellText(cells[c], { row: row.number, column: header?.[c - 1] ?? `#${c}`, sheet: name }));
      if (texts.every((t) => t.trim() === '')) continue;
      if (!header) {
        header = texts.map((t) => t.trim());
        while (header.length > 0 && header[header.length - 1] === '') header.pop();
        const blank = header.indexOf('');
        if (blank >= 0) throw new ItemLineError(row.number, `the header row has an empty column name (column ${blank + 1})`, name);
        continue;
      }
      const extra = texts.findIndex((t, i) => i >= (header?.length ?? 0) && t.trim() !== '');
      if (extra >= 0) throw new ItemLineError(row.number, `column ${extra + 1} has a value but no name in the header row`, name);
      yield rowItem(header, texts, inputSchema, { line: row.number, sheet: name });
    }
    if (!header) throw new ItemLineError(1, 'the sheet is empty: its first row should name the inputs', name);
  }
  if (!done) throw new XlsxError('the workbook has no worksheet');
}
