/**
 * Workflow as code: `mofang publish <graph.json> --slug S`, `mofang versions S`, `mofang rollback S N`.
 * They open the same SQLite file as the server (MOFANG_DATA_DIR); WAL lets both write safely, and the
 * server reads the live version per request, so a rollback here is served at once.
 */
import { GraphSchema } from '@shared/graph.js';
import { SLUG_PATTERN } from '@shared/publish.js';
import { compileGraph } from '../engine/index.js';
import { PublishError, preparePublish, publishDraft, rollback } from '../publish/publish.js';
import { MAX_OVERRIDE_NOTE, type VersionGate } from '@shared/publish-gate.js';
import { getEvalSet } from '../storage/evaluation.js';
import { getPublishGate } from '../storage/publish-gates.js';
import { createEngineServices } from '../services/index.js';
import { createScenario, getScenario, updateScenario } from '../storage/scenarios.js';
import { auditedChangeIn, cliActor, publishedSide, scenarioCreatedChange, scenarioPublishedChange, scenarioRolledBackChange, scenarioUpdatedChange } from '../audit/index.js';
import { findBySlug, getPublishState, listVersions, versionSummary, type SlugFound } from '../storage/versions.js';
import type { DataStore } from '../storage/store.js';
import { openCliStore } from './cli-store.js';
import { CliError } from './errors.js';
import { readGraphFile } from './compile-command.js';
import { printJson, type CliIo } from './io.js';

function checkSlug(slug: string): void {
  if (!SLUG_PATTERN.test(slug)) throw new CliError(`"${slug}" is not a valid slug: 2–63 lowercase letters, digits or dashes, starting with a letter or digit`);
}

async function withStore<T>(io: CliIo, fn: (store: DataStore) => T | Promise<T>): Promise<T> {
  const store = await openCliStore(io.env);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function mustFind(store: DataStore, slug: string): Promise<SlugFound> {
  checkSlug(slug);
  const found = await findBySlug(store, slug);
  if (!found) throw new CliError(`no published scenario "${slug}"`);
  return found;
}

/** Options of `mofang publish`. */
export interface PublishCommandOptions {
  slug: string;
  note?: string;
  name?: string;
  by?: string;
  /** Publish past the scenario's publish gate with this note (the CLI cannot evaluate a draft on a set as the server does). */
  overrideGate?: string;
}

/**
 * The gate record of a CLI publish: none without a gate; with one, an override when a note was given,
 * else a {@link CliError} saying how to publish it (the CLI runs no evaluation jobs).
 */
async function cliGate(store: DataStore, scenarioId: string, slug: string, note: string | undefined, by: string): Promise<VersionGate | undefined> {
  const row = await getPublishGate(store, scenarioId);
  if (!row) return undefined;
  const set = await getEvalSet(store, row.setId);
  const bars = [row.min === null ? null : `≥ ${row.min}`, row.maxDrop === null ? null : `at most ${row.maxDrop} below the live version`].filter(Boolean).join(' and ');
  if (note === undefined || note.trim() === '') {
    throw new CliError(
      `"${slug}" has a publish gate (${row.metric} ${bars} on the evaluation set "${set?.name ?? row.setId}"): its draft is updated but not published. Publish it from the web UI or POST /api/scenarios/${scenarioId}/publish, which evaluate the draft first, or pass --override-gate "<why>" to publish without evaluating (recorded in the version and the audit log)`,
    );
  }
  return { status: 'overridden', metric: row.metric, min: row.min, max_drop: row.maxDrop, set_id: row.setId, set_name: set?.name ?? null, set_revision: set?.revision ?? null, value: null, live_version: null, live_value: null, run_id: null, override_note: note.trim().slice(0, MAX_OVERRIDE_NOTE), override_by: by };
}

/**
 * Creates the scenario (new slug) or replaces its draft (known slug), then publishes it. Prints
 * `{ slug, version }`, or `{ slug, version, unchanged: true }` when the live version already does the
 * same (so a CI re-run passes). Compile problems go to stderr as JSON; the exit code is then 1.
 */
export async function publishCommandAction(file: string, opts: PublishCommandOptions, io: CliIo): Promise<number> {
  checkSlug(opts.slug);
  const raw = await readGraphFile(file);
  const services = createEngineServices({});
  try {
    const compiled = compileGraph(raw, { templateLimits: services.templateLimits });
    if (!compiled.ok) {
      io.stderr(`${JSON.stringify({ ok: false, errors: compiled.errors }, null, 2)}\n`);
      return 1;
    }
    const graph = GraphSchema.parse(raw);
    return await withStore(io, async (store) => {
      const existing = await findBySlug(store, opts.slug);
      const actor = cliActor();
      let scenarioId: string;
      if (existing) {
        const before = await getScenario(store, existing.id);
        const outcome = await auditedChangeIn(store, actor, (tx) => updateScenario(tx, existing.id, { graph, ...(opts.name !== undefined ? { name: opts.name } : {}) }), (done) => (done.ok ? scenarioUpdatedChange(before, done.scenario) : null));
        if (!outcome.ok) throw new CliError(`the scenario "${opts.slug}" could not be updated (${outcome.reason})`);
        scenarioId = existing.id;
      } else {
        scenarioId = (await auditedChangeIn(store, actor, (tx) => createScenario(tx, { name: opts.name ?? graph.name, description: graph.description, graph }), scenarioCreatedChange)).id;
      }
      try {
        const before = publishedSide(await getPublishState(store, scenarioId));
        await preparePublish(store, services, scenarioId, { slug: opts.slug });
        const gate = await cliGate(store, scenarioId, opts.slug, opts.overrideGate, opts.by ?? actor.name ?? 'cli');
        const reply = await auditedChangeIn(store, actor, (tx) => publishDraft(tx, services, scenarioId, { slug: opts.slug, note: opts.note, by: opts.by ?? 'cli', gate }), (done) => scenarioPublishedChange(scenarioId, before, done, opts.note));
        printJson(io, { slug: reply.slug, version: reply.version, ...(reply.gate ? { gate: reply.gate.status } : {}) });
      } catch (error) {
        if (error instanceof PublishError && error.code === 'no_changes') {
          const same = typeof error.details === 'object' && error.details !== null ? Reflect.get(error.details, 'same_as_version') : undefined;
          printJson(io, { slug: opts.slug, version: (await getPublishState(store, scenarioId))?.liveVersion ?? null, unchanged: true, ...(typeof same === 'number' ? { same_as_version: same } : {}) });
          io.stderr(`mofang: ${error.message}\n`);
          return 0;
        }
        if (error instanceof PublishError) throw new CliError(error.message);
        throw error;
      }
      return 0;
    });
  } finally {
    await services.close();
  }
}

/** `mofang versions S`: the versions, newest first, as a JSON list. */
export async function versionsCommandAction(slug: string, io: CliIo): Promise<number> {
  return withStore(io, async (store) => {
    const found = await mustFind(store, slug);
    printJson(io, (await listVersions(store, found.id)).map((row) => versionSummary(row, found.liveVersion)));
    return 0;
  });
}

/** `mofang rollback S N`: makes version N live and prints `{ slug, live_version }`. */
export async function rollbackCommandAction(slug: string, version: string, io: CliIo): Promise<number> {
  if (!/^[1-9][0-9]{0,8}$/.test(version)) throw new CliError(`"${version}" is not a version number (1, 2, …)`);
  return withStore(io, async (store) => {
    const found = await mustFind(store, slug);
    try {
      const before = publishedSide(await getPublishState(store, found.id));
      printJson(io, await auditedChangeIn(store, cliActor(), (tx) => rollback(tx, found.id, Number(version)), (done) => scenarioRolledBackChange(found.id, before, done)));
    } catch (error) {
      if (error instanceof PublishError) throw new CliError(`${slug}: ${error.message}`);
      throw error;
    }
    return 0;
  });
}
