import { compileUserPattern, type UserPattern } from '../common/user-regex.js';
import type { ComparisonOp, ConditionConfig } from '@shared/nodes/condition.js';
import { NodeError, type ServerNode } from './kit.js';

/** Condition: evaluates typed comparisons and takes the `true` or the `false` port. */
export const conditionNode: ServerNode<ConditionConfig> = {
  compile(config, ctx) {
    const comparisons = config.conditions.map((c, i) => {
      const right = ctx.templates[`conditions.${i}.right`];
      const literalRegex = c.op === 'matches' && right && right.reads.length === 0 ? compileUserPattern(c.right) : undefined;
      return { op: c.op, left: ctx.templates[`conditions.${i}.left`], right, literalRegex };
    });
    return {
      run(exec) {
        const evaluated = comparisons.map(({ op, left, right, literalRegex }) => {
          const l = left?.render(exec.scope);
          const r = right?.render(exec.scope);
          return { op, left: l, right: r, result: compare(op, l, r, literalRegex) };
        });
        const result = config.combine === 'and' ? evaluated.every((e) => e.result) : evaluated.some((e) => e.result);
        return { outputs: { result }, branch: [result ? 'true' : 'false'], inputs: evaluated };
      },
    };
  },
};

/**
 * Compares two values the way a designer expects: numbers as numbers, text as text; a null or missing
 * value compares false (and is empty). Throws NodeError `invalid_pattern` for a bad run-time pattern.
 */
export function compare(op: ComparisonOp, left: unknown, right: unknown, regex?: UserPattern): boolean {
  switch (op) {
    case 'eq':
      return equal(left, right);
    case 'ne':
      return !equal(left, right);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const a = toNumber(left);
      const b = toNumber(right);
      if (a === undefined || b === undefined) return false;
      return op === 'gt' ? a > b : op === 'gte' ? a >= b : op === 'lt' ? a < b : a <= b;
    }
    case 'contains':
      return contains(left, right);
    case 'not_contains':
      return !contains(left, right);
    case 'starts_with':
      return typeof left === 'string' && left.startsWith(String(right ?? ''));
    case 'matches':
      return (regex ?? patternOf(right)).test(text(left));
    case 'empty':
      return isEmpty(left);
    case 'not_empty':
      return !isEmpty(left);
    case 'is_true':
      return left === true || left === 'true';
    case 'is_false':
      return left === false || left === 'false';
  }
}

/**
 * A pattern that arrives at run time (from a reference). One that does not compile fails the node: a
 * silent false would send every call down the wrong branch.
 */
function patternOf(right: unknown): UserPattern {
  const source = text(right);
  try {
    return compileUserPattern(source);
  } catch (error) {
    throw new NodeError('invalid_pattern', `the pattern for "matches" is not a valid regular expression: ${JSON.stringify(source.slice(0, 200))} (${error instanceof Error ? error.message : String(error)})`, {
      details: { pattern: source.slice(0, 2000) },
    });
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function equal(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') {
    const x = toNumber(a);
    const y = toNumber(b);
    if (x !== undefined && y !== undefined) return x === y;
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') return String(a) === String(b);
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return String(a ?? '') === String(b ?? '');
}

function contains(haystack: unknown, needle: unknown): boolean {
  if (Array.isArray(haystack)) return haystack.some((item) => equal(item, needle));
  return text(haystack).includes(text(needle));
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}
