/**
 * The plan a job item runs: a published version's (through {@link PublishedScenarios}, cached there per
 * version, old versions included), or a frozen draft's: the graph stored in the job at submission,
 * compiled once and cached by its plan hash, so the jobs of one draft share a compile and a restart
 * compiles it again from the job row alone (the scenario's draft may have moved on since).
 */
import { LRUCache } from 'lru-cache';
import { parseJson } from '@shared/json.js';
import { compileGraph, type CompileOptions, type ExecutionPlan } from '../engine/index.js';
import type { PublishedScenarios, Resolution } from '../publish/registry.js';
import type { ClaimedItem } from '../storage/jobs.js';

/** Where a job's plan comes from: the job's identity as the runner claims it. */
export type PlanSource = Pick<ClaimedItem, 'jobId' | 'slug' | 'version' | 'graphHash'>;

/** A plan ready to run, or why there is none (`code` stable, `message` for the item's error). */
export type JobPlan = { plan: ExecutionPlan } | { error: { code: string; message: string } };

/** Frozen drafts' plans kept compiled; the least recently used is dropped beyond it. */
const FROZEN_CACHE_SIZE = 100;

/** Finds the plan of a job's items. One per runner. */
export class JobPlans {
  private readonly frozen = new LRUCache<string, ExecutionPlan>({ max: FROZEN_CACHE_SIZE });

  /**
   * @param published published versions by slug
   * @param frozenGraph the stored graph (JSON text) of a job of a frozen draft (`JobStore.frozenGraph`)
   * @param compile how a frozen draft is compiled again (template limits; model aliases are not checked,
   *   as for a stored version: the submission checked them)
   */
  constructor(
    private readonly published: PublishedScenarios,
    private readonly frozenGraph: (jobId: string) => Promise<string | undefined>,
    private readonly compile: CompileOptions = {},
  ) {}

  /** Seeds the cache with a draft's plan compiled at submission, so the first item does not compile it again. */
  remember(hash: string, plan: ExecutionPlan): void {
    if (!this.frozen.has(hash)) this.frozen.set(hash, plan);
  }

  /**
   * The plan for `source`. Failures are values, never throws: `unknown_scenario` / `unknown_version` /
   * `not_published` / `version_not_runnable` for a version, `draft_not_runnable` for a frozen draft
   * whose stored graph is missing or no longer compiles (a node kind removed from the server). A value
   * at once when the plan is at hand; a promise only when a frozen draft's graph must be read first.
   */
  planOf(source: PlanSource): JobPlan | Promise<JobPlan> {
    if (source.graphHash !== null) return this.frozenPlan(source.jobId, source.graphHash);
    const resolved = this.published.resolve(source.slug, source.version);
    return resolved instanceof Promise ? resolved.then((r) => versionPlan(source, r)) : versionPlan(source, resolved);
  }

  private frozenPlan(jobId: string, hash: string): JobPlan | Promise<JobPlan> {
    const hit = this.frozen.get(hash);
    if (hit) return { plan: hit };
    return this.frozenGraph(jobId).then((text) => this.compileFrozen(jobId, hash, text));
  }

  private compileFrozen(jobId: string, hash: string, text: string | undefined): JobPlan {
    const graph = text === undefined ? undefined : parseJson(text);
    if (graph === undefined) return { error: { code: 'draft_not_runnable', message: `job ${jobId} has no stored draft graph` } };
    const compiled = compileGraph(graph, this.compile);
    if (!compiled.ok) {
      const first = compiled.errors[0];
      return { error: { code: 'draft_not_runnable', message: `the job's frozen draft no longer compiles: ${first ? first.message : 'unknown problem'}` } };
    }
    // Keyed by the hash stored at submission (what the plan was then), which the job rows name.
    this.frozen.set(hash, compiled.plan);
    return { plan: compiled.plan };
  }
}

/** A published version's resolution as a job's plan. */
function versionPlan(source: PlanSource, resolved: Resolution): JobPlan {
  if ('error' in resolved) return { error: { code: resolved.error, message: `scenario "${source.slug}" version ${source.version} is not available (${resolved.error})` } };
  return { plan: resolved.plan };
}
