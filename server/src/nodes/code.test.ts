import { CodeConfigSchema, type CodeConfig } from '@shared/nodes/code.js';
import { afterAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../services/sandbox.js';
import { checkOutputs, codeNode, CODE_TIMEOUT_MARGIN_MS } from './code.js';
import { NodeError, type CodeSandbox } from './kit.js';
import { fakeCompileContext, fakeExecContext, withServices } from './test-kit.js';

const sandbox = createSandbox({ poolSize: 1 });
afterAll(() => sandbox.close());

function compile(partial: Partial<CodeConfig>, services: { sandbox: CodeSandbox } = { sandbox }) {
  const config = CodeConfigSchema.parse(partial);
  const templates = Object.fromEntries(config.inputs.map((input, i) => [`inputs.${i}.value`, { source: input.value, mode: 'value' as const }]));
  return withServices(codeNode.compile(config, fakeCompileContext(templates)), services);
}

async function failure(promise: Promise<unknown> | unknown): Promise<NodeError> {
  const error = await Promise.resolve(promise).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof NodeError)) throw new Error(`expected a NodeError, got ${String(error)}`);
  return error;
}

const scope = { start: { transcript: { turns: [{ role: 'agent', text: '您好' }, { role: 'customer', text: '宽带坏了' }] }, phone: '13800000000' } };

describe('code node', () => {
  it('runs main on the resolved inputs, keeping objects as objects', async () => {
    const step = compile({
      code: 'function main({ transcript, phone }) { return { turns: transcript.turns.length, tail: phone.slice(-4), roles: transcript.turns.map((t) => t.role) }; }',
      inputs: [
        { name: 'transcript', value: '{{ start.transcript }}' },
        { name: 'phone', value: '{{ start.phone }}' },
      ],
      outputs: [
        { name: 'turns', type: 'integer' },
        { name: 'tail', type: 'string' },
        { name: 'roles', type: 'array' },
      ],
    });
    expect(step.timeoutMs).toBe(sandbox.queueTimeoutMs + 1000 + CODE_TIMEOUT_MARGIN_MS);
    expect(step.retries).toBe(0);
    const result = await step.run(fakeExecContext(scope));
    expect(result.outputs).toEqual({ turns: 2, tail: '0000', roles: ['agent', 'customer'] });
    expect(result.inputs).toEqual({ transcript: scope.start.transcript, phone: '13800000000' });
  });

  it('drops keys that are not declared outputs', async () => {
    const step = compile({ code: 'function main() { return { a: 1, extra: "x" }; }', outputs: [{ name: 'a', type: 'number' }] });
    expect((await step.run(fakeExecContext({}))).outputs).toEqual({ a: 1 });
  });

  it('reports a script error from the sandbox', async () => {
    const step = compile({ code: 'function main() {\n  return inputs.nope.x;\n}' });
    const error = await failure(step.run(fakeExecContext({})));
    expect(error.code).toBe('code_error');
    expect(error.message).toContain('line 2');
  });

  it('passes the limits, the signal, the scenario and the priority to the sandbox', async () => {
    const calls: unknown[] = [];
    const fake: CodeSandbox = {
      async run(code, inputs, limits) {
        calls.push({ inputs, limits });
        return { ok: true };
      },
    };
    const controller = new AbortController();
    const step = compile({ code: 'function main() {}', timeoutMs: 250, memoryMb: 8, inputs: [{ name: 'n', value: 'fixed text' }], outputs: [{ name: 'ok', type: 'boolean' }] }, { sandbox: fake });
    await step.run({ ...fakeExecContext({}, controller.signal), scenario: 'triage', priority: 1 });
    // A bare graph (no scenario) takes its turn as its own run.
    await step.run(fakeExecContext({}, controller.signal));
    expect(calls).toEqual([
      { inputs: { n: 'fixed text' }, limits: { timeoutMs: 250, memoryMb: 8, signal: controller.signal, scenario: 'triage', priority: 1 } },
      { inputs: { n: 'fixed text' }, limits: { timeoutMs: 250, memoryMb: 8, signal: controller.signal, scenario: 'run:run_1', priority: 0 } },
    ]);
  });

  it("gives the runtime's timer room for the sandbox's queue wait, so waiting in line never times the node out", () => {
    const fake: CodeSandbox = { queueTimeoutMs: 7000, run: async () => ({}) };
    expect(compile({ code: 'function main() {}', timeoutMs: 250 }, { sandbox: fake }).timeoutMs).toBe(7000 + 250 + CODE_TIMEOUT_MARGIN_MS);
    expect(compile({ code: 'function main() {}', timeoutMs: 250 }, { sandbox: { run: async () => ({}) } }).timeoutMs).toBe(250 + CODE_TIMEOUT_MARGIN_MS);
  });
});

describe('checkOutputs', () => {
  const declared: CodeConfig['outputs'] = [
    { name: 'count', type: 'integer' },
    { name: 'score', type: 'number' },
    { name: 'label', type: 'string' },
    { name: 'ok', type: 'boolean' },
    { name: 'meta', type: 'object' },
    { name: 'list', type: 'array' },
  ];

  it('accepts values of the declared types', () => {
    const value = { count: 3, score: 0.5, label: '投诉', ok: false, meta: { a: 1 }, list: [] };
    expect(checkOutputs(value, declared)).toEqual(value);
  });

  it('lists every missing or mistyped output', () => {
    try {
      checkOutputs({ count: 1.5, score: '1', ok: null, meta: [], list: {} }, declared);
      throw new Error('expected checkOutputs to throw');
    } catch (error) {
      if (!(error instanceof NodeError)) throw error;
      expect(error.code).toBe('code_output');
      expect(error.details).toMatchObject({ problems: expect.arrayContaining([expect.stringContaining('"count" should be an integer')]) });
      for (const name of ['count', 'score', 'label', 'ok', 'meta', 'list']) expect(error.message).toContain(`"${name}"`);
    }
  });

  it('refuses a result that is not an object', () => {
    expect(() => checkOutputs([1], [])).toThrow(/must return an object/);
  });
});
