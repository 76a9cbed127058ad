/**
 * `mofang compile` and `mofang run`: the engine on a graph file, without the server or the store.
 */
import { compileGraph, runPlan } from '../engine/index.js';
import { loadConfig } from '../config.js';
import { createModelResolver } from '../model/registry.js';
import { createEngineServices } from '../services/index.js';
import { closeModels } from '../http/server.js';
import { CliError, readTextFile } from './errors.js';

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${what} is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Reads a graph file: it must exist, be JSON and look like a graph (an object with a `nodes` list). */
export async function readGraphFile(file: string): Promise<Record<string, unknown>> {
  const value = parseJson(await readTextFile(file, 'graph file'), `"${file}"`);
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('nodes' in value) || !Array.isArray(value.nodes)) {
    throw new CliError(`"${file}" is not a Mofang graph (expected an object with "schema": "mofang.graph/v1", "nodes" and "edges")`);
  }
  return { ...value };
}

/** Parses `--inputs`: inline JSON or `@path` to a JSON file; it must be an object. */
export async function readInputs(spec: string): Promise<Record<string, unknown>> {
  const value = spec.startsWith('@') ? parseJson(await readTextFile(spec.slice(1), 'inputs file'), `inputs file "${spec.slice(1)}"`) : parseJson(spec, '--inputs');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError('--inputs must be a JSON object, e.g. {"transcript": "坐席：您好"}');
  return { ...value };
}

/** Compiles a graph file and prints `{ ok, errors }`; returns the exit code. */
export async function compileCommandAction(file: string): Promise<number> {
  const graph = await readGraphFile(file);
  const services = createEngineServices({});
  try {
    const result = compileGraph(graph, { services });
    process.stdout.write(`${JSON.stringify({ ok: result.ok, errors: result.errors }, null, 2)}\n`);
    return result.ok ? 0 : 1;
  } finally {
    await services.close();
  }
}

/** Compiles and runs a graph file and prints the RunResult; returns the exit code. */
export async function runCommandAction(file: string, opts: { inputs?: string; events?: boolean }): Promise<number> {
  const graph = await readGraphFile(file);
  const sample = graph.inputs;
  const inputs = opts.inputs !== undefined ? await readInputs(opts.inputs) : typeof sample === 'object' && sample !== null ? { ...sample } : {};
  const config = loadConfig(process.env);
  const services = createEngineServices({ httpAllow: config.httpAllow });
  try {
    const compiled = compileGraph(graph, { services });
    if (!compiled.ok) {
      process.stdout.write(`${JSON.stringify({ ok: false, errors: compiled.errors }, null, 2)}\n`);
      process.stderr.write(`mofang: "${file}" does not compile (${compiled.errors.length} problem${compiled.errors.length === 1 ? '' : 's'})\n`);
      return 1;
    }
    const problems = compiled.plan.validateInputs(inputs);
    if (problems) {
      const list = problems.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ');
      throw new CliError(`invalid inputs: ${list}`);
    }
    const models = createModelResolver(config.model);
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    try {
      const result = await runPlan(compiled.plan, inputs, {
        models,
        signal: controller.signal,
        onEvent: opts.events ? (event) => process.stderr.write(`${JSON.stringify(event)}\n`) : undefined,
      });
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return result.status === 'succeeded' ? 0 : 1;
    } finally {
      process.off('SIGINT', onSigint);
      await closeModels(models);
    }
  } finally {
    await services.close();
  }
}
