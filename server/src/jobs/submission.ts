/**
 * What a job submission says besides its body, and how a submission is refused: the checks made before
 * the body is read (media type, webhook URL, column mapping) and the decoders' errors turned into
 * {@link DomainError}s with stable codes (also for evaluation-set files, read by the same decoders).
 */
import type { JsonSchema } from '@shared/json-schema.js';
import { DomainError } from '../common/domain-error.js';
import { NUL_CODE, NulError } from '../common/nul.js';
import { UploadEncodingError, UploadTooLargeError } from './decode-upload.js';
import { JsonBodyError } from './json-items.js';
import { ItemLineError, uploadFormat, type ColumnMapping, type UploadFormat } from './parse-items.js';
import { CompressedBodyError, ContentEncodingError } from './upload-items.js';
import { XlsxError } from './xlsx-items.js';

/** A webhook URL the jobs accept: http(s), no spaces. */
export const WEBHOOK_URL = /^https?:\/\/\S+$/i;

/** A body's webhook that is not {@link WEBHOOK_URL}: {@link refusal} makes it `invalid_webhook`. */
export class InvalidWebhookError extends Error {}

/** What a submission says besides its body (from the request's headers and query). */
export interface JobSubmission {
  /** The body's media type (its Content-Type), which picks the parser. */
  contentType: string | undefined;
  /** The body's Content-Encoding (gzip, deflate, br), if any. */
  contentEncoding: string | undefined;
  /** The Idempotency-Key, trimmed; null without one. */
  idempotencyKey: string | null;
  /** The completion webhook named outside the body (`?webhook=`); a body that names one wins. */
  webhookUrl?: string;
  /** Where each input comes from: input name (or `id`) → the file's column (a key, for JSON and JSONL); none: by name. */
  mapping?: ColumnMapping;
}

/**
 * A failed submission as a {@link DomainError}; hands back what is not a problem with the submission.
 * Also used by evaluation sets, whose files are read by the same decoders.
 */
export function refusal(error: unknown): unknown {
  if (error instanceof ItemLineError && error.reason?.code === NUL_CODE) {
    // The NUL rule has one code wherever input enters; its place is said as every refused line's is.
    const where = `${error.sheet === undefined ? 'line' : `sheet "${error.sheet}" row`} ${error.line}${error.column === undefined ? '' : `, column "${error.column}"`}`;
    // A JSON line names the path in its value; a table cell has none: `reason: 'cell'` (the client's words for it).
    const path = error.reason.params?.path;
    return new NulError(where, { ...(typeof path === 'string' ? { path, ...(error.reason.params?.in_key ? { in_key: true } : {}) } : { reason: 'cell' }), line: error.line, ...(error.sheet === undefined ? {} : { sheet: error.sheet, row: error.line }), ...(error.column === undefined ? {} : { column: error.column }) });
  }
  if (error instanceof ItemLineError) {
    const reason = error.reason ? { ...error.reason.params, reason: error.reason.code } : {};
    return new DomainError('invalid', 'invalid_item', error.message, { ...reason, line: error.line, problem: error.problem, ...(error.sheet === undefined ? {} : { sheet: error.sheet, row: error.line }), ...(error.column === undefined ? {} : { column: error.column }) });
  }
  if (error instanceof UploadEncodingError) return new DomainError('unsupported', 'unsupported_encoding', error.message, { encoding: error.detected, line: error.line });
  if (error instanceof UploadTooLargeError) return new DomainError('too_large', 'upload_too_large', error.message, { limit_bytes: error.limitBytes, setting: error.setting });
  if (error instanceof JsonBodyError) return new DomainError('invalid', 'invalid_body', error.message);
  if (error instanceof XlsxError) return new DomainError('invalid', 'invalid_xlsx', error.message, { reason: error.reason });
  if (error instanceof ContentEncodingError) return new DomainError('unsupported', 'unsupported_content_encoding', error.message);
  if (error instanceof CompressedBodyError) return new DomainError('invalid', 'invalid_content_encoding', error.message, { encoding: error.encoding });
  if (error instanceof InvalidWebhookError) return new DomainError('invalid', 'invalid_webhook', 'webhook must be an http(s) URL');
  return error;
}

/**
 * Refuses a column mapping that names an input the version does not have (`invalid_mapping`, details
 * `{ input }`) or leaves a required input without a column (`unmapped_input`, details `{ input }`).
 */
export function checkMapping(mapping: ColumnMapping, inputSchema: JsonSchema): void {
  const known = Object.keys(inputSchema.properties ?? {});
  for (const input of Object.keys(mapping)) {
    if (input !== 'id' && !known.includes(input)) throw new DomainError('invalid', 'invalid_mapping', `the column mapping names "${input}", which is not an input of this version (inputs: ${known.join(', ') || 'none'})`, { input });
  }
  for (const input of inputSchema.required ?? []) {
    if (!mapping[input]) throw new DomainError('invalid', 'unmapped_input', `the required input "${input}" has no column in the mapping`, { input });
  }
}

/**
 * The upload format of a body's media type (its Content-Type); throws an `unsupported`
 * {@link DomainError} `unsupported_media_type` for one no decoder reads.
 */
export function uploadFormatOf(contentType: string | undefined): UploadFormat {
  const format = uploadFormat(contentType);
  if (!format) throw new DomainError('unsupported', 'unsupported_media_type', 'send application/json, application/x-ndjson (JSONL), text/csv or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet (.xlsx)');
  return format;
}
