/**
 * The `eval_runs` table: an evaluation run's identity, what it ran, its job, and once the job ended its
 * stored result. No validation and no scoring here (evaluation/runs.ts does them). A run ends once:
 * every ending write is one conditional update that applies only to a run still `queued` or `running`
 * (so two servers ending one run at once on PostgreSQL end it once). On either store (./store.ts).
 */
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { evalRuns } from './schema-evaluation.js';
import type { DataStore } from './store.js';

export type EvalRunRow = typeof evalRuns.$inferSelect;
export type NewEvalRun = Omit<EvalRunRow, 'status' | 'metrics' | 'results' | 'simulated' | 'error' | 'finishedAt'>;

const OPEN = ['queued', 'running'] as const;

/** Stores a new run (status `queued`). */
export async function insertEvalRun(store: DataStore, run: NewEvalRun): Promise<EvalRunRow> {
  const row: EvalRunRow = { ...run, status: 'queued', metrics: null, results: null, simulated: false, error: null, finishedAt: null };
  await store.db.insert(store.t.evalRuns).values(row);
  return row;
}

export async function getEvalRun(store: DataStore, id: string): Promise<EvalRunRow | undefined> {
  const { db, t } = store;
  const [row] = await db.select().from(t.evalRuns).where(eq(t.evalRuns.id, id)).limit(1);
  return row;
}

/** The run of an evaluation job, if any. */
export async function evalRunOfJob(store: DataStore, jobId: string): Promise<EvalRunRow | undefined> {
  const { db, t } = store;
  const [row] = await db.select().from(t.evalRuns).where(eq(t.evalRuns.jobId, jobId)).limit(1);
  return row;
}

/** A scenario's runs, newest first, at most `limit`. */
export async function listEvalRuns(store: DataStore, scenarioId: string, limit = 200): Promise<EvalRunRow[]> {
  const { db, t } = store;
  return db.select().from(t.evalRuns).where(eq(t.evalRuns.scenarioId, scenarioId)).orderBy(desc(t.evalRuns.createdAt), desc(t.evalRuns.id)).limit(limit);
}

/** Runs not yet ended (queued or running), oldest first. */
export async function openEvalRuns(store: DataStore): Promise<EvalRunRow[]> {
  const { db, t } = store;
  return db.select().from(t.evalRuns).where(inArray(t.evalRuns.status, [...OPEN])).orderBy(asc(t.evalRuns.createdAt), asc(t.evalRuns.id));
}

/** What ending a run writes. `metrics`/`results` only for `completed`, `error` only for `failed`. */
export interface EvalRunEnd {
  status: 'completed' | 'failed' | 'cancelled';
  metrics?: unknown;
  results?: unknown;
  simulated?: boolean;
  error?: string;
  finishedAt: number;
}

/** Ends a run still open; returns false when it had ended already (or does not exist). */
export async function endEvalRun(store: DataStore, id: string, end: EvalRunEnd): Promise<boolean> {
  const { db, t } = store;
  const done = await db
    .update(t.evalRuns)
    .set({ status: end.status, metrics: end.metrics ?? null, results: end.results ?? null, simulated: end.simulated ?? false, error: end.error ?? null, finishedAt: end.finishedAt })
    .where(and(eq(t.evalRuns.id, id), inArray(t.evalRuns.status, [...OPEN])))
    .returning({ id: t.evalRuns.id });
  return done.length > 0;
}

/** The runs of one plan (`graph_hash`) on one revision of a set, newest first: what a publish gate reuses. */
export async function evalRunsOfPlan(store: DataStore, where: { setId: string; setRevision: number; graphHash: string }, limit = 20): Promise<EvalRunRow[]> {
  const { db, t } = store;
  return db
    .select()
    .from(t.evalRuns)
    .where(and(eq(t.evalRuns.setId, where.setId), eq(t.evalRuns.setRevision, where.setRevision), eq(t.evalRuns.graphHash, where.graphHash)))
    .orderBy(desc(t.evalRuns.createdAt), desc(t.evalRuns.id))
    .limit(limit);
}
