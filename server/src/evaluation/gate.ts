/**
 * The publish gate as a domain service (no HTTP): a scenario's gate (set, metric, minimum, largest drop
 * from the live version), and the check a publish makes first. A check reuses a completed evaluation run
 * of the same plan (`graph_hash`) on the set's latest revision, or starts one (the draft; the live version
 * when the gate has a largest drop) and says `evaluating` until every run it needs has completed.
 * Refusals are {@link DomainError}s. See `@shared/publish-gate` for the shapes.
 */
import type { GateCase, GateCheck, GateFailure, GateSide, PublishGate, PublishGateState, VersionGate } from '@shared/publish-gate.js';
import { DomainError } from '../common/domain-error.js';
import { compileGraphAsync, type CompileResult } from '../engine/index.js';
import { evalRunsOfPlan, type EvalRunRow } from '../storage/eval-runs.js';
import { getEvalSet } from '../storage/evaluation.js';
import { deletePublishGate, getPublishGate, putPublishGate, type PublishGateRow } from '../storage/publish-gates.js';
import { getPublishState, getVersion } from '../storage/versions.js';
import type { DataStore } from '../storage/store.js';
import type { MetricKind, MetricPlan } from '@shared/evaluation-metrics.js';
import { isLowerBetter, KIND_METRICS, planMetrics, plannedMetricNames } from './metrics/index.js';
import { valueKey } from './metrics/normalize.js';
import { storedMetrics, type EvaluationRuns } from './runs.js';
import { overridesOf } from './metric-settings.js';

/** How many of the draft's wrong cases a failed check lists. */
export const WORST_CASES = 10;
/** Values this close count as equal (metrics are ratios of whole counts, so rounding is far above this). */
const EPSILON = 1e-9;

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** The gate of a row, as the API shows it. */
export function gateOf(row: PublishGateRow): PublishGate {
  return { set_id: row.setId, metric: row.metric, min: row.min, max_drop: row.maxDrop };
}

/** The output a flat metric name belongs to: the text before its first dot (`risk.accuracy` → `risk`). */
export function metricOutput(metric: string): string {
  const dot = metric.indexOf('.');
  return dot > 0 ? metric.slice(0, dot) : metric;
}

/**
 * The failures of a draft's value against a gate: below `min`, undefined (null), or lower than the live
 * value by more than `max_drop` (only when the live value is known). Empty when the gate passes.
 */
export function gateFailures(gate: PublishGate, value: number | null, liveValue: number | null): GateFailure[] {
  if (value === null) return [{ rule: 'undefined_value', value: null, bar: gate.min, live_value: liveValue, drop: null }];
  const failures: GateFailure[] = [];
  if (gate.min !== null && value < gate.min - EPSILON) failures.push({ rule: 'min', value, bar: gate.min, live_value: liveValue, drop: null });
  if (gate.max_drop !== null && liveValue !== null && liveValue - value > gate.max_drop + EPSILON) {
    failures.push({ rule: 'max_drop', value, bar: liveValue - gate.max_drop, live_value: liveValue, drop: liveValue - value });
  }
  return failures;
}

/** How a check runs: whether it may start runs, as whom, and who hears of each run it starts (the audit log). */
export interface GateCheckOptions {
  start: boolean;
  by: { id: string; name: string };
  /** An admin publishes past the gate: a gate that cannot be checked (its set gone or empty) fails instead of throwing. */
  override?: boolean;
  /** The draft as the caller already compiled it (the publish route has), so it is not compiled again. */
  compiled?: CompileResult;
  /** Awaited before the check goes on, when it returns a promise. */
  onStarted?: (run: EvalRunRow) => void | Promise<void>;
}

/** Per-class / per-field / per-item metric names (`<output>.<metric>[<key>]`) each kind gives. */
const KEYED: Partial<Record<MetricKind, readonly string[]>> = { label: ['precision', 'recall', 'f1'], form: ['precision', 'recall', 'f1', 'exact_match'], audit: ['agreement', 'kappa'] };

/**
 * Whether a flat metric name is one the plan can give: an aggregate of an output's kind, or a keyed name
 * of a label output (its declared classes, any class when it declares none), a form (its declared fields,
 * any when open) or an audit (any item id).
 */
export function gateableMetric(plan: MetricPlan, metric: string): boolean {
  const m = /^([^.[\]]+)\.([a-z0-9_]+)(?:\[(.+)\])?$/.exec(metric);
  const output = m ? plan.outputs.find((o) => o.output === m[1]) : undefined;
  if (!m || !output) return false;
  const [, , name, key] = m;
  if (key === undefined) return KIND_METRICS[output.kind].includes(name);
  if (!(KEYED[output.kind] ?? []).includes(name)) return false;
  if (output.kind === 'label' && output.labels?.length) return output.labels.some((l) => valueKey(l, output.normalizer) === key);
  if (output.kind === 'form' && output.fields?.length) return output.fields.some((f) => f.name === key);
  return true;
}

/** The values a gated metric can take: kappa in [−1, 1], every other gateable metric in [0, 1]. */
export function metricRange(metric: string): [number, number] {
  return /\.kappa(\[.*\])?$/.test(metric) ? [-1, 1] : [0, 1];
}

/** The scenarios' publish gates, checked on the runs of {@link EvaluationRuns}. */
export class PublishGates {
  /** Starts under way, by `set:revision:hash`: two checks at once start one run. */
  private readonly starting = new Map<string, Promise<EvalRunRow>>();

  constructor(readonly runs: EvaluationRuns) {}

  private get store(): DataStore {
    return this.runs.store;
  }

  private async compileDraft(scenarioId: string): Promise<CompileResult> {
    const state = await getPublishState(this.store, scenarioId);
    if (!state) throw new DomainError('not_found', 'not_found', `no scenario with id "${scenarioId}"`);
    return compileGraphAsync(state.graph, this.runs.compile());
  }

  /** The gate of a scenario and the metric names its draft can be gated on. Throws `not_found`. */
  async state(scenarioId: string): Promise<PublishGateState> {
    const compiled = await this.compileDraft(scenarioId);
    const metrics = compiled.ok ? plannedMetricNames(planMetrics(compiled.plan.outputSchema.properties ?? {})).filter((m) => !isLowerBetter(m)) : [];
    const row = await getPublishGate(this.store, scenarioId);
    const set = row ? await getEvalSet(this.store, row.setId) : undefined;
    return { gate: row ? gateOf(row) : null, set_name: set?.name ?? null, updated_by: row?.updatedBy ?? null, updated_at: iso(row?.updatedAt), metrics };
  }

  /**
   * Sets a scenario's gate. Throws `not_found`; `not_found` `unknown_eval_set` (no such set of this
   * scenario); `invalid` `bar_direction` (an error metric, lower is better); `invalid` `unknown_metric`
   * when the draft compiles and gives no such metric (`details.known`); `invalid` `gate_out_of_range` (a
   * minimum outside the metric's range, or a drop larger than it); `invalid` `empty_eval_set`; `invalid`
   * `gate_output_not_in_set` (no case of the set's latest revision expects the metric's output).
   */
  async set(scenarioId: string, gate: PublishGate, by: string, now = Date.now()): Promise<PublishGateRow> {
    const compiled = await this.compileDraft(scenarioId);
    const set = await getEvalSet(this.store, gate.set_id);
    if (!set || set.scenarioId !== scenarioId) throw new DomainError('not_found', 'unknown_eval_set', `the scenario has no evaluation set with id "${gate.set_id}"`);
    if (isLowerBetter(gate.metric)) throw new DomainError('invalid', 'bar_direction', `"${gate.metric}" is an error (lower is better): a gate cannot require a minimum of it`, { metric: gate.metric });
    if (compiled.ok) {
      const plan = planMetrics(compiled.plan.outputSchema.properties ?? {}, await overridesOf(this.store, set.id));
      if (!gateableMetric(plan, gate.metric)) throw new DomainError('invalid', 'unknown_metric', `the draft gives no metric "${gate.metric}"`, { metric: gate.metric, known: plannedMetricNames(plan).filter((m) => !isLowerBetter(m)) });
    }
    const [low, high] = metricRange(gate.metric);
    if (gate.min !== null && (gate.min < low || gate.min > high)) throw new DomainError('invalid', 'gate_out_of_range', `a minimum of ${gate.metric} must lie between ${low} and ${high}`, { metric: gate.metric, low, high, field: 'min' });
    if (gate.max_drop !== null && gate.max_drop > high - low) throw new DomainError('invalid', 'gate_out_of_range', `the largest drop of ${gate.metric} must lie between 0 and ${high - low}`, { metric: gate.metric, low: 0, high: high - low, field: 'max_drop' });
    const cases = await this.runs.sets.casesOf(set.id);
    if (cases.length === 0) throw new DomainError('invalid', 'empty_eval_set', `the set "${set.name}" has no cases: a gate on it could never be checked`, { revision: set.revision });
    const output = metricOutput(gate.metric);
    if (!cases.some((c) => Object.hasOwn(c.expected, output))) {
      throw new DomainError('invalid', 'gate_output_not_in_set', `no case of the set "${set.name}" expects the output "${output}", so ${gate.metric} would have no value`, { output, set: set.name });
    }
    return putPublishGate(this.store, { scenarioId, setId: set.id, metric: gate.metric, min: gate.min, maxDrop: gate.max_drop, updatedBy: by, updatedAt: now });
  }

  /** Removes a scenario's gate (through `store`: a caller's transaction, or the app's store); the removed gate, or undefined when there was none. */
  remove(scenarioId: string, store: DataStore = this.store): Promise<PublishGateRow | undefined> {
    return deletePublishGate(store, scenarioId);
  }

  /**
   * Checks the draft against the gate. With `start`, runs it needs and cannot reuse are started (as
   * `by`); without, a missing run reads as not started. Throws `not_found`, `conflict`
   * `gate_set_missing` (the gate's set was deleted), `invalid` `empty_eval_set`, `unprocessable`
   * `compile_failed`, and the refusals of {@link EvaluationRuns.startRun}.
   */
  async check(scenarioId: string, options: GateCheckOptions): Promise<GateCheck> {
    const row = await getPublishGate(this.store, scenarioId);
    const none: GateCheck = { status: 'no_gate', gate: null, set_name: null, set_revision: null, draft: null, live: null, failures: [], worst_cases: [], compare: null };
    if (!row) return none;
    const gate = gateOf(row);
    const set = await getEvalSet(this.store, row.setId);
    const noCases = !set || set.scenarioId !== scenarioId || (await this.runs.sets.casesOf(set.id)).length === 0;
    // An admin's override needs no evaluation: a gate that cannot be checked does not stop it.
    if (noCases && options.override) return { ...none, status: 'failed', gate, set_name: set?.name ?? null, set_revision: set?.revision ?? null, failures: [{ rule: 'no_cases', value: null, bar: gate.min, live_value: null, drop: null }] };
    if (!set || set.scenarioId !== scenarioId) throw new DomainError('conflict', 'gate_set_missing', 'the publish gate names an evaluation set that no longer exists; an admin must choose another or remove the gate', { set_id: row.setId });
    if (noCases) throw new DomainError('invalid', 'empty_eval_set', `the gate's set "${set.name}" has no cases; add cases, or an admin removes the gate or publishes past it`, { revision: set.revision });
    const compiled = options.compiled ?? (await this.compileDraft(scenarioId));
    if (!compiled.ok) throw new DomainError('unprocessable', 'compile_failed', `the draft does not compile (${compiled.errors.length} problems)`, { errors: compiled.errors });
    const state = await getPublishState(this.store, scenarioId);
    const live = state?.liveVersion != null ? await getVersion(this.store, scenarioId, state.liveVersion) : undefined;
    const revision = set.revision;
    const needLive = gate.max_drop !== null && live !== undefined && live.planHash !== compiled.plan.hash;
    const draftRun = await this.runFor(scenarioId, { setId: set.id, setRevision: revision, graphHash: compiled.plan.hash }, { draft: true }, options);
    const liveRun = needLive && live ? await this.runFor(scenarioId, { setId: set.id, setRevision: revision, graphHash: live.planHash }, { version: live.version }, options) : undefined;
    const draft = await this.side(draftRun, null, compiled.plan.hash, gate.metric);
    const liveSide = needLive && live ? await this.side(liveRun, live.version, live.planHash, gate.metric) : null;
    const base = { gate, set_name: set.name, set_revision: revision, draft, live: liveSide, compare: null };
    const sides = [draft, ...(liveSide ? [liveSide] : [])];
    if (sides.some((s) => s.status === 'failed' || s.status === 'cancelled')) {
      return { ...base, status: 'failed', failures: [{ rule: 'run_failed', value: null, bar: gate.min, live_value: null, drop: null }], worst_cases: [] };
    }
    if (sides.some((s) => s.status === null)) return { ...base, status: options.start ? 'evaluating' : 'not_started', failures: [], worst_cases: [] };
    if (sides.some((s) => s.status !== 'completed')) return { ...base, status: 'evaluating', failures: [], worst_cases: [] };
    const failures = gateFailures(gate, draft.value, liveSide?.value ?? null);
    const compare = liveRun && draftRun ? { a: liveRun.id, b: draftRun.id } : null;
    return { ...base, compare, status: failures.length ? 'failed' : 'passed', failures, worst_cases: failures.length && draftRun ? await this.worstCases(draftRun, liveRun, gate.metric) : [] };
  }

  /** The newest usable run of a plan on a revision; with `start`, one is started when none is. */
  private async runFor(scenarioId: string, where: { setId: string; setRevision: number; graphHash: string }, target: { draft: true } | { version: number }, options: GateCheckOptions): Promise<EvalRunRow | undefined> {
    const rows = await evalRunsOfPlan(this.store, where);
    // A completed run is reused, one under way followed; the newest having failed to score is reported
    // (starting it again would fail again: someone looks first); only a cancelled one is started anew.
    const usable = rows.find((r) => r.status === 'completed') ?? rows.find((r) => r.status === 'queued' || r.status === 'running') ?? (rows[0]?.status === 'failed' ? rows[0] : undefined);
    if (usable || !options.start) return usable ?? rows[0];
    const key = `${where.setId}:${where.setRevision}:${where.graphHash}`;
    const under = this.starting.get(key);
    if (under) return under;
    const work = this.runs.startRun(scenarioId, { setId: where.setId, revision: where.setRevision, target }, options.by).then(async (r) => {
      await options.onStarted?.(r.run);
      return r.run;
    });
    this.starting.set(key, work);
    try {
      return await work;
    } finally {
      this.starting.delete(key);
    }
  }

  private async side(row: EvalRunRow | undefined, version: number | null, planHash: string, metric: string): Promise<GateSide> {
    if (!row) return { version, plan_hash: planHash, run_id: null, status: null, done: 0, total: 0, value: null, simulated: false };
    const summary = await this.runs.summary(row);
    const value = summary.metrics?.[metric];
    return { version, plan_hash: planHash, run_id: row.id, status: summary.status, done: summary.done, total: summary.total, value: typeof value === 'number' ? value : null, simulated: summary.simulated };
  }

  /** The draft's cases wrong on the gated output, those the live version got right first. */
  private async worstCases(draftRun: EvalRunRow, liveRun: EvalRunRow | undefined, metric: string): Promise<GateCase[]> {
    const output = metricOutput(metric);
    const liveRight = new Map<string, { right: boolean; runId: string | null }>();
    if (liveRun) {
      const liveMetrics = storedMetrics(liveRun);
      const runIds = new Map((await this.runs.cases(liveRun.id)).map((c) => [c.id, c.run_id]));
      for (const c of liveMetrics?.per_case ?? []) liveRight.set(c.id, { right: c.outputs[output]?.correct === true, runId: runIds.get(c.id) ?? null });
    }
    const wrong = (await this.runs.cases(draftRun.id))
      .filter((c) => c.outputs[output] ? c.outputs[output].correct === false : c.status !== 'succeeded' && output in c.expected)
      .map((c): GateCase => ({ id: c.id, run_id: c.run_id, live_run_id: liveRight.get(c.id)?.runId ?? null, regressed: liveRight.get(c.id)?.right === true, expected: c.expected[output], actual: c.actual?.[output] ?? null }));
    wrong.sort((a, b) => Number(b.regressed) - Number(a.regressed));
    return wrong.slice(0, WORST_CASES);
  }
}

/** What a version stores of the gate it went live through: passed, or overridden by `by` with `note`. */
export function versionGate(check: GateCheck, override?: { note: string; by: string }): VersionGate | undefined {
  if (!check.gate) return undefined;
  const record: VersionGate = {
    status: override && check.status !== 'passed' ? 'overridden' : 'passed',
    metric: check.gate.metric,
    min: check.gate.min,
    max_drop: check.gate.max_drop,
    set_id: check.gate.set_id,
    set_name: check.set_name,
    set_revision: check.set_revision,
    value: check.draft?.value ?? null,
    live_version: check.live?.version ?? null,
    live_value: check.live?.value ?? null,
    run_id: check.draft?.run_id ?? null,
  };
  if (record.status === 'overridden' && override && check.status !== 'no_gate') {
    record.check_status = check.status;
    record.override_note = override.note;
    record.override_by = override.by;
  }
  return record;
}
