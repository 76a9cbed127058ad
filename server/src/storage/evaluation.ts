/**
 * The evaluation-set tables: sets, their revisions and their cases stored as revision ranges. A case
 * row belongs to revision N when `added_in <= N < removed_in` (or `removed_in` is null); a change writes
 * one new revision in one write transaction, ending the rows it edits or removes and adding new ones, so
 * the cases of any revision read back exactly as they were. No validation here (evaluation/ does it).
 */
import { and, asc, desc, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import { newId } from '../common/ids.js';
import { writeTransaction, type Db } from './db.js';
import { parseJson } from '@shared/json.js';
import { jobItems, jobs } from './schema.js';
import { evalCases, evalRevisions, evalSets } from './schema-evaluation.js';

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
function inRevision(setId: string, revision: number) {
  return and(eq(evalCases.setId, setId), lte(evalCases.addedIn, revision), or(isNull(evalCases.removedIn), gt(evalCases.removedIn, revision)));
}

/** Creates an empty set (revision 0). Throws SQLite's unique-constraint error for a name the scenario already uses. */
export function insertEvalSet(db: Db, input: { scenarioId: string; name: string; description: string }, now = Date.now()): EvalSetRow {
  const row: EvalSetRow = { id: newId(), scenarioId: input.scenarioId, name: input.name, description: input.description, revision: 0, nextCase: 1, createdAt: now, updatedAt: now, metrics: null };
  writeTransaction(db, (tx) => tx.insert(evalSets).values(row).run());
  return row;
}

/** Stores how a set's runs are scored (`MetricOverrides`; null: none). False when there is no such set. */
export function setEvalSetMetrics(db: Db, setId: string, metrics: unknown, now = Date.now()): boolean {
  return writeTransaction(db, (tx) => tx.update(evalSets).set({ metrics, updatedAt: now }).where(eq(evalSets.id, setId)).run()).changes > 0;
}

/** A scenario's sets, by name. */
export function listEvalSets(db: Db, scenarioId: string): EvalSetRow[] {
  return db.select().from(evalSets).where(eq(evalSets.scenarioId, scenarioId)).orderBy(asc(evalSets.name)).all();
}

export function getEvalSet(db: Db, id: string): EvalSetRow | undefined {
  return db.select().from(evalSets).where(eq(evalSets.id, id)).get();
}

export function findEvalSetByName(db: Db, scenarioId: string, name: string): EvalSetRow | undefined {
  return db.select().from(evalSets).where(and(eq(evalSets.scenarioId, scenarioId), eq(evalSets.name, name))).get();
}

/** Deletes a set with its revisions and cases; returns the row it was, or undefined. */
export function deleteEvalSet(db: Db, id: string): EvalSetRow | undefined {
  return writeTransaction(db, (tx) => {
    const before = tx.select().from(evalSets).where(eq(evalSets.id, id)).get();
    if (before) tx.delete(evalSets).where(eq(evalSets.id, id)).run();
    return before;
  });
}

/** The case rows of revision `revision` of a set, in the order they were first added (then by row). */
export function caseRowsAt(db: Db, setId: string, revision: number): EvalCaseRow[] {
  return db.select().from(evalCases).where(inRevision(setId, revision)).orderBy(asc(evalCases.seq)).all();
}

/** One case of a revision, or undefined. */
export function caseRowAt(db: Db, setId: string, revision: number, caseId: string): EvalCaseRow | undefined {
  return db.select().from(evalCases).where(and(inRevision(setId, revision), eq(evalCases.caseId, caseId))).get();
}

/** How many cases revision `revision` holds. */
export function caseCountAt(db: Db, setId: string, revision: number): number {
  const row = db.select({ n: sql<number>`count(*)` }).from(evalCases).where(inRevision(setId, revision)).get();
  return row?.n ?? 0;
}

/** A set's revisions, newest first. */
export function listEvalRevisions(db: Db, setId: string): EvalRevisionRow[] {
  return db.select().from(evalRevisions).where(eq(evalRevisions.setId, setId)).orderBy(desc(evalRevisions.revision)).all();
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
 * Writes `change` as the set's next revision (one write transaction) and returns what it did; a change
 * that would leave everything as it was still makes a revision (its counts say so). Returns undefined
 * when the set does not exist; throws {@link UnknownCaseError} for a removal of a case it does not hold
 * and {@link DuplicateCaseError} when the change names one id twice (nothing is written then).
 */
export function commitCaseChange(db: Db, setId: string, change: CaseChange, now = Date.now()): CaseChangeResult | undefined {
  return writeTransaction(db, (tx) => {
    const set = tx.select().from(evalSets).where(eq(evalSets.id, setId)).get();
    if (!set) return undefined;
    const head = set.revision;
    const next = head + 1;
    const live = new Map(tx.select({ seq: evalCases.seq, caseId: evalCases.caseId }).from(evalCases).where(inRevision(setId, head)).all().map((r) => [r.caseId, r.seq]));
    // Every id the set ever held, removed ones too: a generated id is never reused, so an older
    // revision's `c2` and a newer one's are always the same case (results are compared by case id).
    const ever = new Set(tx.select({ caseId: evalCases.caseId }).from(evalCases).where(eq(evalCases.setId, setId)).all().map((r) => r.caseId));
    let nextCase = set.nextCase;
    let added = 0;
    let changed = 0;
    let removed = 0;
    const caseIds: string[] = [];
    const touched = new Set<string>();
    const end = (seq: number) => tx.update(evalCases).set({ removedIn: next }).where(eq(evalCases.seq, seq)).run();
    for (const id of change.remove) {
      const seq = live.get(id);
      if (seq === undefined) throw new UnknownCaseError(id);
      end(seq);
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
        end(seq);
        changed += 1;
      }
      const inserted = tx.insert(evalCases).values({ setId, caseId: id, inputs: write.inputs, expected: write.expected, source: write.source, addedIn: next, removedIn: null }).returning({ seq: evalCases.seq }).get();
      live.set(id, inserted.seq);
      caseIds.push(id);
    }
    const cases = live.size;
    tx.insert(evalRevisions).values({ setId, revision: next, at: now, by: change.by, change: change.change, added, changed, removed, cases }).run();
    tx.update(evalSets).set({ revision: next, nextCase, updatedAt: now }).where(eq(evalSets.id, setId)).run();
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
export function jobItemForCase(db: Db, jobId: string, itemId: string): JobItemForCase | undefined {
  const row = db
    .select({ scenarioId: jobs.scenarioId, status: jobItems.status, inputs: jobItems.inputs, outputs: jobItems.outputs, runId: jobItems.runId })
    .from(jobItems)
    .innerJoin(jobs, eq(jobs.id, jobItems.jobId))
    .where(and(eq(jobItems.jobId, jobId), eq(jobItems.itemId, itemId)))
    .get();
  if (!row) return undefined;
  return { scenarioId: row.scenarioId, status: row.status, inputs: parseJson(row.inputs) ?? null, outputs: row.outputs === null ? null : (parseJson(row.outputs) ?? null), runId: row.runId };
}
