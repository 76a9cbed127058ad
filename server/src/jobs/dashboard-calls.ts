/**
 * Drill-down of the inspection dashboard: the calls behind one bar, worst first, and one call with
 * every audit item and, since job items keep their inputs, the transcript the evidence ids point into.
 */
import { isRecord, parseJson } from '@shared/json.js';
import type { CallDetail, CallItem, CallPage, CallSummary, DrillBucket } from '@shared/dashboard.js';
import { parseTranscript } from '@shared/transcript.js';
import { simulatedModel } from '@shared/simulated.js';
import type { Db } from '../storage/db.js';
import { callsCte, ITEMS_JOIN, ITEMS_WHERE, SCORE_BUCKET_SQL, sqliteOf, type Params, type Scope } from './dashboard.js';
import type { SqlReader } from './dashboard-reader.js';

function str(value: unknown): string {
  return typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
}

function numOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** One audit item of the outputs, read defensively (any audit-shaped scenario may write them). */
export function toCallItem(value: unknown): CallItem | undefined {
  if (!isRecord(value) || value.id === undefined) return undefined;
  const evidence = Array.isArray(value.evidence) ? value.evidence.map(str) : [];
  return {
    id: str(value.id),
    name: str(value.name) || str(value.id),
    result: str(value.result),
    score: numOrNull(value.score),
    weight: numOrNull(value.weight),
    fatal: value.fatal === true,
    evidence,
    reason: str(value.reason),
  };
}

function auditItems(outputs: Record<string, unknown>): CallItem[] {
  const list = Array.isArray(outputs.items) ? outputs.items : [];
  const items: CallItem[] = [];
  for (const v of list) {
    const item = toCallItem(v);
    if (item) items.push(item);
  }
  return items;
}

function summary(row: Record<string, unknown>, outputs: Record<string, unknown>, items: CallItem[]): CallSummary {
  const fatal = Array.isArray(outputs.fatal) ? outputs.fatal.map(str) : items.filter((i) => i.fatal && i.result === 'fail').map((i) => i.id);
  const finished = numOrNull(row.finished_at);
  return {
    job_id: str(row.job_id),
    item_id: str(row.item_id),
    ...(typeof row.seq === 'number' ? { line: row.seq } : {}),
    run_id: typeof row.run_id === 'string' ? row.run_id : null,
    score: numOrNull(outputs.score),
    verdict: outputs.verdict === undefined || outputs.verdict === null ? null : str(outputs.verdict),
    fatal,
    failing: items.filter((i) => i.result === 'fail'),
    finished_at: finished === null ? null : new Date(finished).toISOString(),
  };
}

/** The SQL condition (on the `calls` CTE, alias `c`) of a bar, and its parameters. */
export function bucketWhere(bucket: DrillBucket): { sql: string; params: Params } {
  const hasItem = (cond: string) => `exists (select 1 from ${ITEMS_JOIN} where ${ITEMS_WHERE} and json_extract(it.value, '$.id') = @bid and ${cond})`;
  switch (bucket.kind) {
    case 'score':
      return { sql: `c.score is not null and ${SCORE_BUCKET_SQL} = @lo`, params: { lo: bucket.from } };
    case 'item':
      return { sql: hasItem("json_extract(it.value, '$.result') = @result"), params: { bid: bucket.id, result: bucket.result } };
    case 'fatal':
      return { sql: hasItem("json_extract(it.value, '$.fatal') = 1 and json_extract(it.value, '$.result') = 'fail'"), params: { bid: bucket.id } };
    case 'verdict':
      return { sql: 'c.verdict = @verdict', params: { verdict: bucket.verdict } };
    case 'time':
      return { sql: 'c.finished_at >= @tfrom and c.finished_at < @tto', params: { tfrom: bucket.from, tto: bucket.to } };
  }
}

/**
 * The calls of `scope` behind `bucket`, worst first: lowest score, then most red lines broken, then the
 * latest; a page of `limit` from `offset`.
 */
export async function callsBehind(read: SqlReader, scope: Scope, bucket: DrillBucket, offset: number, limit: number): Promise<CallPage> {
  const cte = callsCte(scope);
  const where = bucketWhere(bucket);
  const params = { ...cte.params, ...where.params };
  const [[countRow = {}], page] = await read([
    { sql: `${cte.sql} select count(*) as n from calls c where ${where.sql}`, params },
    {
      sql: `${cte.sql} select c.job_id, c.seq, c.item_id, c.run_id, c.finished_at, c.outputs from calls c where ${where.sql}
         order by c.score is null, c.score asc, coalesce(json_array_length(c.outputs, '$.fatal'), 0) desc, c.finished_at desc, c.job_id, c.seq
         limit @limit offset @offset`,
      params: { ...params, limit, offset },
    },
  ]);
  const total = typeof countRow.n === 'number' ? countRow.n : 0;
  const calls = page.map((row) => {
    const outputs = parseJson(row.outputs);
    const record = isRecord(outputs) ? outputs : {};
    return summary(row, record, auditItems(record));
  });
  return { calls, total, offset, limit };
}

/** The turns of the first input that reads as a transcript (`transcript` first), or null. */
export function transcriptOf(inputs: unknown): CallDetail['transcript'] {
  if (!isRecord(inputs)) return null;
  const names = Object.keys(inputs).sort((a, b) => Number(b === 'transcript') - Number(a === 'transcript'));
  for (const name of names) {
    const value = inputs[name];
    if (typeof value !== 'string' && !isRecord(value) && !Array.isArray(value)) continue;
    const parsed = parseTranscript(value);
    if (parsed.ok && parsed.transcript.turns.length > 0) return parsed.transcript.turns.map((t) => ({ id: t.id, role: t.role, text: t.text }));
  }
  return null;
}

/** One call of the scenario's jobs with all its audit items and transcript; undefined when unknown. */
export function callDetail(db: Db, scenarioId: string, jobId: string, item: string | { line: number }): CallDetail | undefined {
  const row = sqliteOf(db)
    .prepare(
      `select ji.job_id, ji.seq, ji.item_id, ji.run_id, ji.finished_at, ji.outputs, ji.inputs, j.redacted_at, coalesce(ji.model, r.model) as model from job_items ji join jobs j on j.id = ji.job_id
       left join runs r on r.id = ji.run_id
       where j.scenario_id = ? and j.purpose = 'batch' and ji.job_id = ? and ${typeof item === 'string' ? 'ji.item_id' : 'ji.seq'} = ?`,
    )
    .get(scenarioId, jobId, typeof item === 'string' ? item : item.line);
  if (!isRecord(row)) return undefined;
  const outputs = parseJson(row.outputs);
  const record = isRecord(outputs) ? outputs : {};
  const items = auditItems(record);
  return {
    ...summary(row, record, items),
    items,
    report: typeof record.report === 'string' ? record.report : null,
    transcript: transcriptOf(parseJson(row.inputs)),
    redacted_at: typeof row.redacted_at === 'number' ? new Date(row.redacted_at).toISOString() : null,
    simulated: simulatedModel(typeof row.model === 'string' ? row.model : null),
  };
}
