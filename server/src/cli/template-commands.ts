/**
 * `mofang export scenario|template` and `mofang import`: the same files as the UI's export and import
 * buttons, on the same store (`MOFANG_DATA_DIR`) a running server uses. The built-in templates are synced
 * first, so they can be exported without a server ever having started.
 */
import { checkJson, describeBreach } from '../limits.js';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { SemverSchema } from '@shared/templates.js';
import { openStore, type Store } from '../storage/db.js';
import { getScenario, listScenarios } from '../storage/scenarios.js';
import { exportScenario, exportTemplate, importAny, serializeFile } from '../templates/files.js';
import { syncBuiltinTemplates } from '../templates/sync.js';
import { CliError, readTextFile } from './errors.js';

/** Opens the store the server uses and brings the built-in templates in. */
function withStore<T>(fn: (store: Store) => T): T {
  const dir = process.env.MOFANG_DATA_DIR?.trim() || './data';
  const store = openStore(path.resolve(dir));
  try {
    syncBuiltinTemplates(store.db);
    return fn(store);
  } finally {
    store.close();
  }
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Finds a scenario by id, or else by its exact name (refusing an ambiguous name). */
function resolveScenarioId(store: Store, idOrName: string): string {
  if (getScenario(store.db, idOrName)) return idOrName;
  const matches = listScenarios(store.db, idOrName).filter((s) => s.name === idOrName);
  if (matches.length === 1) return matches[0].id;
  if (matches.length > 1) throw new CliError(`${matches.length} scenarios are named "${idOrName}"; give an id: ${matches.map((m) => m.id).join(', ')}`);
  throw new CliError(`no scenario with id or name "${idOrName}"`);
}

async function output(text: string, file: string | undefined, what: Record<string, string>): Promise<void> {
  if (file === undefined) {
    process.stdout.write(text);
    return;
  }
  await writeFile(file, text);
  print({ ...what, file: path.resolve(file) });
}

/** The `export` command: `export scenario <id|name>` and `export template <id> [--version v]`. */
export function exportCommand(): Command {
  const command = new Command('export').description('write a scenario or a template version as a file (stdout unless -o)');
  command
    .command('scenario')
    .description('export a scenario draft as a mofang.scenario/v1 file')
    .argument('<id|name>', 'the scenario id, or its exact name')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(async (idOrName: string, opts: { output?: string }) => {
      const file = withStore((store) => exportScenario(store.db, resolveScenarioId(store, idOrName)));
      await output(serializeFile(file), opts.output, { format: file.format, name: file.name });
    });
  command
    .command('template')
    .description('export a template version as a mofang.template/v1 file (default: the latest non-deprecated version)')
    .argument('<id>', 'the template id, e.g. call-quality-audit')
    .option('-v, --version <version>', 'the version, e.g. 1.0.0')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(async (id: string, opts: { version?: string; output?: string }) => {
      if (opts.version !== undefined && !SemverSchema.safeParse(opts.version).success) throw new CliError(`--version must look like 1.2.0 (got "${opts.version}")`);
      const file = withStore((store) => exportTemplate(store.db, id, opts.version));
      await output(serializeFile(file), opts.output, { format: file.format, id: file.meta.id, version: file.meta.version });
    });
  return command;
}

/** The `import` command: detects a scenario file, a bare graph or a template file and prints what it created. */
export function importCommand(): Command {
  return new Command('import')
    .description('import a mofang.scenario/v1 or mofang.template/v1 file, or a mofang.graph/v1 graph; prints what was created as JSON')
    .argument('<file>', 'the file to import')
    .action(async (file: string) => {
      const text = await readTextFile(file, 'file');
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new CliError(`"${file}" is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
      }
      const breach = checkJson(value);
      if (breach) throw new CliError(describeBreach(breach, `"${file}"`));
      print(withStore((store) => importAny(store.db, value, 'cli')));
    });
}
