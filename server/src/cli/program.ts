/**
 * The `mofang` commands as commander sees them: names, arguments, options and help. This file loads
 * nothing but commander; each action imports its own code when it runs (`import()`), so `mofang --help`
 * or `mofang compile` never load Express, the store or the job runner.
 */
import { Command, InvalidArgumentError } from 'commander';
import type { CliIo } from './io.js';
import { addSimulatorCommand } from './simulator.js';
import { addUsersCommand } from './users-program.js';
import { addReplayCommand } from './replay-program.js';

/** Set by the action that ran: the process exit code it asks for (0 when it set none). */
export interface CliOutcome {
  code: number;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

function slugs(value: string): string[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) throw new InvalidArgumentError('expected comma-separated scenario slugs');
  return list;
}

/** `--scope a,b`: a comma-separated list (checked against the known scopes when the command runs). */
function list(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * The commander program with every sub-command, writing to `io` and recording each action's exit code
 * in `outcome`. Commander errors (unknown option, missing argument) throw a `CommanderError` after
 * printing their message (`exitOverride`).
 */
export function buildProgram(io: CliIo, outcome: CliOutcome = { code: 0 }): Command {
  const program = new Command('mofang')
    .description('Mofang (魔方): low-code LLM scenarios for telecom call centers')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError()
    .exitOverride();

  program
    .command('start')
    .description('start the web app and API (PORT, HOST, MOFANG_DATA_DIR, MOFANG_MODEL_* from the environment)')
    .action(async () => {
      const [{ loadConfig }, { startServer }] = await Promise.all([import('../config.js'), import('../http/server.js')]);
      await startServer(loadConfig(io.env), { log: (line) => io.stdout(`${line}\n`) });
    });

  program
    .command('compile')
    .description('compile a graph file and print { ok, errors } as JSON (exit 1 when it has problems)')
    .argument('<graph.json>', 'a mofang.graph/v1 file')
    .action(async (file: string) => {
      const { compileCommandAction } = await import('./compile-command.js');
      outcome.code = await compileCommandAction(file, io);
    });

  program
    .command('run')
    .description("compile and run a graph with the configured model (or the simulator) and print the result as JSON")
    .argument('<graph.json>', 'a mofang.graph/v1 file')
    .option('-i, --inputs <json|@file>', "the run's inputs as JSON, or @path to a JSON file (default: the graph's sample inputs)")
    .option('-e, --events', 'print every run event as a JSON line on stderr')
    .action(async (file: string, opts: { inputs?: string; events?: boolean }) => {
      const { runCommandAction } = await import('./graph-commands.js');
      outcome.code = await runCommandAction(file, opts, io);
    });

  program
    .command('backup')
    .description("copy the data directory's SQLite database to a file, safely while a server runs on it (an online backup); prints { file, bytes, pages, seconds } as JSON")
    .argument('<file>', 'where to write the copy (a new file, unless --force); restore: see docs/deployment.md')
    .option('-f, --force', 'replace the file if it exists')
    .action(async (file: string, opts: { force?: boolean }) => {
      const { backupCommandAction } = await import('./backup-command.js');
      outcome.code = await backupCommandAction(file, opts, io);
    });

  program
    .command('migrate-store')
    .description('copy every table of a SQLite data directory into an empty PostgreSQL database, in one transaction; prints the row counts of both sides (docs/deployment.md)')
    .requiredOption('--to <postgres://…>', 'the target database, empty (Mofang\'s migrations are applied to it first)')
    .option('--from <data dir>', 'the data directory to copy (default: MOFANG_DATA_DIR)')
    .option('--batch-rows <n>', 'rows per INSERT (default 1000)', positiveInt)
    .action(async (opts: { to: string; from?: string; batchRows?: number }) => {
      const { migrateStoreAction } = await import('./migrate-store-command.js');
      outcome.code = await migrateStoreAction(opts, io);
    });

  addEvalCommand(program, io, outcome);
  addSimulatorCommand(program, io);
  addPublishCommands(program, io, outcome);
  addKeysCommand(program, io, outcome);
  addUsersCommand(program, io, outcome);
  addFileCommands(program, io, outcome);
  addReplayCommand(program, io, outcome);
  return program;
}

function repeat(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `eval`: a graph file or a published version scored on an evaluation set, with minimum bars for CI. */
function addEvalCommand(program: Command, io: CliIo, outcome: CliOutcome): void {
  program
    .command('eval')
    .description('run an evaluation set through a graph file or a published version, print the metrics as JSON, exit 1 below a --min bar')
    .argument('<slug|graph.json>', "a published scenario's slug (from MOFANG_DATA_DIR) or a mofang.graph/v1 file (a draft)")
    .requiredOption('--set <file.jsonl|name[@revision]>', 'a file of cases, one JSON object a line: {"id"?, "inputs": {…}, "expected": {…}} (expected: all end outputs or only those that matter); or, with a slug, the scenario\'s stored evaluation set by name (its latest revision, or name@N)')
    .option('--version <n>', 'with a slug: the published version to evaluate (default: the live version)', positiveInt)
    .option('--min <metric=value>', 'a minimum bar, e.g. risk_level.accuracy=0.8 or =80% (repeatable; every bar must be met)', repeat)
    .option('-c, --concurrency <n>', "cases run at once (default: the default endpoint's max concurrency, else 8)", positiveInt)
    .option('-o, --out <file.json>', 'also write the JSON result to this file')
    .option('--per-case', "add each case's outcome (per output: correct, score, expected, actual)")
    .addHelpText(
      'after',
      `
Prints one JSON document: { target, set, model: { simulated, aliases }, metrics: { "<output>.<metric>": value },
outputs (per-output detail), cases, failed, failures (first 20), bars: { ok, failures }, usage }.
Metric names: <output>.accuracy, <output>.macro_f1, <output>.f1[<class>], <output>.exact_match, … (see docs/evaluation.md).
Progress goes to stderr. A failed case run counts as wrong. With the simulator the numbers mean nothing (model.simulated).

Exit codes: 0 every bar met, 1 below a bar, 2 could not evaluate (bad set line, unknown metric, graph, …).

Examples (CI gates):
  mofang eval templates/complaint-risk/graph.json --set cases.jsonl --min risk_level.accuracy=0.8 || exit 1
  mofang eval complaint-risk --set "STC-3 投诉风险 / complaint risk" --min warn.accuracy=0.85 || exit 1
`,
    )
    .action(async (target: string, opts: { set: string; version?: number; min?: string[]; concurrency?: number; out?: string; perCase?: boolean }) => {
      const { evalCommandAction } = await import('./eval-command.js');
      outcome.code = await evalCommandAction(target, opts, io);
    });
}

/** `publish`, `versions` and `rollback`: workflow as code on the server's store. */
function addPublishCommands(program: Command, io: CliIo, outcome: CliOutcome): void {
  program
    .command('publish')
    .description('create or update the scenario with this slug from a graph file and publish it; prints { slug, version }')
    .argument('<graph.json>', 'a mofang.graph/v1 file')
    .requiredOption('-s, --slug <slug>', 'the published API path segment (lowercase letters, digits, dashes)')
    .option('-n, --note <text>', 'what changed in this version')
    .option('--name <name>', "the scenario's name (default: the graph's name)")
    .option('--by <who>', 'recorded as the publisher (default: cli)')
    .option('--override-gate <note>', "publish past the scenario's publish gate without evaluating (an operator's override, recorded with this note)")
    .action(async (file: string, opts: { slug: string; note?: string; name?: string; by?: string; overrideGate?: string }) => {
      const { publishCommandAction } = await import('./publish-commands.js');
      outcome.code = await publishCommandAction(file, opts, io);
    });
  program
    .command('versions')
    .description("list a published scenario's versions as JSON (newest first)")
    .argument('<slug>', 'the scenario slug')
    .action(async (slug: string) => {
      const { versionsCommandAction } = await import('./publish-commands.js');
      outcome.code = await versionsCommandAction(slug, io);
    });
  program
    .command('rollback')
    .description('make an existing version live; prints { slug, live_version }')
    .argument('<slug>', 'the scenario slug')
    .argument('<version>', 'the version number')
    .action(async (slug: string, version: string) => {
      const { rollbackCommandAction } = await import('./publish-commands.js');
      outcome.code = await rollbackCommandAction(slug, version, io);
    });
}

/** `keys create|list|revoke`: API keys for the published /v1 API. */
function addKeysCommand(program: Command, io: CliIo, outcome: CliOutcome): void {
  const keys = program.command('keys').description('create, list and revoke API keys for the published /v1 API');
  keys
    .command('create')
    .description('create a key and print it as JSON (the key itself is shown this once)')
    .requiredOption('-n, --name <name>', 'who or what the key is for')
    .option('-s, --scenarios <slugs>', 'comma-separated scenario slugs the key may call (default: all)', slugs)
    .option('-r, --rate-limit <perMinute>', 'requests per minute (default: MOFANG_API_RATE_LIMIT)', positiveInt)
    .option('--scope <scopes>', "comma-separated extra scopes: runs:read reads every key's runs and jobs of its scenarios (default: only its own)", list)
    .action(async (opts: { name: string; scenarios?: string[]; rateLimit?: number; scope?: string[] }) => {
      const { keysCreateAction } = await import('./keys-commands.js');
      outcome.code = await keysCreateAction(opts, io);
    });
  keys
    .command('list')
    .description('list keys as JSON (prefixes only, never the keys)')
    .action(async () => {
      const { keysListAction } = await import('./keys-commands.js');
      outcome.code = await keysListAction(io);
    });
  keys
    .command('revoke')
    .description('revoke a key by its id or its prefix (e.g. mf_AbCdE)')
    .argument('<id|prefix>', "the key's id, or its prefix as `keys list` shows it")
    .action(async (idOrPrefix: string) => {
      const { keysRevokeAction } = await import('./keys-commands.js');
      outcome.code = await keysRevokeAction(idOrPrefix, io);
    });
}

/** `export scenario|template` and `import`: the UI's export and import files. */
function addFileCommands(program: Command, io: CliIo, outcome: CliOutcome): void {
  const exportCommand = program.command('export').description('write a scenario or a template version as a file (stdout unless -o)');
  exportCommand
    .command('scenario')
    .description('export a scenario draft as a mofang.scenario/v1 file')
    .argument('<id|name>', 'the scenario id, or its exact name')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(async (idOrName: string, opts: { output?: string }) => {
      const { exportScenarioAction } = await import('./template-commands.js');
      outcome.code = await exportScenarioAction(idOrName, opts, io);
    });
  exportCommand
    .command('template')
    .description('export a template version as a mofang.template/v1 file (default: the latest non-deprecated version)')
    .argument('<id>', 'the template id, e.g. call-quality-audit')
    .option('-v, --version <version>', 'the version, e.g. 1.0.0')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(async (id: string, opts: { version?: string; output?: string }) => {
      const { exportTemplateAction } = await import('./template-commands.js');
      outcome.code = await exportTemplateAction(id, opts, io);
    });
  program
    .command('import')
    .description('import a mofang.scenario/v1 or mofang.template/v1 file, or a mofang.graph/v1 graph; prints what was created as JSON')
    .argument('<file>', 'the file to import')
    .action(async (file: string) => {
      const { importAction } = await import('./template-commands.js');
      outcome.code = await importAction(file, io);
    });
}
