/**
 * The job tables' side of the PostgreSQL queue (jobs/item-queue.ts): pg-boss hands a server slices of a
 * job's items (a seq range each); these statements say which items a slice holds when it is enqueued,
 * claim a delivered slice's items in our table, and find the items no live slice covers (the sweep).
 * `job_items` stays the record: an item's outcome is written there once, fenced by `attempts`
 * (./job-statements.ts), whatever pg-boss redelivers.
 */
import { sql } from 'drizzle-orm';
import { rawRows, statementRows } from './dialect-sql.js';
import type { ClaimedItem } from './job-rows.js';
import type { DataStore } from './store.js';

/** A slice of one job's items: seqs `from`…`to`, both included. */
export interface ItemSlice {
  jobId: string;
  from: number;
  to: number;
}

/** What claiming delivered slices found, by slice (same order as given). */
export interface SliceClaim {
  /** Items now running here, one more attempt each. */
  claimed: ClaimedItem[];
  /** Items of the range still running under another server's live claim: the slice is not done without them. */
  busy: number;
}

/**
 * The slices that cover a job's pending items (all of them, or only `seqs`), `size` items each, in
 * submission order. Read in the caller's transaction (the one that makes the items pending).
 */
export async function pendingSlices(store: DataStore, jobId: string, size: number, seqs?: number[]): Promise<ItemSlice[]> {
  const sorted = seqs ? [...seqs].sort((a, b) => a - b) : (await statementRows<{ seq: number }>(store, `select seq from job_items where job_id = ? and status = 'pending' order by seq`, [jobId])).map((r) => Number(r.seq));
  const slices: ItemSlice[] = [];
  for (let i = 0; i < sorted.length; i += size) {
    const chunk = sorted.slice(i, i + size);
    slices.push({ jobId, from: chunk[0], to: chunk[chunk.length - 1] });
  }
  return slices;
}

/** The schema pg-boss keeps its tables in (JobQueue starts it with pg-boss's default). */
const BOSS_SCHEMA = 'pgboss';

/**
 * Items nothing will run (PostgreSQL, pg-boss's tables present): items of active jobs that are pending,
 * or running with a claim older than `staleBefore` (their server is gone), and that no live slice of
 * `queue` (a pg-boss job `created`, `retry` or `active`) covers. Such items come from a slice whose
 * retries ran out (pg-boss marks it `failed`), an enqueue that never happened (a job copied in by
 * `migrate-store`, whose SQLite store had no queue) or a slice pg-boss dropped (a `created` one is
 * archived after its `keep_until`, 14 days). One statement, so the items and the slices are read in
 * one snapshot: a transaction that makes items pending enqueues their slices too, so an item seen
 * pending without a live slice is not one being enqueued right now. Returns seqs by job, in order.
 */
export async function strandedItems(store: DataStore, queue: string, staleBefore: number): Promise<Map<string, number[]>> {
  const rows = await rawRows(
    store,
    sql`with live as materialized (
        select q.data->>'jobId' as job_id, s.seq
        from ${sql.raw(BOSS_SCHEMA)}.job q, generate_series((q.data->>'from')::int, (q.data->>'to')::int) as s(seq)
        where q.name = ${queue} and q.state < 'completed'
      )
      select ji.job_id as "jobId", ji.seq
      from job_items ji join jobs j on j.id = ji.job_id
      where j.status in ('queued', 'running')
        and (ji.status = 'pending' or (ji.status = 'running' and ji.started_at < ${staleBefore}))
        and not exists (select 1 from live where live.job_id = ji.job_id and live.seq = ji.seq)
      order by ji.job_id, ji.seq`,
  );
  const byJob = new Map<string, number[]>();
  for (const row of rows) {
    const jobId = String(row.jobId);
    let seqs = byJob.get(jobId);
    if (!seqs) byJob.set(jobId, (seqs = []));
    seqs.push(Number(row.seq));
  }
  return byJob;
}

interface ItemState {
  i: number;
  jobId: string;
  seq: number;
  status: string;
  attempts: number;
  startedAt: number | null;
  active: boolean;
}

/**
 * Claims the unfinished items of delivered slices, in one transaction with their rows locked: a pending
 * item is taken; a running one is taken over only when its claim is older than `staleBefore` (its server
 * is gone: pg-boss redelivered the slice after its expiry), or failed as `interrupted` when it has used
 * `maxAttempts`; a recent running one is another server's (counted as `busy`). Items of a job that is
 * not active (cancelled) are left. Jobs are marked running. Returns one {@link SliceClaim} per slice and
 * the ids of jobs whose items were failed here (they may now be complete).
 */
export function claimSlices(store: DataStore, slices: ItemSlice[], maxAttempts: number, now: number, staleBefore: number): Promise<{ slices: SliceClaim[]; endedJobs: string[] }> {
  return store.transaction(async (tx) => {
    const result: SliceClaim[] = slices.map(() => ({ claimed: [], busy: 0 }));
    if (slices.length === 0) return { slices: result, endedJobs: [] };
    const states = (await rawRows(
      tx,
      sql`select r.i::int as "i", ji.job_id as "jobId", ji.seq, ji.status, ji.attempts, ji.started_at as "startedAt", j.status in ('queued', 'running') as "active"
        from unnest(${sql.param(slices.map((s) => s.jobId))}::text[], ${sql.param(slices.map((s) => s.from))}::int[], ${sql.param(slices.map((s) => s.to))}::int[]) with ordinality as r(job_id, lo, hi, i)
        join job_items ji on ji.job_id = r.job_id and ji.seq between r.lo and r.hi and ji.status in ('pending', 'running')
        join jobs j on j.id = ji.job_id
        order by ji.job_id, ji.seq for update of ji`,
    )) as unknown as ItemState[];
    const take: ItemState[] = [];
    const interrupted: ItemState[] = [];
    for (const s of states) {
      const slice = result[Number(s.i) - 1];
      if (!s.active) continue;
      if (s.status === 'pending') take.push(s);
      else if (Number(s.startedAt ?? 0) >= staleBefore) slice.busy += 1;
      else if (Number(s.attempts) >= maxAttempts) interrupted.push(s);
      else take.push(s);
    }
    if (interrupted.length > 0) {
      const error = JSON.stringify({ code: 'interrupted', message: `the server stopped while this item ran, ${maxAttempts} times` });
      await rawRows(tx, sql`update job_items set status = 'failed', error = ${error}, finished_at = ${now}
        from unnest(${sql.param(interrupted.map((s) => s.jobId))}::text[], ${sql.param(interrupted.map((s) => Number(s.seq)))}::int[]) as r(job_id, seq)
        where job_items.job_id = r.job_id and job_items.seq = r.seq`);
    }
    if (take.length > 0) {
      const rows = (await rawRows(tx, sql`update job_items set status = 'running', attempts = job_items.attempts + 1, started_at = ${now}
        from unnest(${sql.param(take.map((s) => s.jobId))}::text[], ${sql.param(take.map((s) => Number(s.seq)))}::int[]) as r(job_id, seq), jobs j
        where job_items.job_id = r.job_id and job_items.seq = r.seq and j.id = job_items.job_id
        returning job_items.job_id as "jobId", job_items.seq, job_items.item_id as "itemId", job_items.inputs, job_items.attempts,
          j.slug, j.version, j.graph_hash as "graphHash", j.scenario_id as "scenarioId", j.owner, j.purpose`)) as Array<Record<string, unknown>>;
      const sliceOf = new Map(take.map((s) => [`${s.jobId}:${Number(s.seq)}`, Number(s.i) - 1]));
      for (const row of rows.sort((a, b) => Number(a.seq) - Number(b.seq))) {
        const at = sliceOf.get(`${String(row.jobId)}:${Number(row.seq)}`);
        if (at === undefined) continue;
        result[at].claimed.push({
          jobId: String(row.jobId), seq: Number(row.seq), itemId: String(row.itemId), inputs: String(row.inputs), attempts: Number(row.attempts), slug: String(row.slug), version: Number(row.version),
          graphHash: row.graphHash === null ? null : String(row.graphHash), scenarioId: String(row.scenarioId), owner: String(row.owner), purpose: row.purpose === 'evaluation' ? 'evaluation' : 'batch',
        });
      }
      const started = [...new Set(take.map((s) => s.jobId))];
      await rawRows(tx, sql`update jobs set status = 'running', started_at = coalesce(started_at, ${now}) where id = any(${sql.param(started)}::text[]) and status = 'queued'`);
    }
    return { slices: result, endedJobs: [...new Set(interrupted.map((s) => s.jobId))] };
  });
}

/**
 * Renews the claims of items a live server still holds (each by job id, seq and the attempt it claimed):
 * `started_at` becomes `now` (epoch ms) for those still `running` at that attempt, so no server takes
 * them over while they wait in the holder's queue longer than the lease. Resolves with how many were renewed.
 */
export async function renewClaims(store: DataStore, items: ReadonlyArray<{ jobId: string; seq: number; attempts: number }>, now: number): Promise<number> {
  if (items.length === 0) return 0;
  const rows = await rawRows(store, sql`update job_items set started_at = ${now}
    from unnest(${sql.param(items.map((i) => i.jobId))}::text[], ${sql.param(items.map((i) => i.seq))}::int[], ${sql.param(items.map((i) => i.attempts))}::int[]) as r(job_id, seq, attempts)
    where job_items.job_id = r.job_id and job_items.seq = r.seq and job_items.attempts = r.attempts and job_items.status = 'running'
    returning 1 as renewed`);
  return rows.length;
}
