/**
 * The published-scenario lookup the `/v1` API uses on every request: slug (+ optional version) → the
 * compiled plan. Plans of published versions are immutable, so each is compiled once and cached; the
 * slug's owner and live version are read through a one-second cache (storage/slug-cache.ts), so a
 * publish or rollback from the UI takes effect at the next request, one from the CLI in another process
 * within a second.
 */
import { LRUCache } from 'lru-cache';
import { GraphSchema, type Graph } from '@shared/graph.js';
import { compileGraph, compileGraphAsync, type CompileOptions, type ExecutionPlan } from '../engine/index.js';
import type { Db } from '../storage/db.js';
import { findBySlug, getVersion, listLiveScenarios } from '../storage/versions.js';

/** A published version ready to run. */
export interface ResolvedScenario {
  scenarioId: string;
  slug: string;
  version: number;
  plan: ExecutionPlan;
  graph: Graph;
}

/** Why a lookup found nothing: no scenario has the slug; it has no such version; it was never published. */
export type ResolveError =
  | { error: 'unknown_scenario' | 'unknown_version' | 'not_published' }
  /** A stored version that no longer compiles (a node kind removed from the server, a graph an older version stored): a server fault, said plainly. */
  | { error: 'version_not_runnable'; message: string };

/** A live scenario with its compiled plan, for listings (the aggregate OpenAPI document). */
export interface LiveScenario extends ResolvedScenario {
  name: string;
}

interface CachedPlan {
  plan: ExecutionPlan;
  graph: Graph;
}

/** Default number of compiled plans kept; the least recently used is dropped beyond it. */
export const DEFAULT_PLAN_CACHE_SIZE = 500;

/** Resolves published scenarios by slug, caching compiled plans per (scenario, version). */
export class PublishedScenarios {
  private readonly cache: LRUCache<string, CachedPlan>;

  constructor(
    private readonly db: Db,
    private readonly compile: CompileOptions,
    maxCached = DEFAULT_PLAN_CACHE_SIZE,
  ) {
    this.cache = new LRUCache({ max: maxCached });
  }

  /**
   * The plan of `slug` at `version` (default: the live version). A stored version that no longer
   * compiles (for instance a node kind was removed from the server) is `version_not_runnable`, saying why.
   */
  resolve(slug: string, version?: number): ResolvedScenario | ResolveError {
    const scenario = findBySlug(this.db, slug);
    if (!scenario) return { error: 'unknown_scenario' };
    if (version === undefined) {
      if (scenario.liveVersion === null) return { error: 'not_published' };
      version = scenario.liveVersion;
    }
    let cached: CachedPlan | undefined;
    try {
      cached = this.load(scenario.id, version);
    } catch (error) {
      return { error: 'version_not_runnable', message: `version ${version} of "${slug}" cannot run: ${error instanceof Error ? error.message : String(error)}; publish the draft again` };
    }
    if (!cached) return { error: 'unknown_version' };
    return { scenarioId: scenario.id, slug, version, plan: cached.plan, graph: cached.graph };
  }

  /** Every scenario with a live version, by slug, with its compiled live plan (a version that no longer compiles is logged and left out). */
  listLive(): LiveScenario[] {
    const live: LiveScenario[] = [];
    for (const row of listLiveScenarios(this.db)) {
      let cached: CachedPlan | undefined;
      try {
        cached = this.load(row.id, row.liveVersion);
      } catch (error) {
        // One broken stored version must not take the whole listing (and the aggregate docs) down.
        console.error(`[mofang] skipping "${row.slug}":`, error instanceof Error ? error.message : error);
        continue;
      }
      if (cached) live.push({ scenarioId: row.id, slug: row.slug, name: row.name, version: row.liveVersion, plan: cached.plan, graph: cached.graph });
    }
    return live;
  }

  /**
   * Compiles a version into the cache with the event loop free between nodes ({@link compileGraphAsync}),
   * so the first API call after a publish or a rollback does not compile it on the request thread.
   * Never rejects: a version that does not compile is left for `resolve` to report.
   */
  async warm(scenarioId: string, version: number): Promise<void> {
    const key = `${scenarioId}\u0000${version}`;
    if (this.cache.has(key)) return;
    try {
      const row = getVersion(this.db, scenarioId, version);
      if (!row) return;
      const graph = GraphSchema.parse(row.graph);
      const compiled = await compileGraphAsync(graph, this.compile);
      if (compiled.ok && !this.cache.has(key)) this.cache.set(key, { plan: compiled.plan, graph });
    } catch {
      // resolve() compiles it again and reports what is wrong.
    }
  }

  /** Drops every cached plan (tests; never needed for correctness since versions are immutable). */
  clear(): void {
    this.cache.clear();
  }

  private load(scenarioId: string, version: number): CachedPlan | undefined {
    const key = `${scenarioId}\u0000${version}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const row = getVersion(this.db, scenarioId, version);
    if (!row) return undefined;
    const graph = GraphSchema.parse(row.graph);
    const compiled = compileGraph(graph, this.compile);
    if (!compiled.ok) {
      const first = compiled.errors[0];
      throw new Error(`published version ${version} of scenario ${scenarioId} no longer compiles: ${first ? first.message : 'unknown problem'}`);
    }
    const entry = { plan: compiled.plan, graph };
    this.cache.set(key, entry);
    return entry;
  }
}
