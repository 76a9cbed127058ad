/**
 * The `mofang` command line: start the server, compile or run a graph file, run the model simulator, …
 * Every failure is one line on stderr and exit code 1; set MOFANG_DEBUG=1 for stack traces.
 * `bin/mofang.mjs` runs the compiled copy of this file (dist/server/cli.js, `npm run build:server`).
 */
import { pathToFileURL } from 'node:url';
import { CommanderError } from 'commander';
import { CliError } from './errors.js';
import { processIo, type CliIo } from './io.js';
import { buildProgram, type CliOutcome } from './program.js';

export { buildProgram } from './program.js';

/** `mofang eval`'s exit code for "could not evaluate" (eval-command.ts's EXIT_CANNOT_EVALUATE, not imported: commands load lazily). */
const EVAL_CANNOT_EVALUATE = 2;

/** Errors whose message is the whole story: printed as one `mofang: …` line, no stack trace. */
function isExpected(error: unknown): error is Error {
  // ConfigError is tested by name so that this file does not load the configuration code (zod and more).
  return error instanceof CliError || (error instanceof Error && error.name === 'ConfigError');
}

/**
 * Runs one `mofang` command, e.g. `runCli(['compile', 'graph.json'], io)`, and resolves with its exit
 * code: 0, or 1 for an expected failure (written to `io.stderr` as one `mofang: …` line), or commander's
 * code for a usage error. Never rejects. Long-running commands (`start`, `simulator`) resolve once
 * they listen; their server keeps the process alive.
 */
export async function runCli(args: string[], io: CliIo = processIo): Promise<number> {
  const outcome: CliOutcome = { code: 0 };
  try {
    await buildProgram(io, outcome).parseAsync(args, { from: 'user' });
    return outcome.code;
  } catch (error) {
    // Commander has already printed its message (or the help); keep its exit code, except that `eval`
    // keeps 1 for "below a bar": its usage errors (a missing --set, -c 0) are "could not evaluate", 2.
    if (error instanceof CommanderError) return args[0] === 'eval' && error.exitCode !== 0 ? EVAL_CANNOT_EVALUATE : error.exitCode;
    if (isExpected(error)) {
      io.stderr(`mofang: ${error.message}\n`);
    } else if (io.env.MOFANG_DEBUG) {
      io.stderr(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    } else {
      io.stderr(`mofang: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    return 1;
  }
}

/** Runs the command in `argv` (`process.argv`: node, script, args…) and sets `process.exitCode`. */
export async function main(argv: string[] = process.argv): Promise<void> {
  process.exitCode = await runCli(argv.slice(2), processIo);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
