/**
 * The rules of publishing, shared by the HTTP routes and the CLI: a draft that compiles becomes
 * immutable version max+1 and goes live; the slug is chosen once; rollback makes an older version live.
 */
import { SLUG_PATTERN, type Publication, type PublishReply, type RollbackReply } from '@shared/publish.js';
import type { VersionGate } from '@shared/publish-gate.js';
import { compileGraph, compileGraphAsync, type CompileOptions, type CompileResult } from '../engine/index.js';
import { isUniqueViolation } from '../storage/db-errors.js';
import type { DataStore } from '../storage/store.js';
import { getPublishState, getVersion, insertVersion, listVersions, setLiveVersion, slugTaken } from '../storage/versions.js';
import { DomainError, type DomainErrorKind } from '../common/domain-error.js';

/** A refused publishing operation: a {@link DomainError} with one of publishing's stable codes. */
export class PublishError extends DomainError {
  declare readonly code: 'not_found' | 'invalid_slug' | 'compile_failed' | 'slug_taken' | 'slug_immutable' | 'no_changes' | 'unknown_version' | 'not_published' | 'draft_changed';
  constructor(kind: DomainErrorKind, code: PublishError['code'], message: string, details?: unknown) {
    super(kind, code, message, details);
    this.name = 'PublishError';
  }
}

/** What a publish may say: a note, a slug (first publish only) and who did it. */
export interface PublishOptions {
  note?: string;
  slug?: string;
  by?: string;
}

/**
 * A default slug from a scenario's name: lowercase ascii words joined by dashes (Chinese characters
 * are dropped, since no pinyin table is available); `scenario-<first 8 of the id>` when nothing is left.
 */
export function deriveSlug(name: string, scenarioId: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
  return SLUG_PATTERN.test(ascii) ? ascii : `scenario-${shortId(scenarioId)}`;
}

function shortId(id: string): string {
  const compact = id.toLowerCase().replace(/[^a-z0-9]/g, '');
  return compact.slice(0, 8) || 'x';
}

async function chooseSlug(db: DataStore, scenarioId: string, name: string, current: string | null, requested?: string): Promise<string> {
  if (current !== null) {
    if (requested !== undefined && requested !== current) {
      throw new PublishError('conflict', 'slug_immutable', `this scenario is published as "${current}"; its slug cannot change to "${requested}"`, { slug: current });
    }
    return current;
  }
  if (requested !== undefined) {
    if (!SLUG_PATTERN.test(requested)) throw new PublishError('invalid', 'invalid_slug', `"${requested}" is not a valid slug (2–63 lowercase letters, digits or dashes)`);
    if (await slugTaken(db, requested, scenarioId)) throw new PublishError('conflict', 'slug_taken', `the slug "${requested}" is already used by another scenario`, { slug: requested });
    return requested;
  }
  const derived = deriveSlug(name, scenarioId);
  if (!(await slugTaken(db, derived, scenarioId))) return derived;
  // A derived slug that collides gets the id's prefix: the designer did not ask for this exact name.
  const suffixed = `${derived.slice(0, 50)}-${shortId(scenarioId)}`;
  if (!(await slugTaken(db, suffixed, scenarioId))) return suffixed;
  throw new PublishError('conflict', 'slug_taken', `the slug "${derived}" is already used by another scenario; choose one`, { slug: derived });
}

/** A draft compiled ahead (off the request thread's critical path, by {@link precompileDraft}), with the graph it was. */
export interface Precompiled {
  graph: unknown;
  result: CompileResult;
}

/**
 * Compiles a scenario's draft with the event loop free between nodes, for {@link publishDraft} and
 * {@link publication} on the request thread. Undefined when there is no such scenario.
 */
export async function precompileDraft(db: DataStore, compile: CompileOptions, scenarioId: string): Promise<Precompiled | undefined> {
  const state = await getPublishState(db, scenarioId);
  if (!state) return undefined;
  return { graph: state.graph, result: await compileGraphAsync(state.graph, compile) };
}

/** The draft's compile result: the precompiled one while the draft is still that graph (saves may land meanwhile). */
function compiledDraft(graph: unknown, compile: CompileOptions, precompiled?: Precompiled): CompileResult {
  if (precompiled && (precompiled.graph === graph || JSON.stringify(precompiled.graph) === JSON.stringify(graph))) return precompiled.result;
  return compileGraph(graph, compile);
}

/** A draft that may be published: its slug and compiled plan hash (from {@link preparePublish}). */
export interface PreparedPublish {
  slug: string;
  graph: unknown;
  planHash: string;
}

/**
 * Checks that a scenario's draft may be published, storing nothing: what a publish gate needs before it
 * starts an evaluation. Throws {@link PublishError}: `not_found` (404 over HTTP), `compile_failed`
 * (unprocessable, 422; details: `{ errors }`), `slug_taken` / `slug_immutable` / `no_changes` (conflict,
 * 409; the draft does what the live version does, or what an existing version does: details `same_as_version`).
 */
export async function preparePublish(db: DataStore, compile: CompileOptions, scenarioId: string, options: PublishOptions = {}, precompiled?: Precompiled): Promise<PreparedPublish> {
  const state = await getPublishState(db, scenarioId);
  if (!state) throw new PublishError('not_found', 'not_found', `no scenario with id "${scenarioId}"`);
  const slug = await chooseSlug(db, scenarioId, state.name, state.slug, options.slug);
  const compiled = compiledDraft(state.graph, compile, precompiled);
  if (!compiled.ok) {
    const n = compiled.errors.length;
    throw new PublishError('unprocessable', 'compile_failed', `the draft has ${n} problem${n === 1 ? '' : 's'}; fix ${n === 1 ? 'it' : 'them'} before publishing`, {
      errors: compiled.errors,
    });
  }
  if (state.liveVersion !== null) {
    const live = await getVersion(db, scenarioId, state.liveVersion);
    if (live && live.planHash === compiled.plan.hash) {
      throw new PublishError('conflict', 'no_changes', `nothing to publish: the draft does the same as the live version ${live.version}`, {
        slug,
        live_version: live.version,
      });
    }
    // After a rollback the draft may do exactly what a later version does: that version exists already.
    const same = (await listVersions(db, scenarioId)).find((v) => v.planHash === compiled.plan.hash);
    if (same) {
      throw new PublishError(
        'conflict',
        'no_changes',
        `nothing to publish: the draft does the same as version ${same.version} (version ${state.liveVersion} is live); roll back to version ${same.version} to make it live again`,
        { slug, live_version: state.liveVersion, same_as_version: same.version },
      );
    }
  }
  return { slug, graph: state.graph, planHash: compiled.plan.hash };
}

/**
 * Publishes a scenario's current draft: checks it as {@link preparePublish} does (and throws what it
 * throws), then stores it as version max+1 and makes it live. `options.gate` is the publish gate's record
 * (checked by the caller: publishing knows no evaluation), stored with the version; `options.planHash`, the
 * plan the gate checked: a draft that compiles to another plan now is refused, 409 `draft_changed`.
 */
export async function publishDraft(db: DataStore, compile: CompileOptions, scenarioId: string, options: PublishOptions & { gate?: VersionGate; planHash?: string } = {}, precompiled?: Precompiled): Promise<PublishReply> {
  const { slug, graph, planHash } = await preparePublish(db, compile, scenarioId, options, precompiled);
  if (options.planHash !== undefined && options.planHash !== planHash) {
    throw new PublishError('conflict', 'draft_changed', 'the draft changed while its publish gate was checked; publish again to check what it is now', { checked_plan_hash: options.planHash, plan_hash: planHash });
  }
  try {
    const row = await insertVersion(db, { scenarioId, slug, graph, planHash, note: options.note ?? '', createdBy: options.by ?? '', gate: options.gate });
    return { slug, version: row.version, plan_hash: row.planHash, live_version: row.version, ...(options.gate ? { gate: options.gate } : {}) };
  } catch (error) {
    if (isUniqueViolation(error)) throw new PublishError('conflict', 'slug_taken', `the slug "${slug}" is already used by another scenario`, { slug });
    throw error;
  }
}

/** Makes an earlier (or later) version live. Throws 404 `not_found` or `unknown_version`. */
export async function rollback(db: DataStore, scenarioId: string, version: number): Promise<RollbackReply> {
  const state = await getPublishState(db, scenarioId);
  if (!state) throw new PublishError('not_found', 'not_found', `no scenario with id "${scenarioId}"`);
  if (state.slug === null) throw new PublishError('not_found', 'unknown_version', 'this scenario has never been published');
  if (!(await setLiveVersion(db, scenarioId, version))) throw new PublishError('not_found', 'unknown_version', `version ${version} does not exist`, { version });
  return { slug: state.slug, live_version: version };
}

/** The publishing status of a scenario: slug, live and latest version, and whether the draft differs. */
export async function publication(db: DataStore, compile: CompileOptions, scenarioId: string, precompiled?: Precompiled): Promise<Publication> {
  const state = await getPublishState(db, scenarioId);
  if (!state) throw new PublishError('not_found', 'not_found', `no scenario with id "${scenarioId}"`);
  const compiled = compiledDraft(state.graph, compile, precompiled);
  const draftHash = compiled.ok ? compiled.plan.hash : null;
  const live = state.liveVersion === null ? undefined : await getVersion(db, scenarioId, state.liveVersion);
  const latest = (await listVersions(db, scenarioId))[0];
  let suggested: string | null = null;
  if (state.slug === null) {
    try {
      suggested = await chooseSlug(db, scenarioId, state.name, null);
    } catch {
      suggested = null;
    }
  }
  return {
    slug: state.slug,
    live_version: state.liveVersion,
    latest_version: latest ? latest.version : null,
    suggested_slug: suggested,
    draft_plan_hash: draftHash,
    draft_changed: draftHash === null ? null : live ? live.planHash !== draftHash : true,
  };
}
