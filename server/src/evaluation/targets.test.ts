import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GraphSchema } from '@shared/graph.js';
import { builtinCases, builtinSetsOf } from './builtin.js';
import { caseProblem, caseTargets } from './targets.js';

const complaintRisk = GraphSchema.parse(JSON.parse(readFileSync(new URL('../../../templates/complaint-risk/graph.json', import.meta.url), 'utf8')));

describe('case targets', () => {
  it('reads the start inputs and end outputs of a graph by role', () => {
    const targets = caseTargets(complaintRisk);
    expect(targets.inputs).toEqual([{ name: 'transcript', type: 'transcript', required: true, description: expect.any(String) }]);
    expect(targets.outputs.map((o) => o.name)).toEqual(['risk_level', 'warn', 'emotion', 'cues', 'reasons', 'rule_level', 'model_level']);
  });

  it('names the problem of a case: its inputs, an unknown output, or nothing expected', () => {
    const targets = caseTargets(complaintRisk);
    expect(caseProblem(targets, { inputs: { transcript: '客户：你好' }, expected: { warn: true } })).toBeNull();
    expect(caseProblem(targets, { inputs: {}, expected: { warn: true } })).toMatchObject({ code: 'invalid_case_inputs', path: 'inputs.transcript', allowed: ['transcript'] });
    expect(caseProblem(targets, { inputs: { transcript: 'x', extra: 1 }, expected: { warn: true } })).toMatchObject({ code: 'invalid_case_inputs', path: 'inputs.extra' });
    expect(caseProblem(targets, { inputs: { transcript: 'x' }, expected: { risk: 'high' } })).toMatchObject({ code: 'unknown_expected_output', path: 'expected.risk' });
    expect(caseProblem(targets, { inputs: { transcript: 'x' }, expected: {} })).toMatchObject({ code: 'empty_expected' });
    // A value of the wrong type could never be scored right: warn is a boolean output.
    expect(caseProblem(targets, { inputs: { transcript: 'x' }, expected: { warn: 'maybe' } })).toMatchObject({ code: 'invalid_expected_value', path: 'expected.warn', allowed: ['boolean'] });
    expect(caseProblem(targets, { inputs: { transcript: 'x' }, expected: { warn: null } })).toBeNull();
    expect(caseTargets({ ...complaintRisk, nodes: [] })).toMatchObject({ inputs: [], outputs: [] });
  });

  it('ships the STC-3 set with the complaint-risk template: 200 balanced cases that fit it', () => {
    const [shipped] = builtinSetsOf('complaint-risk');
    expect(shipped.citation).toContain('EVIA 2017');
    const cases = builtinCases('complaint-risk', shipped);
    expect(cases).toHaveLength(200);
    expect(cases.filter((c) => c.expected.warn === true)).toHaveLength(100);
    expect(new Set(cases.map((c) => c.id)).size).toBe(200);
    const targets = caseTargets(complaintRisk);
    for (const c of cases) expect(caseProblem(targets, c)).toBeNull();
    expect(builtinSetsOf('call-quality-audit')).toEqual([]);
    expect(builtinSetsOf('../etc')).toEqual([]);
  });
});
