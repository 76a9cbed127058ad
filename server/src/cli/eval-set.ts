/**
 * Evaluation sets as `mofang eval` reads them from a file: JSONL, one case a line,
 * `{ "id"?, "inputs": {…}, "expected": {…} }`. Every problem is reported with its line number, so a
 * set can be fixed in one pass.
 */
import { isRecord, parseJson } from '@shared/json.js';
import { isReservedCaseId, RESERVED_CASE_IDS } from '@shared/evaluation.js';
import type { ExecutionPlan } from '../engine/index.js';
import { checkJson, describeBreach } from '../limits.js';
import { describeNul, findNul } from '@shared/nul.js';
import { readTextFile } from './errors.js';

/** One case of a set: the run's inputs and the end outputs expected (all of them or only those that matter). */
export interface EvalCase {
  /** The line's `id` (a string or number, as text), else `line-<n>`. */
  id: string;
  /** The 1-based line of the file the case came from. */
  line: number;
  inputs: Record<string, unknown>;
  expected: Record<string, unknown>;
}

/** Most problems listed in one error; the rest are counted. */
const MAX_LISTED = 20;

/** A set file that cannot be used: `problems` are `line <n>: <what>` texts, in file order. */
export class EvalSetError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    const shown = problems.slice(0, MAX_LISTED).map((p) => `\n  ${p}`).join('');
    const more = problems.length > MAX_LISTED ? `\n  … and ${problems.length - MAX_LISTED} more` : '';
    super(`the set "${file}" has ${problems.length} problem${problems.length === 1 ? '' : 's'}:${shown}${more}`);
    this.name = 'EvalSetError';
  }
}

const quoteList = (names: string[]) => names.map((n) => `"${n}"`).join(', ');

/**
 * Parses the text of a JSONL set and checks each case against the compiled plan: the line must be a JSON
 * object within the JSON limits, with `inputs` an object the plan accepts (no input the start node does
 * not declare, required ones present, types right) and `expected` a non-empty object whose keys are end
 * outputs; an `id` is a string or number and unique. Blank lines are skipped.
 *
 * @param file the file's name, for messages
 * @returns the cases in file order
 * @throws EvalSetError listing every problem as `line <n>: …` (also when the file holds no case)
 */
export function parseEvalSet(text: string, file: string, plan: ExecutionPlan): EvalCase[] {
  const inputNames = Object.keys(isRecord(plan.inputSchema.properties) ? plan.inputSchema.properties : {});
  const outputNames = Object.keys(isRecord(plan.outputSchema.properties) ? plan.outputSchema.properties : {});
  const cases: EvalCase[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    const problem = (what: string) => problems.push(`line ${line}: ${what}`);
    let parseError: string | undefined;
    const value = parseJson(raw.replace(/^\uFEFF/, ''), (error) => void (parseError = error.message));
    if (parseError !== undefined) return void problem(`not valid JSON (${parseError})`);
    const breach = checkJson(value);
    if (breach) return void problem(describeBreach(breach, 'the case'));
    const nul = findNul(value);
    if (nul) return void problem(`the case ${describeNul(nul.path, nul.inKey)}`);
    if (!isRecord(value)) return void problem('a case is a JSON object { "id"?, "inputs": {…}, "expected": {…} }');
    const { id, inputs, expected } = value;
    if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') problem('"id" must be a string or a number');
    const caseId = typeof id === 'string' || typeof id === 'number' ? String(id) : `line-${line}`;
    if (isReservedCaseId(caseId)) problem(`the id "${caseId}" is a name JavaScript objects reserve (${RESERVED_CASE_IDS.join(', ')}); choose another`);
    const before = seen.get(caseId);
    if (before !== undefined) problem(`the id "${caseId}" is already used on line ${before}`);
    else seen.set(caseId, line);
    const ok = checkInputs(inputs, inputNames, plan, problem) && checkExpected(expected, outputNames, problem);
    if (ok && isRecord(inputs) && isRecord(expected)) cases.push({ id: caseId, line, inputs: { ...inputs }, expected: { ...expected } });
  });
  if (problems.length === 0 && cases.length === 0) problems.push('line 1: the set holds no case (one JSON object a line)');
  if (problems.length > 0) throw new EvalSetError(file, problems);
  return cases;
}

function checkInputs(inputs: unknown, inputNames: string[], plan: ExecutionPlan, problem: (what: string) => void): boolean {
  if (!isRecord(inputs)) {
    problem('"inputs" must be an object of the run\'s inputs, e.g. { "transcript": "坐席：您好" }');
    return false;
  }
  const unknown = Object.keys(inputs).filter((name) => !inputNames.includes(name));
  if (unknown.length > 0) {
    problem(`unknown input${unknown.length === 1 ? '' : 's'} ${quoteList(unknown)}; the graph's inputs are ${quoteList(inputNames) || '(none)'}`);
    return false;
  }
  const invalid = plan.validateInputs(inputs);
  if (invalid) {
    problem(`invalid inputs: ${invalid.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ')}`);
    return false;
  }
  return true;
}

function checkExpected(expected: unknown, outputNames: string[], problem: (what: string) => void): boolean {
  if (!isRecord(expected) || Object.keys(expected).length === 0) {
    problem(`"expected" must be an object naming at least one end output (${quoteList(outputNames)})`);
    return false;
  }
  const unknown = Object.keys(expected).filter((name) => !outputNames.includes(name));
  if (unknown.length > 0) {
    problem(`"expected" names ${quoteList(unknown)}, not ${unknown.length === 1 ? 'an end output' : 'end outputs'}; the end outputs are ${quoteList(outputNames)}`);
    return false;
  }
  return true;
}

/** Reads and parses a JSONL set file ({@link parseEvalSet}); a missing file is a CliError. */
export async function readEvalSet(file: string, plan: ExecutionPlan): Promise<EvalCase[]> {
  return parseEvalSet(await readTextFile(file, 'set file'), file, plan);
}
