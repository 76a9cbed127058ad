/**
 * The evaluation-set tables: sets, their revisions and their cases stored as revision ranges. A case
 * row belongs to revision N when `added_in <= N < removed_in` (or `removed_in` is null); a change writes
 * one new revision in one write transaction, ending the rows it edits or removes and adding new ones, so
 * the cases of any revision read back exactly as they were. No validation here (evaluation/ does it).
 * On either store (./store.ts); a change locks its set's row first (`for update` on PostgreSQL, SQLite's
 * write transaction), so two changes of one set never make the same revision.
 */
import { and, asc, count, desc, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import { newId } from '../common/ids.js';
import { parseJson } from '@shared/json.js';
import type { evalCases, evalRevisions, evalSets } from './schema-evaluation.js';
import type { DataStore, Tables } from './store.js';

export type EvalSetRow = typeof evalSets.$inferSelect;
export type EvalRevisionRow = typeof evalRevisions.$inferSelect;
export type EvalCaseRow = typeof evalCases.$inferSelect;

/** A case to write: `id` absent gets the set's next `c<n>`; an id the set holds replaces that case. */
export interface CaseWrite {
  id?: string;
  inputs: Record<string, unknown>;
  expected: Record<string, unknown>;
  source: Record<string, unknown>;
}

/** One change to a set's cases, written as one new revision. */
export interface CaseChange {
  upsert: CaseWrite[];
  /** Ids of cases to remove (each must be in the latest revision). */
  remove: string[];
  /** Who made it (a user's name, `cli`, `mofang`). */
  by: string;
  /** What kind of change, e.g. `upload`, `edit`, `remove`, `promote_run`. */
  change: string;
}

/** What a change did. */
export interface CaseChangeResult {
  revision: number;
  added: number;
  changed: number;
  removed: number;
  cases: number;
  caseIds: string[];
}

/** The filter of the rows that make up revision `revision` of set `setId`. */
function inRevision(t: Tables, setId: string, revision: number) {
  const c = t.evalCases;
  return and(eq(c.setId, setId), lte(c.addedIn, revision), or(isNull(c.removedIn), gt(c.removedIn, revision)));
}

/** Creates an empty set (revision 0). Throws the store's unique-constraint error for a name the scenario already uses. */
export async function insertEvalSet(store: DataStore, input: { scenarioId: string; name: string; description: string }, now = Date.now()): Promise<EvalSetRow> {
  const row: EvalSetRow = { id: newId(), scenarioId: input.scenarioId, name: input.name, description: input.description, revision: 0, nextCase: 1, createdAt: now, updatedAt: now, metrics: null };
  await store.db.insert(store.t.evalSets).values(row);
  return row;
}

/** Stores how a set's runs are scored (`MetricOverrides`; null: none). False when there is no such set. */
export async function setEvalSetMetrics(store: DataStore, setId: string, metrics: unknown, now = Date.now()): Promise<boolean> {
  const { db, t } = store;
  const done = await db.update(t.evalSets).set({ metrics, updatedAt: now }).where(eq(t.evalSets.id, setId)).returning({ id: t.evalSets.id });
  return done.length > 0;
}

/** A scenario's sets, by name. */
export async function listEvalSets(store: DataStore, scenarioId: string): Promise<EvalSetRow[]> {
  const { db, t } = store;
  return db.select().from(t.evalSets).where(eq(t.evalSets.scenarioId, scenarioId)).orderBy(asc(t.evalSets.name), asc(t.evalSets.id));
}

export async function getEvalSet(store: DataStore, id: string): Promise<EvalSetRow | undefined> {
  const { db, t } = store;
  const [row] = await db.select().from(t.evalSets).where(eq(t.evalSets.id, id)).limit(1);
  return row;
}

export async function findEvalSetByName(store: DataStore, scenarioId: string, name: string): Promise<EvalSetRow | undefined> {
  const { db, t } = store;
  const [row] = await db.select().from(t.evalSets).where(and(eq(t.evalSets.scenarioId, scenarioId), eq(t.evalSets.name, name))).limit(1);
  return row;
}

/** Deletes a set with its revisions and cases; returns the row it was, or undefined. */
export async function deleteEvalSet(store: DataStore, id: string): Promise<EvalSetRow | undefined> {
  const { db, t } = store;
  const [before] = await db.delete(t.evalSets).where(eq(t.evalSets.id, id)).returning();
  return before;
}

/** The case rows of revision `revision` of a set, in the order they were first added (then by row). */
export async function caseRowsAt(store: DataStore, setId: string, revision: number): Promise<EvalCaseRow[]> {
  const { db, t } = store;
  return db.select().from(t.evalCases).where(inRevision(t, setId, revision)).orderBy(asc(t.evalCases.seq));
}

/** One case of a revision, or undefined. */
export async function caseRowAt(store: DataStore, setId: string, revision: number, caseId: string): Promise<EvalCaseRow | undefined> {
  const { db, t } = store;
  const [row] = await db.select().from(t.evalCases).where(and(inRevision(t, setId, revision), eq(t.evalCases.caseId, caseId))).limit(1);
  return row;
}

/** How many cases revision `revision` holds. */
export async function caseCountAt(store: DataStore, setId: string, revision: number): Promise<number> {
  const { db, t } = store;
  const [row] = await db.select({ n: count() }).from(t.evalCases).where(inRevision(t, setId, revision));
  return Number(row?.n ?? 0);
}

/** A set's revisions, newest first. */
export async function listEvalRevisions(store: DataStore, setId: string): Promise<EvalRevisionRow[]> {
  const { db, t } = store;
  return db.select().from(t.evalRevisions).where(eq(t.evalRevisions.setId, setId)).orderBy(desc(t.evalRevisions.revision));
}

/** A case id the change would remove but the latest revision does not hold. */
export class UnknownCaseError extends Error {
  constructor(readonly caseId: string) {
    super(`the set has no case "${caseId}"`);
    this.name = 'UnknownCaseError';
  }
}

/** A change that names one case id twice (an upload with a repeated id). */
export class DuplicateCaseError extends Error {
  constructor(readonly caseId: string) {
    super(`case id "${caseId}" appears twice in one change`);
    this.name = 'DuplicateCaseError';
  }
}

/**
 * Writes `change` as the set's next revision (one transaction) and returns what it did; a change
 * that would leave everything as it was still makes a revision (its counts say so). Returns undefined
 * when the set does not exist; throws {@link UnknownCaseError} for a removal of a case it does not hold
 * and {@link DuplicateCaseError} when the change names one id twice (nothing is written then).
 */
export async function commitCaseChange(store: DataStore, setId: string, change: CaseChange, now = Date.now()): Promise<CaseChangeResult | undefined> {
  return store.transaction(async (tx) => {
    const { db, t } = tx;
    // Taking the next revision first locks the set's row on PostgreSQL until the commit: a concurrent
    // change of the same set waits here, then reads the revision (and cases) this one committed.
    const [set] = await db
      .update(t.evalSets)
      .set({ revision: sql`${t.evalSets.revision} + 1`, updatedAt: now })
      .where(eq(t.evalSets.id, setId))
      .returning();
    if (!set) return undefined;
    const next = set.revision;
    const head = next - 1;
    const liveRows = await db.select({ seq: t.evalCases.seq, caseId: t.evalCases.caseId }).from(t.evalCases).where(inRevision(t, setId, head));
    const live = new Map(liveRows.map((r) => [r.caseId, r.seq]));
    // Every id the set ever held, removed ones too: a generated id is never reused, so an older
    // revision's `c2` and a newer one's are always the same case (results are compared by case id).
    const ever = new Set((await db.select({ caseId: t.evalCases.caseId }).from(t.evalCases).where(eq(t.evalCases.setId, setId))).map((r) => r.caseId));
    let nextCase = set.nextCase;
    let added = 0;
    let changed = 0;
    let removed = 0;
    const caseIds: string[] = [];
    const touched = new Set<string>();
    const end = (seq: number) => db.update(t.evalCases).set({ removedIn: next }).where(eq(t.evalCases.seq, seq));
    for (const id of change.remove) {
      const seq = live.get(id);
      if (seq === undefined) throw new UnknownCaseError(id);
      await end(seq);
      live.delete(id);
      removed += 1;
    }
    for (const write of change.upsert) {
      let id = write.id;
      if (id === undefined) {
        // Skip numbers a case holds or held as its own id (an upload may use `c7`).
        do id = `c${nextCase++}`;
        while (ever.has(id) || live.has(id));
      }
      if (touched.has(id)) throw new DuplicateCaseError(id);
      touched.add(id);
      const seq = live.get(id);
      if (seq === undefined) added += 1;
      else {
        await end(seq);
        changed += 1;
      }
      const [inserted] = await db.insert(t.evalCases).values({ setId, caseId: id, inputs: write.inputs, expected: write.expected, source: write.source, addedIn: next, removedIn: null }).returning({ seq: t.evalCases.seq });
      live.set(id, Number(inserted!.seq));
      caseIds.push(id);
    }
    const cases = live.size;
    await db.insert(t.evalRevisions).values({ setId, revision: next, at: now, by: change.by, change: change.change, added, changed, removed, cases });
    await db.update(t.evalSets).set({ nextCase }).where(eq(t.evalSets.id, setId));
    return { revision: next, added, changed, removed, cases, caseIds };
  });
}

/** A job item as a case starts from it: its job's scenario, its status, inputs and outputs (null when cleared or not finished). */
export interface JobItemForCase {
  scenarioId: string;
  status: string;
  inputs: unknown;
  outputs: unknown;
  runId: string | null;
}

/** One item of a job (by the item's id), or undefined when the job or the item does not exist. */
export async function jobItemForCase(store: DataStore, jobId: string, itemId: string): Promise<JobItemForCase | undefined> {
  const { db, t } = store;
  const [row] = await db
    .select({ scenarioId: t.jobs.scenarioId, status: t.jobItems.status, inputs: t.jobItems.inputs, outputs: t.jobItems.outputs, runId: t.jobItems.runId })
    .from(t.jobItems)
    .innerJoin(t.jobs, eq(t.jobs.id, t.jobItems.jobId))
    .where(and(eq(t.jobItems.jobId, jobId), eq(t.jobItems.itemId, itemId)))
    .limit(1);
  if (!row) return undefined;
  return { scenarioId: row.scenarioId, status: row.status, inputs: parseJson(row.inputs) ?? null, outputs: row.outputs === null ? null : (parseJson(row.outputs) ?? null), runId: row.runId };
}
