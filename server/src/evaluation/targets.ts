/**
 * What a case of a scenario may hold: the start node's inputs (checked with the run's own input schema)
 * and the end node's outputs (the only keys `expected` may name). Read from the scenario's draft graph
 * by node role, so a draft that does not compile yet still has its sets checked.
 */
import { isReservedCaseId, type EvalTargets } from '@shared/evaluation.js';
import type { Graph } from '@shared/graph.js';
import { schemaForType, VALUE_TYPES, type JsonSchema, type ValueType } from '@shared/json-schema.js';
import { EndConfigSchema, getNodeDefinition, StartConfigSchema } from '@shared/nodes/index.js';
import { DomainError } from '../common/domain-error.js';
import { compileSchema, schemaProblems } from '../common/validation.js';
import type { ValidateFunction } from 'ajv';

/** A scenario's case shape: its inputs' schema and its outputs. */
export interface CaseTargets {
  inputSchema: JsonSchema;
  inputs: EvalTargets['inputs'];
  outputs: EvalTargets['outputs'];
}

/** The inputs and outputs a graph declares (none where its start or end node is missing or damaged). */
export function caseTargets(graph: Graph): CaseTargets {
  const nodes = Array.isArray(graph.nodes) ? graph.nodes : [];
  const entry = nodes.find((n) => getNodeDefinition(n.kind)?.role === 'entry');
  const exit = nodes.find((n) => getNodeDefinition(n.kind)?.role === 'exit');
  const start = StartConfigSchema.safeParse(entry?.config ?? {});
  const end = EndConfigSchema.safeParse(exit?.config ?? {});
  const startDef = entry ? getNodeDefinition(entry.kind) : undefined;
  const none: JsonSchema = { type: 'object' };
  const inputSchema = start.success && startDef?.runInputSchema ? startDef.runInputSchema(start.data) : none;
  return {
    inputSchema,
    inputs: start.success ? start.data.inputs.map((i) => ({ name: i.name, type: i.type, required: i.required && i.default === undefined, description: i.description })) : [],
    outputs: end.success ? end.data.outputs.map((o) => ({ name: o.name, type: o.type, description: o.description })) : [],
  };
}

/** A case that does not fit its scenario, with where (`line`, `case`) when known. */
export interface CaseProblem {
  /** `invalid_case_inputs`, `unknown_expected_output`, `invalid_expected_value` or `empty_expected`. */
  code: string;
  path: string;
  message: string;
  allowed?: string[];
}

/** Each typed output's validator, made once per targets (a 20 000-case upload checks them all). */
const typeChecks = new WeakMap<CaseTargets, Map<string, { type: ValueType; check: ValidateFunction }>>();

function outputTypeChecks(targets: CaseTargets): Map<string, { type: ValueType; check: ValidateFunction }> {
  let checks = typeChecks.get(targets);
  if (!checks) {
    checks = new Map(targets.outputs.flatMap((o) => (isValueType(o.type) ? [[o.name, { type: o.type, check: compileSchema(schemaForType(o.type)) }] as const] : [])));
    typeChecks.set(targets, checks);
  }
  return checks;
}

/** True for an output type with a schema (not `auto`, which takes anything). */
function isValueType(type: string | undefined): type is ValueType {
  return (VALUE_TYPES as readonly string[]).includes(type ?? '');
}

/**
 * The first problem of a case against `targets`, or null: inputs must pass the start schema; every key
 * of `expected` must be an end output, its value of that output's type (null: no expectation); `expected`
 * must name at least one.
 */
export function caseProblem(targets: CaseTargets, value: { inputs: Record<string, unknown>; expected: Record<string, unknown> }): CaseProblem | null {
  const validate = compileSchema(targets.inputSchema);
  if (!validate(value.inputs)) {
    const [first] = schemaProblems(validate.errors, 'inputs');
    const allowed = targets.inputs.map((i) => i.name);
    return { code: 'invalid_case_inputs', path: first?.path ?? 'inputs', message: `${first?.path ?? 'inputs'} ${first?.message ?? 'is invalid'}`, allowed };
  }
  const names = targets.outputs.map((o) => o.name);
  for (const key of Object.keys(value.expected)) {
    if (!names.includes(key)) return { code: 'unknown_expected_output', path: `expected.${key}`, message: `expected.${key} is not an output of the scenario (outputs: ${names.join(', ') || 'none'})`, allowed: names };
  }
  const typed = outputTypeChecks(targets);
  for (const [key, expected] of Object.entries(value.expected)) {
    const output = typed.get(key);
    if (!output || expected === null) continue;
    const { type, check } = output;
    if (!check(expected)) {
      return { code: 'invalid_expected_value', path: `expected.${key}`, message: `expected.${key} should be ${type}, not ${JSON.stringify(expected).slice(0, 60)}: a case that can never be scored right`, allowed: [type] };
    }
  }
  if (Object.keys(value.expected).length === 0) return { code: 'empty_expected', path: 'expected', message: 'expected names no output: give at least one', allowed: names };
  return null;
}

/** Throws a 400 {@link DomainError} for the first case of `cases` that does not fit (details: code, path, allowed, index, line). */
export function checkCases(targets: CaseTargets, cases: Array<{ inputs: Record<string, unknown>; expected: Record<string, unknown>; line?: number; id?: string }>): void {
  cases.forEach((c, index) => {
    // Every way in (JSON, a file's id column, promote, a shipped set) passes here: no id may reach an object's prototype.
    if (c.id !== undefined && isReservedCaseId(c.id)) {
      throw new DomainError('invalid', 'reserved_case_id', `${c.line === undefined ? `case ${index + 1}` : `line ${c.line}`}: the case id "${c.id}" is a name JavaScript objects reserve; choose another`, { case_id: c.id, index, ...(c.line === undefined ? {} : { line: c.line }) });
    }
    const problem = caseProblem(targets, c);
    if (!problem) return;
    const where = c.line === undefined ? `case ${index + 1}` : `line ${c.line}`;
    throw new DomainError('invalid', problem.code, `${where}: ${problem.message}`, { path: problem.path, allowed: problem.allowed ?? [], index, ...(c.line === undefined ? {} : { line: c.line }), ...(c.id === undefined ? {} : { case_id: c.id }) });
  });
}
