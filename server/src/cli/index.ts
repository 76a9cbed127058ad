/**
 * The `mofang` command line: start the server, compile or run a graph file, run the model simulator.
 * Every failure is one line on stderr and exit code 1; set MOFANG_DEBUG=1 for stack traces.
 */
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '../config.js';
import { startServer } from '../http/server.js';
import { simulatorCommand } from './simulator.js';
import { compileCommandAction, runCommandAction } from './graph-commands.js';
import { CliError } from './errors.js';
import { publishCommands } from './publish-commands.js';
import { keysCommand } from './keys-commands.js';
import { exportCommand, importCommand } from './template-commands.js';

/** The commander program with every sub-command. */
export function buildProgram(): Command {
  const program = new Command('mofang')
    .description('Mofang (魔方): low-code LLM scenarios for telecom call centers')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('start')
    .description('start the web app and API (PORT, HOST, MOFANG_DATA_DIR, MOFANG_MODEL_* from the environment)')
    .action(async () => {
      await startServer(loadConfig(process.env));
    });

  program
    .command('compile')
    .description('compile a graph file and print { ok, errors } as JSON (exit 1 when it has problems)')
    .argument('<graph.json>', 'a mofang.graph/v1 file')
    .action(async (file: string) => {
      process.exitCode = await compileCommandAction(file);
    });

  program
    .command('run')
    .description("compile and run a graph with the configured model (or the simulator) and print the result as JSON")
    .argument('<graph.json>', 'a mofang.graph/v1 file')
    .option('-i, --inputs <json|@file>', "the run's inputs as JSON, or @path to a JSON file (default: the graph's sample inputs)")
    .option('-e, --events', 'print every run event as a JSON line on stderr')
    .action(async (file: string, opts: { inputs?: string; events?: boolean }) => {
      process.exitCode = await runCommandAction(file, opts);
    });

  program.addCommand(simulatorCommand());
  for (const command of publishCommands()) program.addCommand(command);
  program.addCommand(keysCommand());
  program.addCommand(exportCommand());
  program.addCommand(importCommand());
  return program;
}

/** Parses `argv` and runs the command; expected failures become one stderr line and exit code 1. */
export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message (or the help); keep its exit code.
      process.exitCode = error.exitCode;
      return;
    }
    if (error instanceof CliError || error instanceof ConfigError) {
      process.stderr.write(`mofang: ${error.message}\n`);
    } else if (process.env.MOFANG_DEBUG) {
      console.error(error);
    } else {
      process.stderr.write(`mofang: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
