/**
 * From an upload request to the items of a job: undoes a Content-Encoding (gzip, deflate, br), then
 * reads JSON, JSONL, CSV (decoded from UTF-8, GB18030/GBK or UTF-16 by decode-upload.ts) or .xlsx.
 * Domain code: it takes the body as a stream and the headers it needs, never Express objects.
 */
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { JsonSchema } from '@shared/json-schema.js';
import { decodeUpload } from './decode-upload.js';
import { readJsonBody } from './json-items.js';
import { itemsFromCsv, itemsFromJsonl, mapInputs, type ColumnMapping, type ParsedItem, type UploadFormat } from './parse-items.js';
import type { JobUploadConfig } from './upload-config.js';
import { itemsFromXlsx } from './xlsx-items.js';

/** The request's Content-Encoding is not one Mofang undoes. */
export class ContentEncodingError extends Error {
  constructor(readonly encoding: string) {
    super(`Content-Encoding "${encoding}" is not supported: send the body as it is, or gzip, deflate or br`);
    this.name = 'ContentEncodingError';
  }
}

/** The body says it is compressed (gzip, deflate, br) but does not inflate: damaged, or not compressed at all. */
export class CompressedBodyError extends Error {
  constructor(
    readonly encoding: string,
    cause: unknown,
  ) {
    super(`the body is not valid ${encoding} data (Content-Encoding: ${encoding}): ${cause instanceof Error ? cause.message : String(cause)}; send it uncompressed, or compressed as its header says`);
    this.name = 'CompressedBodyError';
  }
}

/** zlib's errors (`Z_DATA_ERROR`, `ERR_BROTLI_…`, …) become a {@link CompressedBodyError}; others pass. */
async function* inflated(inflate: AsyncIterable<Uint8Array | string>, encoding: string): AsyncGenerator<Uint8Array | string> {
  try {
    yield* inflate;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('Z_') || code.startsWith('ERR_BROTLI') || code.startsWith('ERR__ERROR'))) throw new CompressedBodyError(encoding, error);
    throw error;
  }
}

/** The body without its Content-Encoding; an error on the way ends the iteration with that error. */
export function decodedBody(body: Readable, headers: { contentEncoding?: string }): AsyncIterable<Uint8Array | string> {
  return decoded(body, headers.contentEncoding);
}

function decoded(body: Readable, contentEncoding: string | undefined): AsyncIterable<Uint8Array | string> {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  // The request is not destroyed when reading stops early: the error reply must still reach the client.
  if (encoding === 'identity' || encoding === '') return body.iterator({ destroyOnReturn: false });
  const inflate = encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : encoding === 'br' ? createBrotliDecompress() : undefined;
  if (!inflate) throw new ContentEncodingError(encoding);
  body.pipe(inflate);
  body.once('error', (error) => inflate.destroy(error));
  // Reading may start only after an await (the job row is written first: a PostgreSQL round trip), and a
  // damaged body fails inflating before that: without a listener that error would be thrown as an
  // uncaught exception and stop the process. The stream keeps it; the iteration below then throws it.
  inflate.on('error', () => {});
  return inflated(inflate, encoding);
}

/** What a submission's body holds: its items and, once they are read, its webhook (for JSON bodies). */
export interface UploadItems {
  items: AsyncIterable<ParsedItem>;
  /** The body's webhook URL, known after `items` is exhausted (null: none in the body). */
  bodyWebhook: () => string | null;
}

/** Maps each item of `items` through `mapping`. */
async function* mapped(items: AsyncIterable<ParsedItem>, mapping: ColumnMapping): AsyncGenerator<ParsedItem> {
  for await (const item of items) yield mapInputs(item, mapping);
}

/**
 * Starts reading a submission of `format`; `inputSchema` types CSV and sheet cells; `mapping` (input →
 * the file's column, or key for JSON and JSONL) says where each input comes from.
 */
export function uploadItems(body: Readable, headers: { contentEncoding?: string }, format: UploadFormat, inputSchema: JsonSchema, limits: JobUploadConfig, mapping?: ColumnMapping): UploadItems {
  const source = decoded(body, headers.contentEncoding);
  const none = () => null;
  if (format === 'xlsx') {
    return {
      items: itemsFromXlsx(source, inputSchema, { limitBytes: limits.limitBytes, limitSetting: 'MOFANG_JOB_UPLOAD_LIMIT', unpackedBytes: limits.xlsxUnpackedBytes, unpackedSetting: 'MOFANG_JOB_XLSX_UNPACKED_LIMIT' }, mapping),
      bodyWebhook: none,
    };
  }
  const text = decodeUpload(source, { limitBytes: limits.limitBytes, limitSetting: 'MOFANG_JOB_UPLOAD_LIMIT' });
  if (format === 'csv') return { items: itemsFromCsv(text, inputSchema, mapping), bodyWebhook: none };
  if (format === 'jsonl') return { items: itemsFromJsonl(text, mapping), bodyWebhook: none };
  const json = readJsonBody(text);
  return { items: mapping === undefined ? json.items : mapped(json.items, mapping), bodyWebhook: json.webhookUrl };
}
