/**
 * Human review as a domain service (no HTTP here): a scenario's rules, choosing results as they are
 * produced (./choose.ts), the queue, and decisions, each of which writes a case into the scenario's
 * target evaluation set as a new revision. Refusals are {@link DomainError}s.
 */
import { EvalCaseSourceSchema } from '@shared/evaluation.js';
import { isRecord } from '@shared/json.js';
import { REVIEW_SET_NAME, ReviewDecisionSchema, ReviewReasonSchema, type ReviewConfirmBody, type ReviewDecision, type ReviewDecisionReply, type ReviewItemDetail, type ReviewItemSummary, type ReviewList, type ReviewRulesBody, type ReviewRulesReply, type ReviewSource } from '@shared/review.js';
import { DomainError } from '../common/domain-error.js';
import type { EvaluationSets } from '../evaluation/sets.js';
import type { PublishedScenarios } from '../publish/registry.js';
import type { DataStore } from '../storage/store.js';
import { findEvalSetByName, getEvalSet } from '../storage/evaluation.js';
import { countReviewItems, decideReviewItem, getReviewItem, getReviewRules, listReviewItems, putReviewRules, reviewItemBySource, type NewReviewItem, type ReviewFilter, type ReviewItemRow } from '../storage/review.js';
import { getScenario } from '../storage/scenarios.js';
import { parseConfig, ReviewChooser, type ProducedResult } from './choose.js';
import { scenarioOutputs, type ScenarioOutputs } from './end-outputs.js';
import { checkRules, reviewKind, type EndOutput } from './rules.js';
import { graphLabels } from './labels.js';
import { classNames, outputViews, transcriptTurns } from './views.js';

const iso = (ms: number) => new Date(ms).toISOString();

export { localDay, type ProducedResult } from './choose.js';

function sourceOf(row: ReviewItemRow): ReviewSource {
  return row.jobId !== null && row.itemId !== null ? { kind: 'job_item', job_id: row.jobId, item_id: row.itemId, run_id: row.runId } : { kind: 'run', run_id: row.runId };
}

/** The cursor of a page: the `(created_at, id)` of its last row. */
function encodeCursor(row: ReviewItemRow): string {
  return Buffer.from(`${row.createdAt}:${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string | undefined): { createdAt: number; id: string } | undefined {
  if (!cursor) return undefined;
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split(':');
  if (!at || !id || !/^\d{1,16}$/.test(at)) throw new DomainError('invalid', 'invalid_cursor', 'cursor is not one a page gave');
  return { createdAt: Number(at), id };
}

/**
 * The review queue of one server, over the sets' store (SQLite or PostgreSQL). Choosing is on the hot
 * path of every `/v1` run and job item: see {@link ReviewChooser} (./choose.ts), whose caches every
 * {@link within} copy shares.
 */
export class ReviewService {
  /** What the rules choose of produced results, with the rules and sample counts cached. */
  readonly chooser: ReviewChooser;

  constructor(
    private readonly published: PublishedScenarios,
    readonly sets: EvaluationSets,
    private readonly now: () => number = Date.now,
    log: (line: string) => void = (line) => console.error(line),
  ) {
    this.chooser = new ReviewChooser(sets.store, now, log);
  }

  /** Where the queue is: the sets' store. */
  get store(): DataStore {
    return this.sets.store;
  }

  /** This service inside transaction `tx` (an audited change), sharing its caches: what it reads and writes goes through `tx`. */
  within(tx: DataStore): ReviewService {
    return Object.create(this, { sets: { value: this.sets.within(tx) } }) as ReviewService;
  }

  /** The end outputs of the live version (else the draft) of a scenario, with what they were read from. Rejects with `not_found`. */
  targetOutputs(scenarioId: string, version?: number): Promise<ScenarioOutputs> {
    return scenarioOutputs(this.store, this.published, scenarioId, version);
  }

  /** A scenario's review rules as stored (cached), or null when it has none. */
  config(scenarioId: string): Promise<ReviewRulesBody | null> {
    return this.chooser.config(scenarioId);
  }

  /** A scenario's rules with the outputs they may name. Throws `not_found`. */
  async rules(scenarioId: string): Promise<ReviewRulesReply> {
    const { outputs, checked } = await this.targetOutputs(scenarioId);
    const row = await getReviewRules(this.store, scenarioId);
    const config = parseConfig(row?.config) ?? { rules: [], outputs: [], set_id: null };
    return {
      scenario_id: scenarioId,
      ...config,
      available: outputs.map((o) => ({ name: o.name, type: o.type, kind: reviewKind(o.schema), description: o.description })),
      checked_against: checked,
      updated_by: row?.updatedBy ?? null,
      updated_at: row ? iso(row.updatedAt) : null,
    };
  }

  /**
   * Replaces a scenario's rules after checking them against its live version's end outputs (the draft's
   * before the first publish). Throws `not_found`, the refusals of {@link checkRules}, and
   * `unknown_eval_set` for a set that is not the scenario's.
   */
  async setRules(scenarioId: string, body: ReviewRulesBody, by: string): Promise<{ before: ReviewRulesReply; after: ReviewRulesReply }> {
    const before = await this.rules(scenarioId);
    checkRules(body, (await this.targetOutputs(scenarioId)).outputs);
    if (body.set_id !== null && (await getEvalSet(this.store, body.set_id))?.scenarioId !== scenarioId) throw new DomainError('invalid', 'unknown_eval_set', `the scenario has no evaluation set "${body.set_id}"`, { path: 'set_id', set_id: body.set_id });
    await putReviewRules(this.store, { scenarioId, config: body, updatedBy: by, updatedAt: this.now() });
    this.chooser.remember(scenarioId, body);
    return { before, after: await this.rules(scenarioId) };
  }

  /** Forgets cached rules (a scenario deleted, or rules changed by another process). */
  forget(scenarioId?: string): void {
    this.chooser.forget(scenarioId);
  }

  /** Applies the rules to produced results and queues those that match (see {@link ReviewChooser.choose}). */
  choose(results: ProducedResult[]): Promise<NewReviewItem[]> {
    return this.chooser.choose(results);
  }

  /** Chooses one `/v1` run without delaying its answer (see {@link ReviewChooser.chooseNow}): the queued item's id when decided at once. */
  chooseNow(result: ProducedResult): string | undefined {
    return this.chooser.chooseNow(result);
  }

  private summary(row: ReviewItemRow, names: Map<string, string>): ReviewItemSummary {
    const reasons = Array.isArray(row.reasons) ? row.reasons.flatMap((r) => { const p = ReviewReasonSchema.safeParse(r); return p.success ? [p.data] : []; }) : [];
    return { id: row.id, scenario_id: row.scenarioId, scenario_name: names.get(row.scenarioId) ?? '', slug: row.slug, version: row.version, source: sourceOf(row), reasons, status: row.status, simulated: row.simulated, created_at: iso(row.createdAt), decided_at: row.decidedAt === null ? null : iso(row.decidedAt), decided_by: row.decidedBy };
  }

  /** The names of the rows' scenarios (one read per scenario; '' for one deleted). */
  private async names(rows: ReviewItemRow[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    for (const id of new Set(rows.map((r) => r.scenarioId))) names.set(id, (await getScenario(this.store, id))?.name ?? '');
    return names;
  }

  /** A page of the queue (oldest first) and the counts by status. Throws `invalid_cursor`. */
  async list(filter: ReviewFilter, limit: number, cursor?: string): Promise<ReviewList> {
    const rows = await listReviewItems(this.store, filter, limit + 1, decodeCursor(cursor));
    const page = rows.slice(0, limit);
    const names = await this.names(page);
    const last = page.at(-1);
    return { items: page.map((r) => this.summary(r, names)), next_cursor: rows.length > limit && last ? encodeCursor(last) : null, counts: await countReviewItems(this.store, filter) };
  }

  /** The item of a source (`run:<id>`), if one was queued. */
  itemOfRun(runId: string): Promise<ReviewItemRow | undefined> {
    return reviewItemBySource(this.store, `run:${runId}`);
  }

  private async row(id: string): Promise<ReviewItemRow> {
    const row = await getReviewItem(this.store, id);
    if (!row) throw new DomainError('not_found', 'unknown_review_item', `no review item "${id}"`);
    return row;
  }

  /** The outputs under review: the rules' `outputs`, else every end output. */
  async reviewed(scenarioId: string, outputs: EndOutput[]): Promise<string[]> {
    const chosen = ((await this.config(scenarioId))?.outputs ?? []).filter((name) => outputs.some((o) => o.name === name));
    return chosen.length > 0 ? chosen : outputs.map((o) => o.name);
  }

  private decisionOf(row: ReviewItemRow): ReviewDecision | null {
    const parsed = ReviewDecisionSchema.safeParse(row.decision);
    return parsed.success ? parsed.data : null;
  }

  /** Everything needed to review one item. Throws `unknown_review_item`. */
  async detail(id: string): Promise<ReviewItemDetail> {
    const row = await this.row(id);
    const { outputs, inputs, graph } = await this.targetOutputs(row.scenarioId, row.version);
    const values = isRecord(row.outputs) ? row.outputs : {};
    const given = isRecord(row.inputs) ? row.inputs : null;
    const decision = this.decisionOf(row);
    return {
      ...this.summary(row, await this.names([row])),
      inputs: given,
      transcripts: transcriptTurns(given, inputs),
      outputs: values,
      views: outputViews(outputs, values, await this.reviewed(row.scenarioId, outputs), classNames(graph), graphLabels(graph)),
      decision,
      redacted_at: row.redactedAt === null ? null : iso(row.redactedAt),
    };
  }

  /** The set decisions of a scenario go to: the rules' set, else 人工复核 (made now if missing). */
  async targetSet(scenarioId: string) {
    const named = (await this.config(scenarioId))?.set_id;
    const chosen = named ? await getEvalSet(this.store, named) : undefined;
    if (chosen) return chosen;
    return (await findEvalSetByName(this.store, scenarioId, REVIEW_SET_NAME)) ?? this.sets.create(scenarioId, { name: REVIEW_SET_NAME, description: 'Human review: results confirmed or corrected by inspectors' });
  }

  /**
   * Confirms an item (`corrections` undefined) or corrects it: the reviewed outputs, with the corrected
   * values over the model's, become the expected outputs of case `review-<item id>` in the target set
   * (a new revision). A correction that changes nothing is a confirmation. Throws `unknown_review_item`,
   * 409 `already_decided` (a decided item, unless `redecide`), 409 `transcripts_redacted`, 400
   * `not_reviewed_output` (a correction of an output not under review), and the case checks of
   * {@link EvaluationSets.addCases} (`invalid_expected_value` for a value of the wrong type).
   */
  async decide(id: string, body: ReviewConfirmBody, by: string, corrections?: Record<string, unknown>): Promise<ReviewDecisionReply & { previous: ReviewItemRow }> {
    const row = await this.row(id);
    if (row.status !== 'pending' && !body.redecide) throw new DomainError('conflict', 'already_decided', `the item was already ${row.status} by ${row.decidedBy ?? 'someone'}; send "redecide": true to replace that decision`, { status: row.status, decided_by: row.decidedBy, decided_at: row.decidedAt === null ? null : iso(row.decidedAt) });
    if (!isRecord(row.inputs)) throw new DomainError('conflict', 'transcripts_redacted', 'the item is past the transcript retention: its inputs were cleared, so it cannot become a case');
    const { outputs } = await this.targetOutputs(row.scenarioId, row.version);
    const reviewed = await this.reviewed(row.scenarioId, outputs);
    const model = isRecord(row.outputs) ? row.outputs : {};
    const expected: Record<string, unknown> = {};
    for (const name of reviewed) if (model[name] !== undefined) expected[name] = model[name];
    for (const [name, value] of Object.entries(corrections ?? {})) {
      if (!reviewed.includes(name)) throw new DomainError('invalid', 'not_reviewed_output', `"${name}" is not an output under review (reviewed: ${reviewed.join(', ')})`, { path: `outputs.${name}`, output: name, allowed: reviewed });
      expected[name] = value;
    }
    const changed = Object.keys(expected).filter((name) => JSON.stringify(expected[name]) !== JSON.stringify(model[name]));
    const set = await this.targetSet(row.scenarioId);
    const caseId = `review-${row.id}`;
    const source = EvalCaseSourceSchema.parse({ kind: 'review', run_id: row.runId, ...(row.jobId !== null && row.itemId !== null ? { job_id: row.jobId, item_id: row.itemId } : {}) });
    const change = await this.sets.addCases(set.id, [{ id: caseId, inputs: row.inputs, expected }], by, 'review', source);
    const at = this.now();
    const previous = this.decisionOf(row)?.decisions ?? 0;
    const decision: ReviewDecision = { by, at: iso(at), outputs: expected, changed, note: body.note, set_id: set.id, case_id: caseId, revision: change.revision, decisions: previous + 1 };
    if (!(await decideReviewItem(this.store, row.id, row.decidedAt, { status: changed.length > 0 ? 'corrected' : 'confirmed', decidedAt: at, decidedBy: by, decision }))) {
      throw new DomainError('conflict', 'already_decided', 'someone decided the item meanwhile; reload it', { status: (await this.row(id)).status });
    }
    return { item: await this.detail(row.id), set_id: set.id, case_id: caseId, revision: change.revision, previous: row };
  }

  /**
   * Decided items (oldest first) under a filter, at most `limit`, as export rows: the item, the model's
   * outputs under review (`before`), the decided ones (`after`), which changed, who and when.
   */
  async decided(filter: ReviewFilter, limit = 100_000): Promise<ReviewExportRow[]> {
    const rows = await listReviewItems(this.store, { ...filter, decided: true }, limit);
    const names = await this.names(rows);
    return rows.flatMap((row) => {
      const decision = this.decisionOf(row);
      if (!decision) return [];
      const model = isRecord(row.outputs) ? row.outputs : {};
      const before = Object.fromEntries(Object.keys(decision.outputs).map((name) => [name, model[name] ?? null]));
      return [{ ...this.summary(row, names), before, after: decision.outputs, changed: decision.changed, note: decision.note, set_id: decision.set_id, case_id: decision.case_id, revision: decision.revision }];
    });
  }
}

/** One decided item as exported. */
export type ReviewExportRow = ReviewItemSummary & { before: Record<string, unknown>; after: Record<string, unknown>; changed: string[]; note: string; set_id: string; case_id: string; revision: number };
