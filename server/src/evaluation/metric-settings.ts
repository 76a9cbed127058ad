/**
 * How an evaluation set's runs are scored: the metric the planner chooses for each end output by its
 * type, and a designer's overrides of it, stored with the set (`eval_sets.metrics`). Runs of the set,
 * the publish gate and `mofang eval --set <name>` all score with the overrides. Refusals are DomainErrors.
 */
import { MetricOverridesSchema, type MetricOverrides, type MetricPlan, type MetricSettings, type OutputPlanView } from '@shared/evaluation-metrics.js';
import { DomainError } from '../common/domain-error.js';
import { compileGraphAsync, type CompileOptions } from '../engine/index.js';
import type { JsonSchema } from '@shared/json-schema.js';
import { getEvalSet, setEvalSetMetrics, type EvalSetRow } from '../storage/evaluation.js';
import { getPublishState } from '../storage/versions.js';
import type { DataStore } from '../storage/store.js';
import { planMetrics } from './metrics/index.js';

/** A set's stored overrides, read defensively (a damaged or older value reads as none). */
export function storedOverrides(set: Pick<EvalSetRow, 'metrics'> | undefined): MetricOverrides {
  const parsed = MetricOverridesSchema.safeParse(set?.metrics ?? {});
  return parsed.success ? parsed.data : {};
}

/** The overrides of set `setId` (none for an unknown set). */
export async function overridesOf(store: DataStore, setId: string): Promise<MetricOverrides> {
  return storedOverrides(await getEvalSet(store, setId));
}

/** A plan as the API shows it (snake_case). */
export function planView(plan: MetricPlan): OutputPlanView[] {
  return plan.outputs.map(({ passAt, ...rest }) => ({ ...rest, ...(passAt === undefined ? {} : { pass_at: passAt }) }));
}

async function draftOutputs(store: DataStore, scenarioId: string, compile: CompileOptions): Promise<Record<string, JsonSchema>> {
  const state = await getPublishState(store, scenarioId);
  if (!state) throw new DomainError('not_found', 'not_found', `no scenario with id "${scenarioId}"`);
  const compiled = await compileGraphAsync(state.graph, compile);
  if (!compiled.ok) throw new DomainError('unprocessable', 'compile_failed', `the draft does not compile (${compiled.errors.length} problems): its outputs' metrics cannot be planned`, { errors: compiled.errors });
  return compiled.plan.outputSchema.properties ?? {};
}

async function mustGetSet(store: DataStore, setId: string): Promise<EvalSetRow> {
  const set = await getEvalSet(store, setId);
  if (!set) throw new DomainError('not_found', 'unknown_eval_set', `no evaluation set with id "${setId}"`);
  return set;
}

/** The set's overrides and the plan of the scenario's draft with and without them. Throws `unknown_eval_set`, `compile_failed`. */
export async function metricSettings(store: DataStore, setId: string, compile: CompileOptions): Promise<MetricSettings> {
  const set = await mustGetSet(store, setId);
  const outputs = await draftOutputs(store, set.scenarioId, compile);
  const overrides = storedOverrides(set);
  return { overrides, plan: planView(planMetrics(outputs, overrides)), default_plan: planView(planMetrics(outputs)) };
}

/**
 * Stores a set's overrides (replacing the old ones; `{}` clears them) and returns the settings. Throws
 * `unknown_eval_set`, `compile_failed`, `invalid` `unknown_expected_output` (an override of an output
 * the draft does not have; `details.allowed`).
 */
export async function saveMetricOverrides(store: DataStore, setId: string, overrides: MetricOverrides, compile: CompileOptions): Promise<MetricSettings> {
  const set = await mustGetSet(store, setId);
  const outputs = await draftOutputs(store, set.scenarioId, compile);
  const allowed = Object.keys(outputs);
  for (const name of Object.keys(overrides)) {
    if (!allowed.includes(name)) throw new DomainError('invalid', 'unknown_expected_output', `the scenario has no output "${name}" to score (outputs: ${allowed.join(', ')})`, { path: name, allowed: allowed.join(', ') });
  }
  await setEvalSetMetrics(store, set.id, Object.keys(overrides).length ? overrides : null);
  return metricSettings(store, setId, compile);
}
