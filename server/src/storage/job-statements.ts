/**
 * The job repository's hot statements, the only places items change state besides recovery and the
 * admin's retry (./jobs.ts): the runner's claims, its outcome writes and the completion of jobs. Text
 * statements (./dialect-sql.ts `statementRows`: prepared once on SQLite, where building a drizzle query
 * per claim and per outcome would slow the runner down), with a PostgreSQL form where it differs.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { skipLocked, statementRows } from './dialect-sql.js';
import type { ClaimedItem, ItemOutcome, JobRow } from './job-rows.js';
import type { RecoverScope } from './jobs.js';
import type { DataStore, Dialect } from './store.js';

/** Outcomes written per statement on PostgreSQL (10 values each). */
const RECORD_ROWS = 500;

/** The job fields a claimed item carries. */
interface ClaimJob {
  id: string;
  slug: string;
  version: number;
  graphHash: string | null;
  scenarioId: string;
  owner: string;
  purpose: string;
}

const CLAIM_JOBS = `select id, slug, version, graph_hash as "graphHash", scenario_id as "scenarioId", owner, purpose from jobs where status in ('queued', 'running') order by created_at, id`;
const START_JOB = `update jobs set status = 'running', started_at = coalesce(started_at, ?) where id = ? and status = 'queued'`;
/**
 * The claim of up to `limit` pending items of one job, with its parameters. On PostgreSQL the items are
 * picked in a materialized CTE, run once: a `seq in (select … limit … for update skip locked)` may be run
 * again for each row the update visits, and then sees the next pending items as well.
 */
function claimStatement(dialect: Dialect, now: number, jobId: string, limit: number): [string, unknown[]] {
  if (dialect === 'postgres') return [CLAIM_ITEMS_PG, [jobId, limit, now, jobId]];
  return [CLAIM_ITEMS_SQLITE, [now, jobId, jobId, limit]];
}
const CLAIM_ITEMS_SQLITE = `update job_items set status = 'running', attempts = attempts + 1, started_at = ?
  where job_id = ? and status = 'pending' and seq in (select seq from job_items where job_id = ? and status = 'pending' order by seq limit ?)
  returning seq, item_id as "itemId", inputs, attempts`;
const CLAIM_ITEMS_PG = `with picked as materialized (select seq from job_items where job_id = ? and status = 'pending' order by seq limit ?${skipLocked('postgres')})
  update job_items set status = 'running', attempts = attempts + 1, started_at = ? from picked
  where job_items.job_id = ? and job_items.seq = picked.seq and job_items.status = 'pending'
  returning job_items.seq, job_items.item_id as "itemId", job_items.inputs, job_items.attempts`;

/** A {@link JobRow}'s columns as text, for statements run by `statementRows`. */
const JOB_FIELDS = `id, scenario_id as "scenarioId", slug, version, owner, purpose, graph_hash as "graphHash", status, total, idempotency_key as "idempotencyKey", body_hash as "bodyHash",
  webhook_url as "webhookUrl", webhook_delivered_at as "webhookDeliveredAt", created_at as "createdAt", started_at as "startedAt", finished_at as "finishedAt", redacted_at as "redactedAt"`;
/** Completes a job with nothing pending or running: (now, job id). */
const COMPLETE_JOB = `update jobs set status = 'completed', finished_at = ? where id = ? and status in ('queued', 'running')
  and not exists (select 1 from job_items where job_items.job_id = jobs.id and job_items.status in ('pending', 'running')) returning ${JOB_FIELDS}`;

/** A job row read as text: PostgreSQL's driver gives `bigint` times as strings. */
function numbered(row: JobRow): JobRow {
  const ms = (v: number | null) => (v === null ? null : Number(v));
  return { ...row, createdAt: Number(row.createdAt), startedAt: ms(row.startedAt), finishedAt: ms(row.finishedAt), webhookDeliveredAt: ms(row.webhookDeliveredAt), redactedAt: ms(row.redactedAt) };
}

/** One outcome's values, in the order of {@link recordStatement}'s row. */
function outcomeValues(o: ItemOutcome): unknown[] {
  const final = o.status !== 'pending';
  const outputs = final && o.outputs !== undefined ? JSON.stringify(o.outputs) : null;
  const error = o.error !== undefined ? JSON.stringify(o.error) : null;
  return [o.jobId, o.seq, o.attempt, o.status, o.runId, outputs, error, Math.round(o.latencyMs), final ? o.finishedAt : null, final ? (o.model ?? null) : null];
}

/** The write of one outcome, with {@link outcomeValues}' values. */
const RECORD_ONE = `update job_items set status = ?, run_id = ?, outputs = ?, error = ?, latency_ms = ?, finished_at = ?, model = ?
  where job_id = ? and seq = ? and attempts = ? and status = 'running'`;

const recordStatements = new Map<number, string>();
/**
 * The write of `rows` outcomes: VALUES columns are column1… on both SQLite and PostgreSQL; SET names the
 * target's columns bare; the casts give PostgreSQL the types of untyped parameters.
 */
function recordStatement(rows: number): string {
  let text = recordStatements.get(rows);
  if (text === undefined) {
    const row = '(?, cast(? as integer), cast(? as integer), ?, ?, ?, ?, cast(? as integer), cast(? as bigint), ?)';
    text = `update job_items set status = v.column4, run_id = v.column5, outputs = v.column6, error = v.column7, latency_ms = v.column8, finished_at = v.column9, model = v.column10
      from (values ${Array.from({ length: rows }, () => row).join(', ')}) as v
      where job_items.job_id = v.column1 and job_items.seq = v.column2 and job_items.attempts = v.column3 and job_items.status = 'running'
      returning job_items.job_id as "jobId", job_items.seq`;
    recordStatements.set(rows, text);
  }
  return text;
}

/** Claims up to `limit` pending items (see JobStore.claim). */
export function claimItems(store: DataStore, limit: number, now: number): Promise<ClaimedItem[]> {
  return store.transaction(async (tx) => {
    const claimed: ClaimedItem[] = [];
    const jobs = await statementRows<ClaimJob>(tx, CLAIM_JOBS, []);
    for (const job of jobs) {
      if (claimed.length >= limit) break;
      const [text, params] = claimStatement(tx.dialect, now, job.id, limit - claimed.length);
      const rows = await statementRows<{ seq: number; itemId: string; inputs: string; attempts: number }>(tx, text, params);
      if (rows.length === 0) continue;
      await statementRows(tx, START_JOB, [now, job.id]);
      rows.sort((a, b) => a.seq - b.seq);
      for (const row of rows) {
        claimed.push({ jobId: job.id, seq: Number(row.seq), itemId: row.itemId, inputs: row.inputs, attempts: Number(row.attempts), slug: job.slug, version: Number(job.version), graphHash: job.graphHash, scenarioId: job.scenarioId, owner: job.owner, purpose: job.purpose === 'evaluation' ? 'evaluation' : 'batch' });
      }
    }
    return claimed;
  });
}

/** Writes outcomes (see JobStore.record); resolves with those written (all of them on SQLite). */
export async function recordOutcomes(store: DataStore, outcomes: ItemOutcome[]): Promise<ItemOutcome[]> {
  if (outcomes.length === 0) return [];
  // SQLite: one prepared single-row update per outcome, in one transaction (cheaper there than a
  // join over VALUES); PostgreSQL: one statement per RECORD_ROWS outcomes (one round trip).
  if (store.dialect === 'sqlite') {
    // Each call runs its statement before it returns (SQLite is synchronous underneath): one await for all.
    await store.transaction((tx) =>
      Promise.all(
        outcomes.map((o) => {
          const [jobId, seq, attempt, ...set] = outcomeValues(o);
          return statementRows(tx, RECORD_ONE, [...set, jobId, seq, attempt]);
        }),
      ),
    );
    return outcomes;
  }
  const written = new Set<string>();
  const write = async (into: DataStore) => {
    for (let i = 0; i < outcomes.length; i += RECORD_ROWS) {
      const batch = outcomes.slice(i, i + RECORD_ROWS);
      for (const row of await statementRows<{ jobId: string; seq: number }>(into, recordStatement(batch.length), batch.flatMap(outcomeValues))) written.add(`${row.jobId}:${Number(row.seq)}`);
    }
  };
  if (outcomes.length <= RECORD_ROWS) await write(store);
  else await store.transaction(write);
  return outcomes.filter((o) => written.has(`${o.jobId}:${o.seq}`));
}

/** Completes the finished ones of the jobs (see JobStore.completeFinished). */
export async function completeJobs(store: DataStore, jobIds: Iterable<string>, now: number): Promise<JobRow[]> {
  const done: JobRow[] = [];
  // One statement per job (the runner passes the few its last outcomes were of), text prepared once on SQLite.
  for (const id of new Set(jobIds)) for (const row of await statementRows<JobRow>(store, COMPLETE_JOB, [now, id])) done.push(numbered(row));
  return done;
}

/** Takes up interrupted work (see JobStore.recover). */
export function recoverItems(store: DataStore, maxAttempts: number, now: number, scope: RecoverScope): Promise<string[]> {
  return store.transaction(async (tx) => {
    const { db, t } = tx;
    const ji = t.jobItems;
    const uploading = sql`'uploading'`;
    await db.delete(t.jobs).where(and(eq(t.jobs.status, uploading), scope.uploadingBefore === undefined ? undefined : sql`${t.jobs.createdAt} < ${scope.uploadingBefore}`));
    if (!scope.leaveRunning) {
      const stale = scope.runningBefore === undefined ? eq(ji.status, 'running') : and(eq(ji.status, 'running'), sql`${ji.startedAt} < ${scope.runningBefore}`);
      const interrupted = JSON.stringify({ code: 'interrupted', message: `the server stopped while this item ran, ${maxAttempts} times` });
      await db.update(ji).set({ status: 'failed', error: interrupted, finishedAt: now }).where(and(stale, sql`${ji.attempts} >= ${maxAttempts}`));
      await db.update(ji).set({ status: 'pending' }).where(stale);
    }
    const active = await db.select({ id: t.jobs.id }).from(t.jobs).where(inArray(t.jobs.status, ['queued', 'running'])).orderBy(asc(t.jobs.createdAt), asc(t.jobs.id));
    return active.map((r) => r.id);
  });
}
