/**
 * The end outputs a scenario's rules are checked against: the live version's (with the JSON Schema its
 * compiled plan gives each), else the draft's (each output's declared type as a schema). Human review's
 * rules and live alert rules (server/src/sessions) read them the same way.
 */
import { storedGraph, type Graph } from '@shared/graph.js';
import { schemaForType, VALUE_TYPES, type JsonSchema, type ValueType } from '@shared/json-schema.js';
import type { ReviewRulesReply } from '@shared/review.js';
import { DomainError } from '../common/domain-error.js';
import { caseTargets } from '../evaluation/targets.js';
import type { PublishedScenarios, Resolution } from '../publish/registry.js';
import type { Db } from '../storage/db.js';
import { getScenarioSync } from '../storage/sqlite-sync-reads.js';
import { getScenario } from '../storage/scenarios.js';
import type { DataStore } from '../storage/store.js';
import type { Scenario } from '@shared/api.js';
import type { EndOutput } from './rules.js';

/** A scenario's end outputs, its start inputs, the graph they were read from and which one it was. */
export interface ScenarioOutputs {
  outputs: EndOutput[];
  inputs: Array<{ name: string; type: string }>;
  graph: Graph;
  checked: ReviewRulesReply['checked_against'];
}

/**
 * The end outputs of version `version` (default: the live one) of a scenario, else of its draft when it
 * has none. Throws `not_found` for an unknown scenario.
 */
export function scenarioOutputs(db: Db, published: PublishedScenarios, scenarioId: string, version?: number): ScenarioOutputs {
  const scenario = getScenarioSync(db, scenarioId);
  if (!scenario) throw new DomainError('not_found', 'not_found', `no scenario with id "${scenarioId}"`);
  return outputsOf(scenario, scenario.slug ? published.resolveSync(scenario.slug, version) : undefined);
}

/** {@link scenarioOutputs} on either store. Rejects with `not_found` for an unknown scenario. */
export async function scenarioOutputsIn(store: DataStore, published: PublishedScenarios, scenarioId: string, version?: number): Promise<ScenarioOutputs> {
  const scenario = await getScenario(store, scenarioId);
  if (!scenario) throw new DomainError('not_found', 'not_found', `no scenario with id "${scenarioId}"`);
  return outputsOf(scenario, scenario.slug ? await published.resolve(scenario.slug, version) : undefined);
}

function outputsOf(scenario: Scenario, resolved: Resolution | undefined): ScenarioOutputs {
  if (resolved && !('error' in resolved)) {
    const targets = caseTargets(resolved.graph);
    const schemas = resolved.plan.outputSchema.properties ?? {};
    return { outputs: targets.outputs.map((o) => ({ ...o, schema: schemas[o.name] ?? {} })), inputs: targets.inputs, graph: resolved.graph, checked: { kind: 'live', version: resolved.version } };
  }
  const graph = storedGraph(scenario.graph);
  const targets = caseTargets(graph);
  const schemaOf = (type: string): JsonSchema => ((VALUE_TYPES as readonly string[]).includes(type) ? schemaForType(type as ValueType) : {});
  return { outputs: targets.outputs.map((o) => ({ ...o, schema: schemaOf(o.type) })), inputs: targets.inputs, graph, checked: { kind: 'draft', version: null } };
}
