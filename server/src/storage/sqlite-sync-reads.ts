/**
 * Synchronous SQLite forms of reads whose repositories moved to the DataStore (./scenarios.ts,
 * ./versions.ts, ./publish-gates.ts, ./templates.ts), for callers of other domains that still run them in synchronous code: inside a
 * synchronous SQLite write transaction (`auditedChange` / `writeTransaction`), or in services whose
 * methods are not async yet (review outputs, alert settings, the dashboard, resuming live sessions),
 * where a promise cannot be awaited. SQLite only. Each goes with its last caller, when that domain
 * moves; new code uses the DataStore forms.
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from './db.js';
import { publishGates } from './schema-evaluation.js';
import { scenarios, scenarioVersions } from './schema.js';
import type { ScenarioOrigin } from './templates.js';
import type { PublishGateRow } from './publish-gates.js';
import { toScenario } from './scenarios.js';
import type { Scenario } from '@shared/api.js';
import { slugCacheOf, type SlugFound, type VersionRow } from './versions.js';

/** `gateUsingSet` of ./publish-gates.ts, synchronously on SQLite (evaluation/sets.ts deletes a set inside `auditedChange`). */
export function gateUsingSetSync(db: Db, setId: string): PublishGateRow | undefined {
  return db.select().from(publishGates).where(eq(publishGates.setId, setId)).get();
}

/** `findBySlug` of ./versions.ts, synchronously on SQLite, through the same cache. */
export function findBySlugSync(db: Db, slug: string): SlugFound | undefined {
  const cache = slugCacheOf({ db });
  const hit = cache.get(slug);
  if (hit) return hit.owner ?? undefined;
  const row = db.select({ id: scenarios.id, liveVersion: scenarios.liveVersion }).from(scenarios).where(eq(scenarios.slug, slug)).get();
  const owner = row ?? null;
  cache.set(slug, owner);
  return owner ?? undefined;
}

/** `getVersion` of ./versions.ts, synchronously on SQLite. */
export function getVersionSync(db: Db, scenarioId: string, version: number): VersionRow | undefined {
  return db
    .select()
    .from(scenarioVersions)
    .where(and(eq(scenarioVersions.scenarioId, scenarioId), eq(scenarioVersions.version, version)))
    .get();
}

/** `getScenario` of ./scenarios.ts, synchronously on SQLite. */
export function getScenarioSync(db: Db, id: string): Scenario | undefined {
  const row = db.select().from(scenarios).where(eq(scenarios.id, id)).get();
  return row ? toScenario(row) : undefined;
}

/** `getScenarioOrigin` of ./templates.ts, synchronously on SQLite (evaluation/sets.ts: the sets a scenario's template ships). */
export function getScenarioOriginSync(db: Db, scenarioId: string): ScenarioOrigin | undefined {
  return db.select({ id: scenarios.id, templateId: scenarios.templateId, templateVersion: scenarios.templateVersion }).from(scenarios).where(eq(scenarios.id, scenarioId)).get();
}
