/**
 * `mofang run`: the engine on a graph file, with the models (the data directory's stored endpoints and the
 * environment's, as the server has them) and the node services, without the server.
 */
import { isRecord } from '@shared/json.js';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { compileGraph, runPlan } from '../engine/index.js';
import { loadConfig } from '../config.js';
import { setLimits } from '../limits.js';
import { createEngineServices } from '../services/index.js';
import { openCliModels } from './models.js';
import { CliError, readTextFile } from './errors.js';
import { parseJsonFile, readGraphFile } from './compile-command.js';
import type { CliIo } from './io.js';

/**
 * Parses `--inputs`: inline JSON or `@path` to a JSON file; it must be an object. A template's sample
 * file (`{ "name", "inputs", "script"?, "expected"? }`) is taken as it is: its `inputs` are used.
 */
export async function readInputs(spec: string): Promise<Record<string, unknown>> {
  const value = spec.startsWith('@') ? parseJsonFile(await readTextFile(spec.slice(1), 'inputs file'), `inputs file "${spec.slice(1)}"`) : parseJsonFile(spec, '--inputs');
  if (!isRecord(value)) throw new CliError('--inputs must be a JSON object, e.g. {"transcript": "坐席：您好"}');
  return sampleInputs(value) ?? { ...value };
}

/** The inputs of a template sample (it has `inputs` and an `expected` result or a `script`), else undefined. */
function sampleInputs(value: Record<string, unknown>): Record<string, unknown> | undefined {
  return isRecord(value.inputs) && ('expected' in value || 'script' in value) ? { ...value.inputs } : undefined;
}

/**
 * Inputs for a run given none: the graph's own sample inputs, else the first sample in a `samples/`
 * folder beside the graph file (a template's folder), named on stderr so the run is reproducible.
 */
async function defaultInputs(file: string, graph: Record<string, unknown>, io: CliIo): Promise<Record<string, unknown>> {
  if (isRecord(graph.inputs)) return { ...graph.inputs };
  const dir = path.join(path.dirname(file), 'samples');
  const names = (await readdir(dir).catch(() => [])).filter((n) => n.endsWith('.json')).sort();
  for (const name of names) {
    const sample = parseJsonFile(await readTextFile(path.join(dir, name), 'sample file'), `sample file "${name}"`);
    const inputs = isRecord(sample) ? sampleInputs(sample) : undefined;
    if (!inputs) continue;
    io.stderr(`mofang: no --inputs given; using the sample ${path.join(dir, name)}\n`);
    return inputs;
  }
  return {};
}

/** Compiles and runs a graph file and prints the RunResult; returns the exit code. */
export async function runCommandAction(file: string, opts: { inputs?: string; events?: boolean }, io: CliIo): Promise<number> {
  const graph = await readGraphFile(file);
  const inputs = opts.inputs !== undefined ? await readInputs(opts.inputs) : await defaultInputs(file, graph, io);
  const config = loadConfig(io.env);
  if (config.limits) setLimits(config.limits);
  // The stored endpoints (data directory) and the environment's, as the server resolves them.
  const cliModels = await openCliModels(config);
  const services = createEngineServices({ httpAllow: config.httpAllow, sandbox: config.sandbox, templateLimits: config.templates });
  try {
    const compiled = compileGraph(graph, { templateLimits: services.templateLimits, modelAliases: cliModels.aliases });
    if (!compiled.ok) {
      io.stdout(`${JSON.stringify({ ok: false, errors: compiled.errors }, null, 2)}\n`);
      io.stderr(`mofang: "${file}" does not compile (${compiled.errors.length} problem${compiled.errors.length === 1 ? '' : 's'})\n`);
      return 1;
    }
    const problems = compiled.plan.validateInputs(inputs);
    if (problems) {
      const list = problems.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ');
      throw new CliError(`invalid inputs: ${list}`);
    }
    const { models } = cliModels;
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    try {
      const result = await runPlan(compiled.plan, inputs, {
        models,
        services,
        signal: controller.signal,
        onEvent: opts.events ? (event) => io.stderr(`${JSON.stringify(event)}\n`) : undefined,
      });
      io.stdout(`${JSON.stringify(result, null, 2)}\n`);
      return result.status === 'succeeded' ? 0 : 1;
    } finally {
      process.off('SIGINT', onSigint);
    }
  } finally {
    await Promise.all([services.close(), cliModels.close()]);
  }
}
