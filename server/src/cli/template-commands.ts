/**
 * `mofang export scenario|template` and `mofang import`: the same files as the UI's export and import
 * buttons, on the same store (`MOFANG_DATA_DIR`) a running server uses. The built-in templates are synced
 * first, so they can be exported without a server ever having started.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SemverSchema } from '@shared/templates.js';
import type { DataStore } from '../storage/store.js';
import { openCliStore } from './cli-store.js';
import { getScenario, listScenarios } from '../storage/scenarios.js';
import { exportScenario, exportTemplate, importAny, serializeFile } from '../templates/files.js';
import { syncBuiltinTemplates } from '../templates/sync.js';
import { getTemplateVersion } from '../templates/store.js';
import { auditedChangeIn, cliActor, scenarioImportedChange, templateVersionChange } from '../audit/index.js';
import { CliError, readTextFile } from './errors.js';
import { parseJsonFile } from './compile-command.js';
import { printJson, type CliIo } from './io.js';

/** Opens the store the server uses and brings the built-in templates in. */
async function withStore<T>(io: CliIo, fn: (store: DataStore) => Promise<T>): Promise<T> {
  const store = await openCliStore(io.env);
  try {
    await syncBuiltinTemplates(store);
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Finds a scenario by id, or else by its exact name (refusing an ambiguous name). */
async function resolveScenarioId(store: DataStore, idOrName: string): Promise<string> {
  if (await getScenario(store, idOrName)) return idOrName;
  const matches = (await listScenarios(store, idOrName)).filter((s) => s.name === idOrName);
  if (matches.length === 1) return matches[0].id;
  if (matches.length > 1) throw new CliError(`${matches.length} scenarios are named "${idOrName}"; give an id: ${matches.map((m) => m.id).join(', ')}`);
  throw new CliError(`no scenario with id or name "${idOrName}"`);
}

async function output(io: CliIo, text: string, file: string | undefined, what: Record<string, string>): Promise<void> {
  if (file === undefined) {
    io.stdout(text);
    return;
  }
  await writeFile(file, text);
  printJson(io, { ...what, file: path.resolve(file) });
}

/** `mofang export scenario <id|name> [-o file]`: a scenario draft as a mofang.scenario/v1 file. Returns the exit code. */
export async function exportScenarioAction(idOrName: string, opts: { output?: string }, io: CliIo): Promise<number> {
  const file = await withStore(io, async (store) => exportScenario(store, await resolveScenarioId(store, idOrName)));
  await output(io, serializeFile(file), opts.output, { format: file.format, name: file.name });
  return 0;
}

/** `mofang export template <id> [--version v] [-o file]`: a template version as a mofang.template/v1 file. Returns the exit code. */
export async function exportTemplateAction(id: string, opts: { version?: string; output?: string }, io: CliIo): Promise<number> {
  if (opts.version !== undefined && !SemverSchema.safeParse(opts.version).success) throw new CliError(`--version must look like 1.2.0 (got "${opts.version}")`);
  const file = await withStore(io, (store) => exportTemplate(store, id, opts.version));
  await output(io, serializeFile(file), opts.output, { format: file.format, id: file.meta.id, version: file.meta.version });
  return 0;
}

/** `mofang import <file>`: detects a scenario file, a bare graph or a template file and prints what it created. Returns the exit code. */
export async function importAction(file: string, io: CliIo): Promise<number> {
  const value = parseJsonFile(await readTextFile(file, 'file'), `"${file}"`);
  const { reply } = await withStore(io, (store) =>
    auditedChangeIn(
      store,
      cliActor(),
      async (tx) => {
        const done = await importAny(tx, value, 'cli');
        return done.kind === 'template'
          ? { reply: done, change: templateVersionChange('template.import', await getTemplateVersion(tx, done.template_id, done.version), { created: done.created }) }
          : { reply: done, change: scenarioImportedChange({ id: done.scenario_id, name: done.name }, await getScenario(tx, done.scenario_id), done.from) };
      },
      ({ change }) => change,
    ),
  );
  printJson(io, reply);
  return 0;
}
