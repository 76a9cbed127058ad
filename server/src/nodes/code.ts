import { isRecord } from '@shared/json.js';
import type { CodeConfig } from '@shared/nodes/code.js';
import { NodeError, type CompiledTemplate, type ServerNode } from './kit.js';

/** Extra time the runtime allows past the script's own limit, so the sandbox reports its own timeout first. */
export const CODE_TIMEOUT_MARGIN_MS = 2000;

type OutputType = CodeConfig['outputs'][number]['type'];

/**
 * Code: runs the user's `main(inputs)` in the sandbox with the node's time and memory limits, in the
 * run's scenario's turn (see {@link CodeSandbox}).
 * Every declared output must be present with its declared type (`integer` refuses 1.5, `number` takes
 * any finite number, `null` counts as missing); keys that are not declared are dropped, because
 * downstream references are checked against the declared outputs only.
 */
export const codeNode: ServerNode<CodeConfig> = {
  compile(config, ctx) {
    const inputs = config.inputs.map((input, i) => ({ name: input.name, template: ctx.templates[`inputs.${i}.value`] ?? constant(input.value) }));
    return {
      // The node's time limit is the sandbox's to enforce once a worker takes the script; waiting for a
      // worker has its own limit. The runtime's timer is only a backstop past both, so it never turns a
      // wait in line into a timeout of the node.
      timeoutMs: (services) => (services.sandbox.queueTimeoutMs ?? 0) + config.timeoutMs + CODE_TIMEOUT_MARGIN_MS,
      retries: 0,
      async run(exec) {
        const resolved: Record<string, unknown> = {};
        for (const input of inputs) resolved[input.name] = input.template.render(exec.scope);
        // Without a scenario (a bare graph from the command line) the run is its own turn.
        const scenario = exec.scenario ?? `run:${exec.runId}`;
        const limits = { timeoutMs: config.timeoutMs, memoryMb: config.memoryMb, signal: exec.signal, scenario, priority: exec.priority ?? 0 };
        const result = await exec.services.sandbox.run(config.code, resolved, limits);
        return { outputs: checkOutputs(result, config.outputs), inputs: resolved };
      },
    };
  },
};

/**
 * Keeps the declared outputs of a script's result, checking each one's type; throws `code_output`
 * listing every problem.
 */
export function checkOutputs(result: unknown, declared: CodeConfig['outputs']): Record<string, unknown> {
  if (!isRecord(result)) throw new NodeError('code_output', `main must return an object, got ${describe(result)}`);
  const outputs: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const { name, type } of declared) {
    const value = result[name];
    if (value === undefined || value === null) problems.push(`"${name}" is missing`);
    else if (!hasType(value, type)) problems.push(`"${name}" should be ${article(type)}, got ${describe(value)}`);
    else outputs[name] = value;
  }
  if (problems.length > 0) {
    throw new NodeError('code_output', `the result of main does not match the declared outputs: ${problems.join('; ')}`, {
      details: { problems, keys: Object.keys(result) },
    });
  }
  return outputs;
}

function hasType(value: unknown, type: OutputType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isRecord(value);
    case 'array':
      return Array.isArray(value);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isInteger(value)) return `the number ${value}`;
  if (typeof value === 'object') return 'an object';
  return `${article(typeof value)} (${JSON.stringify(value)?.slice(0, 40) ?? String(value)})`;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** A template that is plain text, for an input whose template the compiler did not supply. */
function constant(source: string): CompiledTemplate {
  return { source, render: () => source, renderText: () => source, reads: [] };
}
