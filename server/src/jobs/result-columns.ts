/**
 * The column plan of a job's results as a table (CSV and .xlsx share it): the item's id, run id,
 * status and whether the simulator answered it, then the end node's outputs flattened (a scalar output one column; an audit sheet's item list
 * one column pair per item, its score and its result, headed by the item's label; an audit result
 * object its scalars and its item pairs; any other array or object one column of JSON text), then the
 * error's code and message.
 */
import type { Graph } from '@shared/graph.js';
import { isRecord } from '@shared/json.js';
import type { JobResultLine } from '@shared/jobs.js';
import { withoutNull, type JsonSchema } from '@shared/json-schema.js';

/** The languages a results table's words come in (item headers and pass/fail labels). */
export type ResultLang = 'zh' | 'en';

/** A cell: text, a number, a boolean, or empty. */
export type ResultCell = string | number | boolean | null;

/** One column of the results table. */
export interface ResultColumn {
  header: string;
  /** `text` columns hold JSON text or long text; `number` ones numbers (the xlsx writer sizes them). */
  kind: 'id' | 'text' | 'number' | 'result';
  cell(line: JobResultLine): ResultCell;
}

/** An audit item as a column pair needs it. */
interface AuditItemLabel {
  id: string;
  name: string;
}

const WORDS: Record<ResultLang, { score: string; result: string; pass: string; fail: string; na: string }> = {
  zh: { score: '得分', result: '结果', pass: '通过', fail: '不通过', na: '不适用' },
  en: { score: 'score', result: 'result', pass: 'pass', fail: 'fail', na: 'n/a' },
};

/** The language of a `?lang=` value: `en…` is English, anything else Chinese (the UI's default). */
export function resultLang(value: unknown): ResultLang {
  return typeof value === 'string' && value.toLowerCase().startsWith('en') ? 'en' : 'zh';
}

function isScalarSchema(schema: JsonSchema): boolean {
  const s = withoutNull(schema);
  const type = Array.isArray(s.type) ? s.type.filter((t) => t !== 'null') : [s.type];
  return type.length === 1 && (type[0] === 'string' || type[0] === 'number' || type[0] === 'integer' || type[0] === 'boolean') && !s.anyOf;
}

/** Whether a schema is an audit node's item list (an array of `{ id, result, score, … }`). */
function isAuditItemList(schema: JsonSchema | undefined): boolean {
  const items = schema ? withoutNull(schema).items : undefined;
  const props = items?.properties;
  return props !== undefined && 'id' in props && 'result' in props && 'score' in props;
}

/** Whether a schema is an audit node's whole result (`{ items, score, verdict, … }`). */
function isAuditResult(schema: JsonSchema): boolean {
  const props = withoutNull(schema).properties;
  return props !== undefined && isAuditItemList(props.items) && 'verdict' in props;
}

function auditItemsOf(node: Graph['nodes'][number] | undefined): AuditItemLabel[] {
  const items = node?.kind === 'audit' && Array.isArray(node.config.items) ? node.config.items : [];
  return items.filter(isRecord).flatMap((i) => (typeof i.id === 'string' ? [{ id: i.id, name: typeof i.name === 'string' && i.name.trim() !== '' ? i.name : i.id }] : []));
}

/**
 * The audit items behind the end output `name`: those of the audit node its value names
 * (`{{ audit.items }}`, `{{ audit }}`), else of every audit node in the graph.
 */
function auditItemsFor(graph: Graph, name: string): AuditItemLabel[] {
  const end = graph.nodes.find((n) => n.kind === 'end');
  const outputs = end && Array.isArray(end.config.outputs) ? end.config.outputs.filter(isRecord) : [];
  const value = outputs.find((o) => o.name === name)?.value;
  const ref = typeof value === 'string' ? /^\s*\{\{\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(value)?.[1] : undefined;
  const named = auditItemsOf(graph.nodes.find((n) => n.id === ref));
  if (named.length > 0) return named;
  const all = new Map<string, AuditItemLabel>();
  for (const node of graph.nodes) for (const item of auditItemsOf(node)) if (!all.has(item.id)) all.set(item.id, item);
  return [...all.values()];
}

/** A value as one cell: scalars as they are, anything else as JSON text. */
function scalarCell(value: unknown): ResultCell {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/** The column pairs of an audit item list; `list` reads the list from a line. */
function itemPairs(items: AuditItemLabel[], prefix: string, lang: ResultLang, list: (line: JobResultLine) => unknown): ResultColumn[] {
  const words = WORDS[lang];
  const names = items.map((i) => i.name);
  const find = (line: JobResultLine, id: string) => {
    const value = list(line);
    return Array.isArray(value) ? value.find((r): r is Record<string, unknown> => isRecord(r) && r.id === id) : undefined;
  };
  return items.flatMap((item) => {
    // Two items of one label are told apart by their ids.
    const label = `${prefix}${names.indexOf(item.name) === names.lastIndexOf(item.name) ? item.name : `${item.name} (${item.id})`}`;
    return [
      { header: `${label} · ${words.score}`, kind: 'number' as const, cell: (line: JobResultLine) => scalarCell(find(line, item.id)?.score) },
      {
        header: `${label} · ${words.result}`,
        kind: 'result' as const,
        cell: (line: JobResultLine) => {
          const result = find(line, item.id)?.result;
          return result === 'pass' || result === 'fail' || result === 'na' ? words[result] : scalarCell(result);
        },
      },
    ];
  });
}

/** The columns of one output of the end node. */
function outputColumns(graph: Graph, name: string, schema: JsonSchema, lang: ResultLang): ResultColumn[] {
  const value = (line: JobResultLine) => line.outputs?.[name];
  if (isScalarSchema(schema)) return [{ header: name, kind: isNumber(schema) ? 'number' : 'text', cell: (line) => scalarCell(value(line)) }];
  const items = auditItemsFor(graph, name);
  if (isAuditItemList(schema) && items.length > 0) return itemPairs(items, '', lang, value);
  if (isAuditResult(schema) && items.length > 0) {
    const props = withoutNull(schema).properties ?? {};
    const scalars = Object.entries(props).filter(([key, s]) => key !== 'items' && isScalarSchema(s));
    const part = (line: JobResultLine, key: string) => {
      const whole = value(line);
      return isRecord(whole) ? whole[key] : undefined;
    };
    return [
      ...scalars.map(([key, s]): ResultColumn => ({ header: `${name}.${key}`, kind: isNumber(s) ? 'number' : 'text', cell: (line) => scalarCell(part(line, key)) })),
      ...itemPairs(items, `${name}.`, lang, (line) => part(line, 'items')),
      ...Object.entries(props)
        .filter(([key, s]) => key !== 'items' && !isScalarSchema(s))
        .map(([key]): ResultColumn => ({ header: `${name}.${key}`, kind: 'text', cell: (line) => scalarCell(part(line, key)) })),
    ];
  }
  return [{ header: name, kind: 'text', cell: (line) => scalarCell(value(line)) }];
}

function isNumber(schema: JsonSchema): boolean {
  const s = withoutNull(schema);
  return s.type === 'number' || s.type === 'integer';
}

/**
 * The results table's columns for a published version: `graph` (its audit items' labels) and
 * `outputSchema` (the end node's outputs, in order). Fixed columns keep their machine names (`id`,
 * `run_id`, `status`, `simulated` (true/false), `error_code`, `error_message`); item pairs are headed `<label> · 得分/结果`
 * (`score/result` in English) and their results read 通过/不通过/不适用 (pass/fail/n/a).
 */
export function resultColumns(graph: Graph | undefined, outputSchema: JsonSchema | undefined, lang: ResultLang): ResultColumn[] {
  const outputs = Object.entries(outputSchema?.properties ?? {});
  return [
    { header: 'id', kind: 'id', cell: (line) => line.id },
    { header: 'run_id', kind: 'id', cell: (line) => line.run_id },
    { header: 'status', kind: 'text', cell: (line) => line.status },
    { header: 'simulated', kind: 'text', cell: (line) => line.simulated },
    ...outputs.flatMap(([name, schema]) => (graph ? outputColumns(graph, name, schema, lang) : [{ header: name, kind: 'text' as const, cell: (line: JobResultLine) => scalarCell(line.outputs?.[name]) }])),
    { header: 'error_code', kind: 'text', cell: (line) => line.error?.code ?? null },
    { header: 'error_message', kind: 'text', cell: (line) => line.error?.message ?? null },
  ];
}
