/**
 * Run repository: a run row is written when a run starts and completed, with all its events (in its
 * `events` column), when it ends. Only the newest test runs of each scenario are kept.
 */
import { and, asc, desc, eq, notInArray } from 'drizzle-orm';
import type { RunDetail, RunSummary } from '@shared/api.js';
import { RunErrorSchema, RunEventSchema, type RunError, type RunEvent } from '@shared/events.js';
import { UsageSchema, type Usage } from '@shared/usage.js';
import { simulatedModel } from '@shared/simulated.js';
import { writeTransaction, type Db } from './db.js';
import { expandEvents } from './run-log-rows.mjs';
import { runEvents, runs } from './schema.js';

/** How many test runs per scenario are kept; older ones are pruned when a new one ends. */
export const TEST_RUNS_KEPT = 50;

export type RunKind = 'test' | 'api' | 'cli';
/** The columns a summary shows (not the values or the events). */
const SUMMARY_COLUMNS = {
  id: runs.id,
  scenarioId: runs.scenarioId,
  kind: runs.kind,
  status: runs.status,
  model: runs.model,
  latencyMs: runs.latencyMs,
  usage: runs.usage,
  error: runs.error,
  createdAt: runs.createdAt,
  finishedAt: runs.finishedAt,
  redactedAt: runs.redactedAt,
};
type Row = Pick<typeof runs.$inferSelect, keyof typeof SUMMARY_COLUMNS>;

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function toSummary(row: Row): RunSummary {
  const usage = UsageSchema.safeParse(row.usage);
  const error = RunErrorSchema.safeParse(row.error);
  return {
    id: row.id,
    scenario_id: row.scenarioId,
    kind: row.kind,
    status: row.status,
    model: row.model,
    simulated: simulatedModel(row.model),
    latency_ms: row.latencyMs,
    usage: usage.success ? usage.data : null,
    error: error.success ? error.data : null,
    created_at: new Date(row.createdAt).toISOString(),
    finished_at: iso(row.finishedAt),
    redacted_at: iso(row.redactedAt),
  };
}

/** Records a run as started. */
export function startRun(db: Db, run: { id: string; scenarioId: string | null; kind: RunKind; inputs: unknown }, now = Date.now()): void {
  db.insert(runs).values({ id: run.id, scenarioId: run.scenarioId, kind: run.kind, status: 'running', inputs: run.inputs ?? null, createdAt: now }).run();
}

/** What a finished run leaves behind: the engine's result and every event it emitted. */
export interface FinishedRun {
  status: 'succeeded' | 'failed';
  outputs?: unknown;
  error?: RunError;
  usage: Usage;
  latency_ms: number;
  model: string;
}

/**
 * Completes a run and writes its events (one JSON array in its row) in one transaction, then prunes old
 * test runs of its scenario.
 * A result or an event that cannot be written (past what the serialiser or SQLite takes) leaves the run
 * failed with `log_write_failed` and the reason, without its values: never an exception to the caller.
 */
export function finishRun(db: Db, id: string, result: FinishedRun, events: RunEvent[], now = Date.now()): void {
  try {
    writeFinished(db, id, result, events, now);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const failed: FinishedRun = { ...result, status: 'failed', outputs: undefined, error: { code: 'log_write_failed', message: `the run could not be stored as it was: ${reason}` } };
    try {
      writeFinished(db, id, failed, [], now);
    } catch (again) {
      console.error(`[mofang] run ${id} not stored:`, again instanceof Error ? again.message : String(again));
    }
  }
}

function writeFinished(db: Db, id: string, result: FinishedRun, events: RunEvent[], now: number): void {
  writeTransaction(db, (tx) => {
    const row = tx
      .update(runs)
      .set({
        status: result.status,
        outputs: result.outputs ?? null,
        error: result.error ?? null,
        usage: result.usage,
        latencyMs: Math.round(result.latency_ms),
        model: result.model,
        finishedAt: now,
        events,
      })
      .where(eq(runs.id, id))
      .returning({ scenarioId: runs.scenarioId, kind: runs.kind })
      .get();
    if (row?.kind === 'test' && row.scenarioId) pruneTestRuns(tx, row.scenarioId);
  });
}

/** Deletes all but the newest {@link TEST_RUNS_KEPT} test runs of a scenario (events cascade). */
export function pruneTestRuns(db: Pick<Db, 'select' | 'delete'>, scenarioId: string): void {
  const keep = db
    .select({ id: runs.id })
    .from(runs)
    .where(and(eq(runs.scenarioId, scenarioId), eq(runs.kind, 'test')))
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(TEST_RUNS_KEPT);
  db.delete(runs)
    .where(and(eq(runs.scenarioId, scenarioId), eq(runs.kind, 'test'), notInArray(runs.id, keep)))
    .run();
}

/** The newest test runs of a scenario, newest first. */
export function listTestRuns(db: Db, scenarioId: string, limit = TEST_RUNS_KEPT): RunSummary[] {
  return db
    .select(SUMMARY_COLUMNS)
    .from(runs)
    .where(and(eq(runs.scenarioId, scenarioId), eq(runs.kind, 'test')))
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(limit)
    .all()
    .map(toSummary);
}

/** A run with its inputs, outputs and events in order, or undefined. */
export function getRun(db: Db, id: string): RunDetail | undefined {
  const row = db.select().from(runs).where(eq(runs.id, id)).get();
  if (!row) return undefined;
  const events: RunEvent[] = [];
  // Runs written before `runs.events` existed keep their events in `run_events`, one row each.
  const stored = row.events ? expandEvents(row.events, row) : db.select({ data: runEvents.data }).from(runEvents).where(eq(runEvents.runId, id)).orderBy(asc(runEvents.seq)).all().map((e) => e.data);
  for (const e of stored) {
    const parsed = RunEventSchema.safeParse(e);
    if (parsed.success) events.push(parsed.data);
  }
  return { ...toSummary(row), inputs: row.inputs, outputs: row.outputs ?? null, events };
}

/** Marks runs left `running` by a crash as failed, so the history does not show them running forever. */
export function failInterruptedRuns(db: Db, now = Date.now()): number {
  return db
    .update(runs)
    .set({ status: 'failed', error: { code: 'cancelled', message: 'the server stopped during the run' }, finishedAt: now })
    .where(eq(runs.status, 'running'))
    .run().changes;
}
