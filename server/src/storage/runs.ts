/**
 * Run repository: a run row is written when a run starts and completed, with all its events (in its
 * `events` column), when it ends. Only the newest test runs of each scenario are kept.
 */
import { loggableMessage } from './db-errors.js';
import { and, asc, desc, eq, notInArray } from 'drizzle-orm';
import type { RunDetail, RunSummary } from '@shared/api.js';
import { RunErrorSchema, RunEventSchema, type RunError, type RunEvent } from '@shared/events.js';
import { UsageSchema, type Usage } from '@shared/usage.js';
import { simulatedModel } from '@shared/simulated.js';
import { expandEvents } from './run-log-rows.mjs';
import type { runs } from './schema.js';
import type { DataStore, Tables } from './store.js';

/** How many test runs per scenario are kept; older ones are pruned when a new one ends. */
export const TEST_RUNS_KEPT = 50;

export type RunKind = 'test' | 'api' | 'cli';
/** The columns a summary shows (not the values or the events). */
const summaryColumns = ({ runs }: Tables) => ({
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
});
type Row = Pick<typeof runs.$inferSelect, keyof ReturnType<typeof summaryColumns>>;

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
export async function startRun(store: DataStore, run: { id: string; scenarioId: string | null; kind: RunKind; inputs: unknown }, now = Date.now()): Promise<void> {
  const { db, t } = store;
  await db.insert(t.runs).values({ id: run.id, scenarioId: run.scenarioId, kind: run.kind, status: 'running', inputs: run.inputs ?? null, createdAt: now });
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
 * A result or an event that cannot be written (past what the serialiser or the database takes) leaves the
 * run failed with `log_write_failed` and the reason, without its values: never a rejection to the caller.
 */
export async function finishRun(store: DataStore, id: string, result: FinishedRun, events: RunEvent[], now = Date.now()): Promise<void> {
  try {
    await writeFinished(store, id, result, events, now);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const failed: FinishedRun = { ...result, status: 'failed', outputs: undefined, error: { code: 'log_write_failed', message: `the run could not be stored as it was: ${reason}` } };
    try {
      await writeFinished(store, id, failed, [], now);
    } catch (again) {
      console.error(`[mofang] run ${id} not stored:`, loggableMessage(again));
    }
  }
}

async function writeFinished(store: DataStore, id: string, result: FinishedRun, events: RunEvent[], now: number): Promise<void> {
  await store.transaction(async (tx) => {
    const { runs } = tx.t;
    const [row] = await tx.db
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
      .returning({ scenarioId: runs.scenarioId, kind: runs.kind });
    if (row?.kind === 'test' && row.scenarioId) await pruneTestRuns(tx, row.scenarioId);
  });
}

/** Deletes all but the newest {@link TEST_RUNS_KEPT} test runs of a scenario (events cascade). */
export async function pruneTestRuns(store: DataStore, scenarioId: string): Promise<void> {
  const { db, t } = store;
  const { runs } = t;
  const keep = db
    .select({ id: runs.id })
    .from(runs)
    .where(and(eq(runs.scenarioId, scenarioId), eq(runs.kind, 'test')))
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(TEST_RUNS_KEPT);
  await db.delete(runs).where(and(eq(runs.scenarioId, scenarioId), eq(runs.kind, 'test'), notInArray(runs.id, keep)));
}

/** The newest test runs of a scenario, newest first. */
export async function listTestRuns(store: DataStore, scenarioId: string, limit = TEST_RUNS_KEPT): Promise<RunSummary[]> {
  const { db, t } = store;
  const rows = await db
    .select(summaryColumns(t))
    .from(t.runs)
    .where(and(eq(t.runs.scenarioId, scenarioId), eq(t.runs.kind, 'test')))
    .orderBy(desc(t.runs.createdAt), desc(t.runs.id))
    .limit(limit);
  return rows.map(toSummary);
}

/** A run with its inputs, outputs and events in order, or undefined. */
export async function getRun(store: DataStore, id: string): Promise<RunDetail | undefined> {
  const { db, t } = store;
  const [row] = await db.select().from(t.runs).where(eq(t.runs.id, id)).limit(1);
  if (!row) return undefined;
  const events: RunEvent[] = [];
  // Runs written before `runs.events` existed keep their events in `run_events`, one row each.
  const stored = row.events ? expandEvents(row.events, row) : (await db.select({ data: t.runEvents.data }).from(t.runEvents).where(eq(t.runEvents.runId, id)).orderBy(asc(t.runEvents.seq))).map((e) => e.data);
  for (const e of stored) {
    const parsed = RunEventSchema.safeParse(e);
    if (parsed.success) events.push(parsed.data);
  }
  return { ...toSummary(row), inputs: row.inputs, outputs: row.outputs ?? null, events };
}

/** Marks runs left `running` by a crash as failed, so the history does not show them running forever. Resolves with how many. */
export async function failInterruptedRuns(store: DataStore, now = Date.now()): Promise<number> {
  const { db, t } = store;
  const rows = await db
    .update(t.runs)
    .set({ status: 'failed', error: { code: 'cancelled', message: 'the server stopped during the run' }, finishedAt: now })
    .where(eq(t.runs.status, 'running'))
    .returning({ id: t.runs.id });
  return rows.length;
}
