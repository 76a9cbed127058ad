/**
 * The `eval_runs` table: an evaluation run's identity, what it ran, its job, and once the job ended its
 * stored result. No validation and no scoring here (evaluation/runs.ts does them). A run ends once:
 * every ending write applies only to a run still `queued` or `running`.
 */
import { and, desc, eq, inArray } from 'drizzle-orm';
import { writeTransaction, type Db } from './db.js';
import { evalRuns } from './schema-evaluation.js';

export type EvalRunRow = typeof evalRuns.$inferSelect;
export type NewEvalRun = Omit<EvalRunRow, 'status' | 'metrics' | 'results' | 'simulated' | 'error' | 'finishedAt'>;

const OPEN = ['queued', 'running'] as const;

/** Stores a new run (status `queued`). */
export function insertEvalRun(db: Db, run: NewEvalRun): EvalRunRow {
  const row: EvalRunRow = { ...run, status: 'queued', metrics: null, results: null, simulated: false, error: null, finishedAt: null };
  writeTransaction(db, (tx) => tx.insert(evalRuns).values(row).run());
  return row;
}

export function getEvalRun(db: Db, id: string): EvalRunRow | undefined {
  return db.select().from(evalRuns).where(eq(evalRuns.id, id)).get();
}

/** The run of an evaluation job, if any. */
export function evalRunOfJob(db: Db, jobId: string): EvalRunRow | undefined {
  return db.select().from(evalRuns).where(eq(evalRuns.jobId, jobId)).get();
}

/** A scenario's runs, newest first, at most `limit`. */
export function listEvalRuns(db: Db, scenarioId: string, limit = 200): EvalRunRow[] {
  return db.select().from(evalRuns).where(eq(evalRuns.scenarioId, scenarioId)).orderBy(desc(evalRuns.createdAt), desc(evalRuns.id)).limit(limit).all();
}

/** Runs not yet ended (queued or running), oldest first. */
export function openEvalRuns(db: Db): EvalRunRow[] {
  return db.select().from(evalRuns).where(inArray(evalRuns.status, [...OPEN])).orderBy(evalRuns.createdAt).all();
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
export function endEvalRun(db: Db, id: string, end: EvalRunEnd): boolean {
  return writeTransaction(db, (tx) => {
    const done = tx
      .update(evalRuns)
      .set({ status: end.status, metrics: end.metrics ?? null, results: end.results ?? null, simulated: end.simulated ?? false, error: end.error ?? null, finishedAt: end.finishedAt })
      .where(and(eq(evalRuns.id, id), inArray(evalRuns.status, [...OPEN])))
      .run();
    return done.changes > 0;
  });
}

/** The runs of one plan (`graph_hash`) on one revision of a set, newest first: what a publish gate reuses. */
export function evalRunsOfPlan(db: Db, where: { setId: string; setRevision: number; graphHash: string }, limit = 20): EvalRunRow[] {
  return db
    .select()
    .from(evalRuns)
    .where(and(eq(evalRuns.setId, where.setId), eq(evalRuns.setRevision, where.setRevision), eq(evalRuns.graphHash, where.graphHash)))
    .orderBy(desc(evalRuns.createdAt), desc(evalRuns.id))
    .limit(limit)
    .all();
}
