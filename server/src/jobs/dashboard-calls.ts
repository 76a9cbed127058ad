/**
 * Drill-down of the inspection dashboard: the calls behind one bar, worst first, and one call with
 * every audit item and, since job items keep their inputs, the transcript the evidence ids point into.
 */
import { isRecord, parseJson } from '@shared/json.js';
import type { CallDetail, CallItem, CallPage, CallSummary, DrillBucket } from '@shared/dashboard.js';
import { parseTranscript } from '@shared/transcript.js';
import { simulatedModel } from '@shared/simulated.js';
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { DataStore } from '../storage/store.js';
import { scopeReader } from './dashboard.js';
import { dashboardSql, type DashboardSql, type Scope } from './dashboard-sql.js';

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

/** The SQL condition (on the `calls` CTE, alias `c`) of a bar. */
export function bucketWhere(d: DashboardSql, bucket: DrillBucket): SQL {
  const hasItem = (cond: SQL) => sql`exists (select 1 from ${d.items} where ${d.itemsWhere} and ${d.item('id')} = ${d.binary(sql`${bucket.kind === 'item' || bucket.kind === 'fatal' ? bucket.id : ''}`)} and ${cond})`;
  switch (bucket.kind) {
    case 'score':
      return sql`c.score is not null and ${d.scoreBucket} = ${bucket.from}`;
    case 'item':
      return hasItem(sql`${d.item('result')} = ${bucket.result}`);
    case 'fatal':
      return hasItem(sql`${d.fatalTrue} and ${d.item('result')} = 'fail'`);
    case 'verdict':
      return sql`c.verdict = ${bucket.verdict}`;
    case 'time':
      return sql`c.finished_at >= ${bucket.from} and c.finished_at < ${bucket.to}`;
  }
}

/**
 * The calls of `scope` behind `bucket`, worst first: lowest score, then most red lines broken, then the
 * latest; a page of `limit` from `offset`.
 */
export async function callsBehind(store: DataStore, scope: Scope, bucket: DrillBucket, offset: number, limit: number): Promise<CallPage> {
  const d = dashboardSql(store.dialect);
  const cte = d.calls(scope);
  const where = bucketWhere(d, bucket);
  const [[countRow = {}], page] = await scopeReader(store, scope)([
    sql`${cte} select ${d.count} as n from calls c where ${where}`,
    sql`${cte} select c.job_id, c.seq, c.item_id, c.run_id, ${d.time(sql`c.finished_at`)} as finished_at, c.outputs from calls c where ${where}
         order by c.score is null, c.score asc, ${d.fatalLength} desc, ${d.descNullsLast(sql`c.finished_at`)}, ${d.ordered(sql`c.job_id`)}, c.seq
         limit ${limit} offset ${offset}`,
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
export async function callDetail(store: DataStore, scenarioId: string, jobId: string, item: string | { line: number }): Promise<CallDetail | undefined> {
  const { db, t } = store;
  const ji = t.jobItems;
  const [row] = await db
    .select({
      job_id: ji.jobId,
      seq: ji.seq,
      item_id: ji.itemId,
      run_id: ji.runId,
      finished_at: ji.finishedAt,
      outputs: ji.outputs,
      inputs: ji.inputs,
      redacted_at: t.jobs.redactedAt,
      model: sql<string | null>`coalesce(${ji.model}, ${t.runs.model})`,
    })
    .from(ji)
    .innerJoin(t.jobs, eq(t.jobs.id, ji.jobId))
    .leftJoin(t.runs, eq(t.runs.id, ji.runId))
    .where(and(eq(t.jobs.scenarioId, scenarioId), eq(t.jobs.purpose, 'batch'), eq(ji.jobId, jobId), typeof item === 'string' ? eq(ji.itemId, item) : eq(ji.seq, item.line)))
    .limit(1);
  if (!row) return undefined;
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
