/**
 * What `mofang eval` evaluates and with which model: a graph file (a draft) or a published scenario's
 * version from the data directory, compiled as `mofang run` compiles; the model endpoints the server
 * would use (the environment's, then the data directory's stored ones), else the simulator.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { SLUG_PATTERN } from '@shared/publish.js';
import type { AppConfig as Config } from '../config.js';
import { compileGraph, type ExecutionPlan } from '../engine/index.js';
import type { ConfiguredModelResolver } from '../model/registry.js';
import type { EngineServices } from '../nodes/kit.js';
import { openAppStore, type AppDataStore } from '../storage/app-store.js';
import { findBySlug, getVersion } from '../storage/versions.js';
import { CliError } from './errors.js';
import { readGraphFile } from './compile-command.js';

/** The target as the result names it: `{ graph }` for a file, `{ slug, version }` for a published version; both with the plan's hash. */
export type EvalTargetInfo = { graph: string; plan_hash: string } | { slug: string; version: number; plan_hash: string };

/** A compiled target and what it was compiled from. */
export interface EvalTarget {
  info: EvalTargetInfo;
  plan: ExecutionPlan;
  /** The published scenario's id (a slug target), where its stored evaluation sets are found. */
  scenarioId?: string;
}

/** Most concurrent cases when the default endpoint sets no maxConcurrency (the simulator, or an adaptive endpoint). */
export const DEFAULT_CASE_CONCURRENCY = 8;

/** True when `target` names a graph file (a path, a `.json` name, or a file that exists) rather than a slug. */
export function isGraphFile(target: string): boolean {
  return target.endsWith('.json') || target.includes('/') || target.includes(path.sep) || existsSync(target);
}

/**
 * The store a server with this configuration uses (PostgreSQL with `MOFANG_DATABASE_URL`, else the data
 * directory's SQLite file) when it exists (always for a slug); undefined for a graph file without one.
 */
export async function openStoreFor(config: Config, needed: boolean): Promise<AppDataStore | undefined> {
  if (!needed && !config.database && !existsSync(path.join(config.dataDir, 'mofang.db'))) return undefined;
  return openAppStore(config, { maxConnections: 2 });
}

/**
 * Reads and compiles the target with the CLI's template limits and, as `mofang run` does, the model aliases
 * the endpoints serve (undefined: not checked, only the simulator answers).
 *
 * @param version a published version number; only with a slug (default: the live version)
 * @throws CliError for a missing or broken file, an unknown slug or version, `--version` with a file, or
 *   a graph that does not compile (its problems listed)
 */
export async function loadTarget(target: string, version: number | undefined, store: AppDataStore | undefined, services: EngineServices, modelAliases?: string[]): Promise<EvalTarget> {
  let graph: unknown;
  let named: { graph: string } | { slug: string; version: number };
  let scenarioId: string | undefined;
  if (isGraphFile(target)) {
    if (version !== undefined) throw new CliError(`--version applies to a published scenario's slug, not to the graph file "${target}"`);
    graph = await readGraphFile(target);
    named = { graph: target };
  } else {
    if (!SLUG_PATTERN.test(target)) throw new CliError(`"${target}" is neither a graph file nor a valid slug (2–63 lowercase letters, digits or dashes)`);
    if (!store) throw new CliError('no data directory to find published scenarios in (MOFANG_DATA_DIR)');
    const found = await findBySlug(store, target);
    if (!found) throw new CliError(`no published scenario "${target}" in ${store.where}; pass a graph file to evaluate a draft`);
    const wanted = version ?? found.liveVersion;
    if (wanted === null) throw new CliError(`"${target}" has no live version; pass --version N`);
    const row = await getVersion(store, found.id, wanted);
    if (!row) throw new CliError(`"${target}" has no version ${wanted}`);
    graph = row.graph;
    named = { slug: target, version: wanted };
    scenarioId = found.id;
  }
  const compiled = compileGraph(graph, { templateLimits: services.templateLimits, modelAliases });
  if (!compiled.ok) {
    const list = compiled.errors.slice(0, 10).map((e) => `\n  ${e.nodeId ? `${e.nodeId}: ` : ''}${e.message}`).join('');
    throw new CliError(`${'graph' in named ? `"${target}"` : `${target} version ${named.version}`} does not compile (${compiled.errors.length} problem${compiled.errors.length === 1 ? '' : 's'}):${list}`);
  }
  return { info: { ...named, plan_hash: compiled.plan.hash }, plan: compiled.plan, scenarioId };
}

/** How many cases run at once by default: the default endpoint's maxConcurrency, else {@link DEFAULT_CASE_CONCURRENCY}. */
export function defaultConcurrency(models: ConfiguredModelResolver): number {
  const endpoint = models.config.endpoints.find((e) => e.name === models.config.default);
  return endpoint && endpoint.kind !== 'simulator' && endpoint.maxConcurrency ? endpoint.maxConcurrency : DEFAULT_CASE_CONCURRENCY;
}
