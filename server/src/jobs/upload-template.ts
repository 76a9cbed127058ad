/**
 * A scenario's upload template: the table a job file should be, from the published version's start
 * inputs (one column each, after an optional `id`), with one example row and notes saying which
 * columns are required and of what type. Written as CSV (header and example row) or as an Excel
 * workbook (the same first sheet, each header cell with its note, and a second sheet of notes; the
 * upload reads the first sheet only, so the notes never become items).
 */
import { isRecord } from '@shared/json.js';
import type { Graph } from '@shared/graph.js';
import type { JobUploadTemplate, JobTemplateColumn } from '@shared/jobs.js';
import { StartConfigSchema } from '@shared/nodes/start.js';
import { csvRecords } from '../common/csv.js';
import type { ResultLang } from './result-columns.js';

/** The example row's id. */
export const EXAMPLE_ID = 'example-1';

const TYPE_WORDS: Record<ResultLang, Record<JobTemplateColumn['type'], string>> = {
  zh: { string: '文本', number: '数字', integer: '整数', boolean: '是/否（true/false）', object: 'JSON 对象', array: 'JSON 数组', transcript: '通话转写（每行“坐席：…”或“客户：…”，也可为 JSON 轮次）' },
  en: { string: 'text', number: 'number', integer: 'whole number', boolean: 'true/false', object: 'JSON object', array: 'JSON array', transcript: 'call transcript (lines "Agent: …" / "Customer: …", or JSON turns)' },
};

const WORDS: Record<ResultLang, { required: string; optional: string; idNote: string; column: string; need: string; type: string; description: string; notes: string; sheet: string }> = {
  zh: { required: '必填', optional: '选填', idNote: '条目 ID，可留空（留空时用行号）', column: '列', need: '是否必填', type: '类型', description: '说明', notes: '说明', sheet: '条目' },
  en: { required: 'required', optional: 'optional', idNote: 'item id, may be left empty (the row number is used)', column: 'column', need: 'required', type: 'type', description: 'description', notes: 'notes', sheet: 'items' },
};

const ROLE_WORDS: Record<string, string> = { agent: '坐席', customer: '客户', system: '系统' };

/** A value as the text of its cell: transcripts as 坐席：/客户： lines, objects as JSON. */
function cellText(value: unknown, type: JobTemplateColumn['type']): string {
  if (value === undefined || value === null) return '';
  if (type === 'transcript' && isRecord(value) && Array.isArray(value.turns)) {
    return value.turns.filter(isRecord).map((t) => `${ROLE_WORDS[String(t.role)] ?? String(t.role)}：${String(t.text ?? '')}`).join('\n');
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A made-up value of a type, for a column no sample fills. */
function placeholder(type: JobTemplateColumn['type']): string {
  return { string: '…', number: '0', integer: '0', boolean: 'true', object: '{}', array: '[]', transcript: '坐席：您好，请问有什么可以帮您？\n客户：……' }[type];
}

/**
 * The template of a version's `graph`: its start node's inputs as columns; the example row from the
 * first of `samples` (sample inputs, already masked for the reader) that holds a value, else a made-up
 * value of the column's type.
 */
export function uploadTemplate(graph: Graph, samples: Array<Record<string, unknown> | undefined>): Pick<JobUploadTemplate, 'columns' | 'example'> {
  const start = graph.nodes.find((n) => n.kind === 'start');
  const parsed = StartConfigSchema.safeParse(start?.config ?? {});
  const inputs = parsed.success ? parsed.data.inputs : [];
  const columns: JobTemplateColumn[] = inputs.map((i) => ({ name: i.name, type: i.type, required: i.required && i.default === undefined, description: i.description }));
  const example: Record<string, string> = { id: EXAMPLE_ID };
  for (const column of columns) {
    const found = samples.find((s) => s !== undefined && s[column.name] !== undefined && s[column.name] !== null)?.[column.name];
    example[column.name] = found === undefined ? placeholder(column.type) : cellText(found, column.type);
  }
  return { columns, example };
}

/** The note of a column, e.g. `必填 · 通话转写（…）· 通话转写：…`. */
export function columnNote(column: JobTemplateColumn, lang: ResultLang): string {
  const words = WORDS[lang];
  return [column.required ? words.required : words.optional, TYPE_WORDS[lang][column.type], column.description].filter((s) => s !== '').join(' · ');
}

/** The template as CSV text (UTF-8 with a BOM, so spreadsheet programs read the Chinese): header and example row. */
export function templateCsv(template: Pick<JobUploadTemplate, 'columns' | 'example'>): string {
  const names = ['id', ...template.columns.map((c) => c.name)];
  return csvRecords([names, names.map((n) => template.example[n] ?? '')], true);
}

/** The template as an .xlsx workbook: the items sheet (notes on its header cells) and a notes sheet. */
export async function templateXlsx(template: Pick<JobUploadTemplate, 'columns' | 'example'>, lang: ResultLang): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const words = WORDS[lang];
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet(words.sheet, { views: [{ state: 'frozen', ySplit: 1 }] });
  const names = ['id', ...template.columns.map((c) => c.name)];
  sheet.columns = names.map((name, i) => ({ header: name, key: name, width: i === 0 ? 14 : Math.max(16, Math.min(60, (template.example[name] ?? '').length)) }));
  sheet.getRow(1).font = { bold: true };
  sheet.addRow(names.map((n) => template.example[n] ?? ''));
  sheet.getRow(2).alignment = { wrapText: true, vertical: 'top' };
  sheet.getCell(1, 1).note = `${words.optional} · ${words.idNote}`;
  template.columns.forEach((column, i) => {
    sheet.getCell(1, i + 2).note = columnNote(column, lang);
  });
  const notes = book.addWorksheet(words.notes);
  notes.columns = [
    { header: words.column, key: 'name', width: 20 },
    { header: words.need, key: 'need', width: 10 },
    { header: words.type, key: 'type', width: 40 },
    { header: words.description, key: 'description', width: 60 },
  ];
  notes.getRow(1).font = { bold: true };
  notes.addRow({ name: 'id', need: words.optional, type: TYPE_WORDS[lang].string, description: words.idNote });
  for (const column of template.columns) notes.addRow({ name: column.name, need: column.required ? words.required : words.optional, type: TYPE_WORDS[lang][column.type], description: column.description });
  return Buffer.from(await book.xlsx.writeBuffer());
}
