/**
 * Evaluation sets as a domain service (no HTTP here): sets per scenario, their cases checked against
 * the scenario's start inputs and end outputs, every change of cases written as a new immutable
 * revision. Evaluation runs and human review build on {@link EvaluationSets.casesOf} (the exact cases
 * of a revision) and {@link EvaluationSets.addCases} (corrections become cases). Refusals are
 * {@link DomainError}s.
 */
import { gateUsingSet } from '../storage/publish-gates.js';
import { getScenario } from '../storage/scenarios.js';
import { getScenarioOrigin } from '../storage/templates.js';
import { EvalCaseSourceSchema, type EvalCase, type EvalCaseSource, type EvalChangeReply, type EvalRevision, type EvalSetDetail, type EvalSetSummary, type EvalTargets } from '@shared/evaluation.js';
import { storedGraph } from '@shared/graph.js';
import { DomainError } from '../common/domain-error.js';
import type { DataStore } from '../storage/store.js';
import {
  caseCountAt,
  caseRowAt,
  caseRowsAt,
  commitCaseChange,
  deleteEvalSet,
  DuplicateCaseError,
  findEvalSetByName,
  getEvalSet,
  insertEvalSet,
  listEvalRevisions,
  listEvalSets,
  UnknownCaseError,
  type CaseWrite,
  type EvalCaseRow,
  type EvalSetRow,
} from '../storage/evaluation.js';
import { builtinCases, builtinSetsOf, BUILTIN_SETS_ROOT } from './builtin.js';
import { caseTargets, checkCases, type CaseTargets } from './targets.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** A case as given to {@link EvaluationSets.addCases}: optional id and file line, inputs, expected. */
export interface NewCase {
  id?: string;
  line?: number;
  inputs: Record<string, unknown>;
  expected: Record<string, unknown>;
}

/** A set's row as the API lists it. */
export async function toSummary(store: DataStore, row: EvalSetRow): Promise<EvalSetSummary> {
  return { id: row.id, scenario_id: row.scenarioId, name: row.name, description: row.description, revision: row.revision, cases: await caseCountAt(store, row.id, row.revision), created_at: iso(row.createdAt), updated_at: iso(row.updatedAt) };
}

function toCase(row: EvalCaseRow): EvalCase {
  // A source this version does not know (written by a later one) reads as an upload rather than failing the read.
  const source = EvalCaseSourceSchema.safeParse(row.source);
  return { id: row.caseId, inputs: row.inputs, expected: row.expected, source: source.success ? source.data : { kind: 'upload' }, revision: row.addedIn };
}

/** The evaluation sets of one server. */
export class EvaluationSets {
  /**
   * `store`: where the sets and their scenarios are (SQLite or PostgreSQL); `templatesRoot`: where
   * shipped sets are found (the repository's templates/ by default).
   */
  constructor(
    readonly store: DataStore,
    private readonly templatesRoot = BUILTIN_SETS_ROOT,
  ) {}

  /** These sets inside transaction `tx` (an audited change): what they read and write goes through it. */
  within(tx: DataStore): EvaluationSets {
    return new EvaluationSets(tx, this.templatesRoot);
  }

  /** The case shape of a scenario's draft. Throws `not_found`. */
  async caseTargets(scenarioId: string): Promise<CaseTargets> {
    const scenario = await getScenario(this.store, scenarioId);
    if (!scenario) throw new DomainError('not_found', 'not_found', `no scenario with id "${scenarioId}"`);
    return caseTargets(storedGraph(scenario.graph));
  }

  /** What a case of the scenario may name, and the shipped sets it may import. Throws `not_found`. */
  async targets(scenarioId: string): Promise<EvalTargets> {
    const { inputs, outputs } = await this.caseTargets(scenarioId);
    return { inputs, outputs, builtin: (await this.builtinSets(scenarioId)).map((s) => ({ name: s.name, description: s.description, citation: s.citation, cases: s.cases })) };
  }

  /** A scenario's sets with their latest revision and case count. Throws `not_found` for no such scenario. */
  async list(scenarioId: string): Promise<EvalSetSummary[]> {
    await this.caseTargets(scenarioId);
    return Promise.all((await listEvalSets(this.store, scenarioId)).map((row) => toSummary(this.store, row)));
  }

  /** Creates an empty set (revision 0). Throws `not_found` (scenario) or `set_name_taken`. */
  async create(scenarioId: string, body: { name: string; description: string }): Promise<EvalSetRow> {
    await this.caseTargets(scenarioId);
    const taken = () => new DomainError('conflict', 'set_name_taken', `the scenario already has a set named "${body.name}"`, { name: body.name });
    if (await findEvalSetByName(this.store, scenarioId, body.name)) throw taken();
    try {
      return await insertEvalSet(this.store, { scenarioId, name: body.name, description: body.description });
    } catch (error) {
      // Another request (or server) made the same name meanwhile: the unique index refused this one.
      if (await findEvalSetByName(this.store, scenarioId, body.name)) throw taken();
      throw error;
    }
  }

  /** A set's row. Throws `unknown_eval_set`. */
  async get(setId: string): Promise<EvalSetRow> {
    const row = await getEvalSet(this.store, setId);
    if (!row) throw new DomainError('not_found', 'unknown_eval_set', `no evaluation set with id "${setId}"`);
    return row;
  }

  /**
   * Deletes a set with every revision. Throws `unknown_eval_set`; `conflict` `eval_set_is_gate` while the
   * scenario's publish gate measures on it (an admin removes or moves the gate first).
   */
  async remove(setId: string): Promise<EvalSetRow> {
    const gate = await gateUsingSet(this.store, setId);
    if (gate) throw new DomainError('conflict', 'eval_set_is_gate', 'the scenario\'s publish gate measures on this set: an admin must remove the gate or choose another set first', { metric: gate.metric });
    const gone = await deleteEvalSet(this.store, setId);
    if (!gone) throw new DomainError('not_found', 'unknown_eval_set', `no evaluation set with id "${setId}"`);
    return gone;
  }

  /** The revision number a request names, checked (default: the latest). Throws `unknown_revision`. */
  revisionOf(set: EvalSetRow, revision?: number): number {
    if (revision === undefined) return set.revision;
    if (!Number.isInteger(revision) || revision < 0 || revision > set.revision) throw new DomainError('not_found', 'unknown_revision', `the set has revisions 0 to ${set.revision}, not ${revision}`, { latest: set.revision });
    return revision;
  }

  /**
   * Exactly the cases of revision `revision` of a set (default: the latest), in the order they were
   * added. What an evaluation run reads (and names the revision of). Throws `unknown_eval_set`, `unknown_revision`.
   */
  async casesOf(setId: string, revision?: number): Promise<EvalCase[]> {
    const set = await this.get(setId);
    return (await caseRowsAt(this.store, set.id, this.revisionOf(set, revision))).map(toCase);
  }

  /** The set with the cases of one revision. Throws `unknown_eval_set`, `unknown_revision`. */
  async detail(setId: string, revision?: number): Promise<EvalSetDetail> {
    const set = await this.get(setId);
    const shown = this.revisionOf(set, revision);
    return { ...(await toSummary(this.store, set)), shown_revision: shown, case_list: (await caseRowsAt(this.store, set.id, shown)).map(toCase) };
  }

  /** A set's revisions, newest first. Throws `unknown_eval_set`. */
  async revisions(setId: string): Promise<EvalRevision[]> {
    const set = await this.get(setId);
    return (await listEvalRevisions(this.store, set.id)).map((r) => ({ revision: r.revision, at: iso(r.at), by: r.by, change: r.change, added: r.added, changed: r.changed, removed: r.removed, cases: r.cases }));
  }

  /**
   * Adds cases as one new revision (a case whose id the set holds replaces it), after checking every
   * one against the scenario: inputs against the start schema, `expected` keys against the end outputs.
   * `by` is who made the change (a user's name); `change` names it in the history; `source` is stored
   * with each case. Throws `unknown_eval_set`, `invalid_case_inputs`, `unknown_expected_output`,
   * `empty_expected` (details: path, allowed, index, line), `duplicate_case_id`.
   */
  async addCases(setId: string, cases: NewCase[], by: string, change = 'add', source: EvalCaseSource = { kind: 'manual' }): Promise<EvalChangeReply> {
    const set = await this.get(setId);
    checkCases(await this.caseTargets(set.scenarioId), cases);
    const upsert: CaseWrite[] = cases.map((c) => ({ ...(c.id === undefined ? {} : { id: c.id }), inputs: c.inputs, expected: c.expected, source }));
    return this.commit(set, { upsert, remove: [], by, change });
  }

  /**
   * Changes one case's expected outputs (and inputs, when given) as a new revision. Throws
   * `unknown_eval_set`, `unknown_case` and the checks of {@link addCases}.
   */
  async updateCase(setId: string, caseId: string, body: { expected: Record<string, unknown>; inputs?: Record<string, unknown> }, by: string): Promise<EvalChangeReply> {
    const set = await this.get(setId);
    const current = await caseRowAt(this.store, set.id, set.revision, caseId);
    if (!current) throw new DomainError('not_found', 'unknown_case', `the set has no case "${caseId}"`, { case_id: caseId });
    const next = { id: caseId, inputs: body.inputs ?? current.inputs, expected: body.expected };
    checkCases(await this.caseTargets(set.scenarioId), [next]);
    return this.commit(set, { upsert: [{ ...next, source: current.source }], remove: [], by, change: 'edit' });
  }

  /** Removes one case as a new revision. Throws `unknown_eval_set`, `unknown_case`. */
  async removeCase(setId: string, caseId: string, by: string): Promise<EvalChangeReply> {
    return this.commit(await this.get(setId), { upsert: [], remove: [caseId], by, change: 'remove' });
  }

  /** The sets shipped with the template the scenario was made from, with their case counts (none without a template). */
  async builtinSets(scenarioId: string): Promise<Array<{ name: string; description: string; citation: string; cases: number }>> {
    const templateId = (await getScenarioOrigin(this.store, scenarioId))?.templateId;
    if (!templateId) return [];
    return builtinSetsOf(templateId, this.templatesRoot).map((s) => ({ ...s, cases: builtinCases(templateId, s, this.templatesRoot).length }));
  }

  /**
   * Creates the shipped set `name` in the scenario with its cases as revision 1 (by `by`). Throws
   * `not_found`, `unknown_builtin_set`, `set_name_taken` (already imported), and the case checks (a
   * scenario whose draft no longer has the template's inputs and outputs).
   */
  async importBuiltin(scenarioId: string, name: string, by: string): Promise<{ set: EvalSetRow; change: EvalChangeReply }> {
    const templateId = (await getScenarioOrigin(this.store, scenarioId))?.templateId;
    const shipped = templateId ? builtinSetsOf(templateId, this.templatesRoot).find((s) => s.name === name) : undefined;
    if (!templateId || !shipped) throw new DomainError('not_found', 'unknown_builtin_set', `the scenario's template ships no set named "${name}"`, { name });
    const cases = builtinCases(templateId, shipped, this.templatesRoot);
    const targets = await this.caseTargets(scenarioId);
    checkCases(targets, cases);
    const set = await this.create(scenarioId, { name: shipped.name, description: shipped.description });
    const change = await this.addCases(set.id, cases, by, 'builtin', { kind: 'builtin', name: shipped.name });
    return { set: await this.get(set.id), change };
  }

  private async commit(set: EvalSetRow, change: Parameters<typeof commitCaseChange>[2]): Promise<EvalChangeReply> {
    try {
      const done = await commitCaseChange(this.store, set.id, change);
      if (!done) throw new DomainError('not_found', 'unknown_eval_set', `no evaluation set with id "${set.id}"`);
      return { set_id: set.id, revision: done.revision, added: done.added, changed: done.changed, removed: done.removed, cases: done.cases, case_ids: done.caseIds };
    } catch (error) {
      if (error instanceof UnknownCaseError) throw new DomainError('not_found', 'unknown_case', error.message, { case_id: error.caseId });
      if (error instanceof DuplicateCaseError) throw new DomainError('invalid', 'duplicate_case_id', error.message, { case_id: error.caseId });
      throw error;
    }
  }
}
