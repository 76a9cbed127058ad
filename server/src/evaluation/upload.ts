/**
 * Reading an evaluation-set file into cases, with the job upload's decoders (Content-Encoding, UTF-8 /
 * GB18030 / UTF-16 text, the .xlsx worker and its ZIP checks, size limits, line numbers in errors):
 * JSONL is one `{ "id"?, "inputs": {…}, "expected": {…} }` a line; a CSV or a workbook has a header row
 * whose columns are `inputs.<name>` / `expected.<name>` (a bare input name is an input, a bare output
 * name an expected output), or are mapped onto those targets by `mapping` (target → column) as a job's
 * columns are mapped onto inputs.
 */
import type { Readable } from 'node:stream';
import { EvalCaseInputSchema, type EvalUploadPreview, EXPECTED_PREFIX, INPUT_PREFIX, isReservedCaseId, MAX_EVAL_CASES } from '@shared/evaluation.js';
import { isRecord } from '@shared/json.js';
import { schemaForType, VALUE_TYPES, type JsonSchema } from '@shared/json-schema.js';
import type { JobUploadPreview } from '@shared/jobs.js';
import { DomainError } from '../common/domain-error.js';
import { decodeUpload } from '../jobs/decode-upload.js';
import { refusal } from '../jobs/submission.js';
import { ItemLineError, linesOf, refuseNulValue, uploadFormat, type ColumnMapping, type ParsedItem } from '../jobs/parse-items.js';
import { decodedBody, uploadItems } from '../jobs/upload-items.js';
import { MAX_PREVIEW_ROWS, previewUpload } from '../jobs/upload-preview.js';
import type { JobUploadConfig } from '../jobs/upload-config.js';
import type { CaseTargets } from './targets.js';

/** A case as read from a file: its line (sheet row for a workbook) and, when given, its id. */
export interface ParsedCase {
  line: number;
  id?: string;
  inputs: Record<string, unknown>;
  expected: Record<string, unknown>;
}

/** What the request says besides its body. */
export interface CaseUpload {
  contentType: string | undefined;
  contentEncoding: string | undefined;
  /** Target (`id`, `inputs.<name>`, `expected.<name>`) → the file's column; CSV and .xlsx only. */
  mapping?: ColumnMapping;
}

const TABLE_FORMATS = ['csv', 'xlsx'] as const;

/** The formats a set file may be: JSONL, CSV or .xlsx (a JSON body goes to `POST …/cases`). Throws `unsupported_media_type`. */
function setFormat(contentType: string | undefined): 'jsonl' | 'csv' | 'xlsx' {
  const format = uploadFormat(contentType);
  if (format === 'jsonl' || format === 'csv' || format === 'xlsx') return format;
  throw new DomainError('unsupported', 'unsupported_media_type', 'send an evaluation set as application/x-ndjson (JSONL), text/csv or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet (.xlsx)');
}

/** The schema a table's cells are typed by: every target (prefixed, and bare for its own side) with its declared type. */
function tableSchema(targets: CaseTargets): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const inputProps = targets.inputSchema.properties ?? {};
  for (const input of targets.inputs) {
    const schema = inputProps[input.name] ?? {};
    properties[`${INPUT_PREFIX}${input.name}`] = schema;
    properties[input.name] = schema;
  }
  for (const output of targets.outputs) {
    const type = VALUE_TYPES.find((t) => t === output.type && t !== 'transcript');
    const schema = type === undefined ? {} : schemaForType(type);
    properties[`${EXPECTED_PREFIX}${output.name}`] = schema;
    if (!Object.hasOwn(properties, output.name)) properties[output.name] = schema;
  }
  return { type: 'object', properties };
}

/** A table row's values split into inputs and expected by their column's target. */
function splitRow(item: ParsedItem, targets: CaseTargets): ParsedCase {
  const inputs: Record<string, unknown> = {};
  const expected: Record<string, unknown> = {};
  const inputNames = new Set(targets.inputs.map((i) => i.name));
  const outputNames = new Set(targets.outputs.map((o) => o.name));
  for (const [key, value] of Object.entries(item.inputs)) {
    if (key.startsWith(INPUT_PREFIX)) inputs[key.slice(INPUT_PREFIX.length)] = value;
    else if (key.startsWith(EXPECTED_PREFIX)) expected[key.slice(EXPECTED_PREFIX.length)] = value;
    else if (!inputNames.has(key) && outputNames.has(key)) expected[key] = value;
    else inputs[key] = value;
  }
  return { line: item.line, ...(item.id === undefined ? {} : { id: item.id }), inputs, expected };
}

/**
 * Refuses a mapping target that is not `id`, `inputs.<input>` or `expected.<output>` (`invalid_mapping`,
 * details `{ input, allowed }`).
 */
export function checkCaseMapping(mapping: ColumnMapping, targets: CaseTargets): void {
  const allowed = ['id', ...targets.inputs.map((i) => `${INPUT_PREFIX}${i.name}`), ...targets.outputs.map((o) => `${EXPECTED_PREFIX}${o.name}`)];
  for (const target of Object.keys(mapping)) {
    if (!allowed.includes(target)) throw new DomainError('invalid', 'invalid_mapping', `the column mapping names "${target}", which is none of: ${allowed.join(', ')}`, { input: target, allowed });
  }
}

/** Cases of JSONL text; blank lines are skipped but counted. Throws {@link ItemLineError}. */
async function* casesFromJsonl(text: AsyncIterable<string>): AsyncGenerator<ParsedCase> {
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
    refuseNulValue(value, line);
    const parsed = EvalCaseInputSchema.safeParse(value);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      if (isRecord(value) && (typeof value.id === 'string' || typeof value.id === 'number') && isReservedCaseId(String(value.id).trim())) {
        throw new ItemLineError(line, `the case id "${String(value.id)}" is a name JavaScript objects reserve; choose another`, undefined, undefined, { code: 'case_id_reserved', params: { id: String(value.id) } });
      }
      throw new ItemLineError(line, `expected { "id"?, "inputs": { … }, "expected": { … } } (${first ? `${first.path.map(String).join('.') || '(case)'}: ${first.message}` : 'invalid case'})`, undefined, undefined, { code: 'case_shape' });
    }
    yield { line, ...(parsed.data.id === undefined ? {} : { id: parsed.data.id }), inputs: parsed.data.inputs, expected: parsed.data.expected };
  }
}

/**
 * Every case of an uploaded file (at most {@link MAX_EVAL_CASES}), not yet checked against the scenario.
 * Throws the job upload's {@link DomainError}s for the same faults (`invalid_item` with `line`,
 * `unsupported_encoding`, `upload_too_large`, `invalid_xlsx`, …), `unsupported_media_type`,
 * `invalid_mapping` and `too_many_cases`.
 */
export async function readCases(body: Readable, upload: CaseUpload, targets: CaseTargets, limits: JobUploadConfig): Promise<ParsedCase[]> {
  const format = setFormat(upload.contentType);
  if (upload.mapping !== undefined) checkCaseMapping(upload.mapping, targets);
  const cases: ParsedCase[] = [];
  try {
    const source: AsyncIterable<ParsedCase> =
      format === 'jsonl'
        ? casesFromJsonl(decodeUpload(decodedBody(body, { contentEncoding: upload.contentEncoding }), { limitBytes: limits.limitBytes, limitSetting: 'MOFANG_JOB_UPLOAD_LIMIT' }))
        : tableCases(uploadItems(body, { contentEncoding: upload.contentEncoding }, format, tableSchema(targets), limits, upload.mapping).items, targets);
    for await (const c of source) {
      if (cases.length >= MAX_EVAL_CASES) throw new DomainError('too_large', 'too_many_cases', `a set holds at most ${MAX_EVAL_CASES} cases`, { limit: MAX_EVAL_CASES });
      cases.push(c);
    }
  } catch (error) {
    throw refusal(error);
  }
  return cases;
}

async function* tableCases(items: AsyncIterable<ParsedItem>, targets: CaseTargets): AsyncGenerator<ParsedCase> {
  for await (const item of items) yield splitRow(item, targets);
}

/** The columns of a preview that name no target: not `id`, `inputs.<input>`, `expected.<output>`, nor a bare input or output name (tables only). */
function unknownColumns(columns: string[], targets: CaseTargets, bareNames: boolean): string[] {
  const known = new Set(['id', ...targets.inputs.map((i) => `${INPUT_PREFIX}${i.name}`), ...targets.outputs.map((o) => `${EXPECTED_PREFIX}${o.name}`)]);
  if (bareNames) for (const name of [...targets.inputs, ...targets.outputs].map((t) => t.name)) known.add(name);
  return columns.filter((c) => !known.has(c));
}

/**
 * The first rows of a set file for the mapping preview: a CSV's or a workbook's header and rows (as the
 * jobs page shows them), or for JSONL the `id`, `inputs.<name>` and `expected.<name>` of its first cases;
 * with the columns or keys that name no start input or end output. Throws what an upload of the file
 * would for the same faults, and `empty_upload` for a file with no case (a table with a header alone).
 */
export async function previewCases(body: Readable, upload: Pick<CaseUpload, 'contentType' | 'contentEncoding'>, limits: JobUploadConfig, rows: number, targets: CaseTargets): Promise<EvalUploadPreview> {
  const format = setFormat(upload.contentType);
  const n = Math.max(1, Math.min(MAX_PREVIEW_ROWS, rows));
  let preview: JobUploadPreview;
  try {
    preview = (TABLE_FORMATS as readonly string[]).includes(format) ? await previewUpload(body, { contentEncoding: upload.contentEncoding }, format, limits, n) : await previewJsonl(body, upload, limits, n);
  } catch (error) {
    throw refusal(error);
  }
  if (preview.rows.length === 0) throw new DomainError('invalid', 'empty_upload', 'the file holds no case');
  return { ...preview, unknown_columns: unknownColumns(preview.columns, targets, format !== 'jsonl') };
}

/** The first `n` cases of a JSONL file as a table: `id`, `inputs.<name>`, `expected.<name>` columns. */
async function previewJsonl(body: Readable, upload: Pick<CaseUpload, 'contentEncoding'>, limits: JobUploadConfig, n: number): Promise<JobUploadPreview> {
  const first: ParsedCase[] = [];
  for await (const c of casesFromJsonl(decodeUpload(decodedBody(body, { contentEncoding: upload.contentEncoding }), { limitBytes: limits.limitBytes, limitSetting: 'MOFANG_JOB_UPLOAD_LIMIT' }))) {
    first.push(c);
    if (first.length >= n) break;
  }
  const keys = (side: 'inputs' | 'expected', prefix: string) => [...new Set(first.flatMap((c) => Object.keys(c[side]).map((k) => `${prefix}${k}`)))];
  const columns = [...(first.some((c) => c.id !== undefined) ? ['id'] : []), ...keys('inputs', INPUT_PREFIX), ...keys('expected', EXPECTED_PREFIX)];
  const cell = (c: ParsedCase, column: string): string => {
    const value = column === 'id' ? c.id : column.startsWith(INPUT_PREFIX) ? c.inputs[column.slice(INPUT_PREFIX.length)] : c.expected[column.slice(EXPECTED_PREFIX.length)];
    return value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  };
  return { format: 'jsonl', columns, rows: first.map((c) => columns.map((col) => cell(c, col))) };
}
