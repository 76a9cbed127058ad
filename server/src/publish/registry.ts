/**
 * The published-scenario lookup the `/v1` API uses on every request: slug (+ optional version) → the
 * compiled plan. Plans of published versions are immutable, so each is compiled once and cached; the
 * slug's owner and live version are read through a one-second cache (storage/slug-cache.ts), so a
 * publish or rollback from the UI takes effect at the next request, one from the CLI in another process
 * (or another server over the same PostgreSQL) within a second. A lookup whose slug and plan are cached is
 * answered at once, not as a promise (the `/v1` hot path); only a miss waits for the store.
 */
import { loggableMessage } from '../storage/db-errors.js';
import { LRUCache } from 'lru-cache';
import { GraphSchema, type Graph } from '@shared/graph.js';
import { compileGraph, compileGraphAsync, type CompileOptions, type ExecutionPlan } from '../engine/index.js';
import type { DataStore } from '../storage/store.js';
import { findBySlug, getVersion, listLiveScenarios, type SlugFound } from '../storage/versions.js';

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

/** What {@link PublishedScenarios.resolve} answers. */
export type Resolution = ResolvedScenario | ResolveError;

interface CachedPlan {
  plan: ExecutionPlan;
  graph: Graph;
}

/** Default number of compiled plans kept; the least recently used is dropped beyond it. */
export const DEFAULT_PLAN_CACHE_SIZE = 500;

/** Resolves published scenarios by slug, caching compiled plans per (scenario, version). */
export class PublishedScenarios {
  private readonly cache: LRUCache<string, CachedPlan>;
  /** Plans being read and compiled after a miss, so a burst of requests for one version compiles it once. */
  private readonly loading = new Map<string, Promise<CachedPlan | undefined>>();

  constructor(
    private readonly store: DataStore,
    private readonly compile: CompileOptions,
    maxCached = DEFAULT_PLAN_CACHE_SIZE,
  ) {
    this.cache = new LRUCache({ max: maxCached });
  }

  /**
   * The plan of `slug` at `version` (default: the live version): at once when the slug's owner and the
   * plan are cached, else a promise. A stored version that no longer compiles (for instance a node kind
   * was removed from the server) is `version_not_runnable`, saying why.
   */
  resolve(slug: string, version?: number): Resolution | Promise<Resolution> {
    const owner = findBySlug(this.store, slug);
    return owner instanceof Promise ? owner.then((found) => this.planOf(slug, found, version)) : this.planOf(slug, owner, version);
  }

  private planOf(slug: string, scenario: SlugFound | undefined, version: number | undefined): Resolution | Promise<Resolution> {
    if (!scenario) return { error: 'unknown_scenario' };
    if (version === undefined) {
      if (scenario.liveVersion === null) return { error: 'not_published' };
      version = scenario.liveVersion;
    }
    const pinned = version;
    const resolved = (cached: CachedPlan | undefined): Resolution =>
      cached ? { scenarioId: scenario.id, slug, version: pinned, plan: cached.plan, graph: cached.graph } : { error: 'unknown_version' };
    const notRunnable = (error: unknown): Resolution => ({
      error: 'version_not_runnable',
      message: `version ${pinned} of "${slug}" cannot run: ${error instanceof Error ? error.message : String(error)}; publish the draft again`,
    });
    const hit = this.cache.get(planKey(scenario.id, pinned));
    if (hit) return resolved(hit);
    return this.load(scenario.id, pinned).then(resolved, notRunnable);
  }

  /** Every scenario with a live version, by slug, with its compiled live plan (a version that no longer compiles is logged and left out). */
  async listLive(): Promise<LiveScenario[]> {
    const live: LiveScenario[] = [];
    for (const row of await listLiveScenarios(this.store)) {
      let cached: CachedPlan | undefined;
      try {
        cached = this.cache.get(planKey(row.id, row.liveVersion)) ?? (await this.load(row.id, row.liveVersion));
      } catch (error) {
        // One broken stored version must not take the whole listing (and the aggregate docs) down.
        console.error(`[mofang] skipping "${row.slug}":`, loggableMessage(error));
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
    const key = planKey(scenarioId, version);
    if (this.cache.has(key)) return;
    try {
      const row = await getVersion(this.store, scenarioId, version);
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

  /** Reads and compiles a version into the cache (once for concurrent callers); undefined when there is none, rejects when it no longer compiles. */
  private load(scenarioId: string, version: number): Promise<CachedPlan | undefined> {
    const key = planKey(scenarioId, version);
    let loading = this.loading.get(key);
    if (!loading) {
      loading = this.read(key, scenarioId, version).finally(() => this.loading.delete(key));
      this.loading.set(key, loading);
    }
    return loading;
  }

  private async read(key: string, scenarioId: string, version: number): Promise<CachedPlan | undefined> {
    const row = await getVersion(this.store, scenarioId, version);
    return row ? this.compiled(key, scenarioId, version, row.graph) : undefined;
  }

  /** Compiles a stored version's graph into the cache; throws when it no longer compiles. */
  private compiled(key: string, scenarioId: string, version: number, stored: unknown): CachedPlan {
    const graph = GraphSchema.parse(stored);
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

function planKey(scenarioId: string, version: number): string {
  return `${scenarioId}\u0000${version}`;
}
