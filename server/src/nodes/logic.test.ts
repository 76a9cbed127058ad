import { compileUserPattern } from '../common/user-regex.js';
import { describe, expect, it } from 'vitest';
import { compileGraph, runPlan } from '../engine/index.js';
import { noServices } from '../engine/testing.js';
import { ScriptedModel } from '../model/scripted.js';
import { compare } from './condition.js';
import { runOne } from './run-node.testing.js';

describe('condition', () => {
  it('compares numbers as numbers and text as text', () => {
    expect(compare('gt', '10', '9')).toBe(true);
    expect(compare('eq', 5, '5')).toBe(true);
    expect(compare('contains', ['a', 'b'], 'b')).toBe(true);
    expect(compare('contains', '我要投诉', '投诉')).toBe(true);
    expect(compare('matches', '13912345678', '', compileUserPattern('^1\\d{10}$'))).toBe(true);
    expect(compare('empty', [], undefined)).toBe(true);
    expect(compare('gt', 'abc', '1')).toBe(false);
    expect(compare('is_true', true, undefined)).toBe(true);
  });

  it('matches in linear time: a pattern that backtracks exponentially in JavaScript is instant, a backreference is refused', () => {
    const started = performance.now();
    expect(compare('matches', `${'a'.repeat(5000)}!`, '^(a+)+$')).toBe(false);
    expect(compare('matches', '宽带宽带', '^(\\p{Han}+)+$')).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(() => compare('matches', 'aa', '(a)\\1')).toThrow(/backreferences and lookarounds are not supported/);
  });

  it('null compares false and is empty; a bad run-time pattern throws instead of choosing false', () => {
    for (const op of ['gt', 'gte', 'lt', 'lte', 'is_true', 'is_false'] as const) expect(compare(op, null, '0')).toBe(false);
    expect(compare('empty', null, undefined)).toBe(true);
    expect(compare('not_empty', null, undefined)).toBe(false);
    expect(() => compare('matches', 'abc', '([')).toThrow(/not a valid regular expression.*\(\[/);
  });

  it('accepts nullable numbers and booleans; a pattern from a reference that does not compile fails the node naming it', async () => {
    const graph = {
      schema: 'mofang.graph/v1',
      name: 'nullable',
      nodes: [
        { id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [{ name: 'text', type: 'string' }, { name: 'pattern', type: 'string' }] } },
        { id: 'x', kind: 'extract', version: 1, position: { x: 0, y: 0 }, config: { input: '{{ start.text }}', fields: [{ name: 'amount', type: 'number' }, { name: 'vip', type: 'boolean' }] } },
        {
          id: 'cond',
          kind: 'condition',
          version: 1,
          position: { x: 0, y: 0 },
          config: { conditions: [{ left: '{{ x.form.amount }}', op: 'gt', right: '100' }, { left: '{{ x.form.vip }}', op: 'is_true' }], combine: 'or' },
        },
        { id: 'p', kind: 'condition', version: 1, position: { x: 0, y: 0 }, config: { conditions: [{ left: '{{ start.text }}', op: 'matches', right: '{{ start.pattern }}' }] } },
        { id: 'end', kind: 'end', version: 1, position: { x: 0, y: 0 }, config: { outputs: [{ name: 'big', value: '{{ cond.result }}' }] } },
      ],
      edges: [
        { id: 'e1', source: 'start', sourcePort: 'out', target: 'x', targetPort: 'in' },
        { id: 'e2', source: 'x', sourcePort: 'out', target: 'cond', targetPort: 'in' },
        { id: 'e3', source: 'cond', sourcePort: 'true', target: 'p', targetPort: 'in' },
        { id: 'e4', source: 'cond', sourcePort: 'false', target: 'p', targetPort: 'in' },
        { id: 'e5', source: 'p', sourcePort: 'true', target: 'end', targetPort: 'in' },
        { id: 'e6', source: 'p', sourcePort: 'false', target: 'end', targetPort: 'in' },
      ],
    };
    const compiled = compileGraph(graph);
    expect(compiled.errors).toEqual([]);
    if (!compiled.ok) return;
    const model = new ScriptedModel(() => ({ json: { form: { amount: null, vip: null }, evidence: {} } }));
    const ok = await runPlan(compiled.plan, { text: '客户：查一下话费', pattern: '话费' }, { services: noServices, models: model.resolver() });
    expect(ok).toMatchObject({ status: 'succeeded', outputs: { big: false } });
    const bad = await runPlan(compiled.plan, { text: '客户：查一下话费', pattern: '([' }, { services: noServices, models: model.resolver() });
    expect(bad.error).toMatchObject({ code: 'node_error', nodeId: 'p', details: { node_error: 'invalid_pattern' } });
    expect(bad.error?.message).toContain('"(["');
  });

  it('takes only the matching branch; the other branch is skipped and merge picks what ran', async () => {
    const graph = {
      schema: 'mofang.graph/v1',
      name: 'branch',
      nodes: [
        { id: 'start', kind: 'start', version: 1, position: { x: 0, y: 0 }, config: { inputs: [{ name: 'amount', type: 'number' }] } },
        { id: 'cond', kind: 'condition', version: 1, position: { x: 0, y: 0 }, config: { conditions: [{ left: '{{ start.amount }}', op: 'gte', right: '100' }] } },
        { id: 'big', kind: 'template', version: 1, position: { x: 0, y: 0 }, config: { template: '大额 {{ start.amount }}' } },
        { id: 'small', kind: 'template', version: 1, position: { x: 0, y: 0 }, config: { template: '小额' } },
        { id: 'm', kind: 'merge', version: 1, position: { x: 0, y: 0 }, config: { values: ['{{ big.text }}', '{{ small.text }}'] } },
        { id: 'end', kind: 'end', version: 1, position: { x: 0, y: 0 }, config: { outputs: [{ name: 'label', type: 'string', value: '{{ m.value }}' }, { name: 'from', value: '{{ m.from }}' }] } },
      ],
      edges: [
        { id: 'e1', source: 'start', sourcePort: 'out', target: 'cond', targetPort: 'in' },
        { id: 'e2', source: 'cond', sourcePort: 'true', target: 'big', targetPort: 'in' },
        { id: 'e3', source: 'cond', sourcePort: 'false', target: 'small', targetPort: 'in' },
        { id: 'e4', source: 'big', sourcePort: 'out', target: 'm', targetPort: 'in' },
        { id: 'e5', source: 'small', sourcePort: 'out', target: 'm', targetPort: 'in' },
        { id: 'e6', source: 'm', sourcePort: 'out', target: 'end', targetPort: 'in' },
      ],
    };
    const compiled = compileGraph(graph);
    expect(compiled.errors).toEqual([]);
    if (!compiled.ok) return;
    const models = new ScriptedModel(() => 'unused').resolver();
    const skipped: string[] = [];
    const big = await runPlan(compiled.plan, { amount: 250 }, { services: noServices, models, onEvent: (e) => e.type === 'node.skipped' && skipped.push(e.node_id) });
    expect(big.outputs).toEqual({ label: '大额 250', from: 'big' });
    expect(skipped).toEqual(['small']);
    const small = await runPlan(compiled.plan, { amount: 3 }, { services: noServices, models });
    expect(small.outputs).toEqual({ label: '小额', from: 'small' });
  });
});

describe('llm', () => {
  it('text output: renders both prompts and returns the reply', async () => {
    const { result, model } = await runOne(
      { kind: 'llm', config: { system: '你是质检员', user: '总结：{{ start.transcript.text }}' } },
      [{ name: 'summary', value: '{{ n.text }}' }],
      { transcript: '客户：宽带坏了' },
      () => '客户报修宽带',
    );
    expect(result.outputs).toEqual({ summary: '客户报修宽带' });
    expect(model.requests[0].messages).toEqual([
      { role: 'system', content: '你是质检员' },
      { role: 'user', content: '总结：[t1] customer: 宽带坏了' },
    ]);
    expect(result.usage.model_calls).toBe(1);
  });

  it('json output: validated against the fields', async () => {
    const { result } = await runOne(
      { kind: 'llm', config: { user: '{{ start.transcript.text }}', output: 'json', fields: [{ name: 'mood', enum: ['calm', 'angry'], required: true }] } },
      [{ name: 'mood', value: '{{ n.json.mood }}' }],
      { transcript: '客户：气死了' },
      () => ({ json: { mood: 'angry' } }),
    );
    expect(result.outputs).toEqual({ mood: 'angry' });
  });
});

describe('end', () => {
  it('reads declared numbers from text and rejects outputs that do not fit the schema', async () => {
    const ok = await runOne({ kind: 'template', config: { template: '42' } }, [{ name: 'n', type: 'integer', value: '{{ n.text }}' }], { transcript: '客户：x' });
    expect(ok.result.outputs).toEqual({ n: 42 });
    const bad = await runOne({ kind: 'template', config: { template: 'forty' } }, [{ name: 'n', type: 'integer', value: '{{ n.text }}' }], { transcript: '客户：x' });
    expect(bad.result.status).toBe('failed');
    expect(bad.result.error?.code).toBe('invalid_outputs');
    expect(bad.result.error?.message).toContain('outputs.n');
  });
});
