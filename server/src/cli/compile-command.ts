/**
 * `mofang compile`, and reading graph files for the other commands: the compiler, and the model aliases
 * the endpoints serve (stored and environment, as the server checks them). It loads no node services
 * (compiling needs none), so a compile starts fast.
 */
import { parseJson } from '@shared/json.js';
import { describeNul, findNul, nulLineInJsonText } from '@shared/nul.js';
import { compileGraph } from '../engine/index.js';
import { checkJson, describeBreach } from '../limits.js';
import { CliError, readTextFile } from './errors.js';
import type { CliIo } from './io.js';

/**
 * Parses a JSON file's text within the JSON limits and without U+0000 (the NUL rule, shared/src/nul.ts);
 * throws CliError naming `what` (and for a NUL, the line and the path) when it cannot.
 */
export function parseJsonFile(text: string, what: string): unknown {
  const value = parseJson(text, (error) => {
    throw new CliError(`${what} is not valid JSON (${error.message})`);
  });
  const breach = checkJson(value);
  if (breach) throw new CliError(describeBreach(breach, what));
  const nul = findNul(value);
  if (nul) throw new CliError(`${what}, line ${nulLineInJsonText(text) ?? 1}: ${describeNul(nul.path, nul.inKey)}`);
  return value;
}

/** Reads a graph file: it must exist, be JSON and look like a graph (an object with a `nodes` list). */
export async function readGraphFile(file: string): Promise<Record<string, unknown>> {
  const value = parseJsonFile(await readTextFile(file, 'graph file'), `"${file}"`);
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('nodes' in value) || !Array.isArray(value.nodes)) {
    throw new CliError(`"${file}" is not a Mofang graph (expected an object with "schema": "mofang.graph/v1", "nodes" and "edges")`);
  }
  return { ...value };
}

/** Compiles a graph file and prints `{ ok, errors }`; returns the exit code. */
export async function compileCommandAction(file: string, io: CliIo): Promise<number> {
  const graph = await readGraphFile(file);
  // Compiling needs no services: they reach the nodes when a plan runs. A node naming an alias no
  // endpoint serves is a problem, as on the server (not checked when only the simulator answers).
  const [{ loadConfig }, { openCliModels }] = await Promise.all([import('../config.js'), import('./models.js')]);
  const models = await openCliModels(loadConfig(io.env));
  await models.close();
  const result = compileGraph(graph, { modelAliases: models.aliases });
  io.stdout(`${JSON.stringify({ ok: result.ok, errors: result.errors }, null, 2)}\n`);
  return result.ok ? 0 : 1;
}
