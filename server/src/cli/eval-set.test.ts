import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileGraph, type ExecutionPlan } from '../engine/index.js';
import { EvalSetError, parseEvalSet } from './eval-set.js';

function templatePlan(): ExecutionPlan {
  const compiled = compileGraph(JSON.parse(readFileSync(new URL('../../../templates/complaint-risk/graph.json', import.meta.url), 'utf8')));
  if (!compiled.ok) throw new Error('the template does not compile');
  return compiled.plan;
}

const plan = templatePlan();
const line = (value: unknown) => JSON.stringify(value);
const problemsOf = (text: string): string[] => {
  try {
    parseEvalSet(text, 'set.jsonl', plan);
  } catch (error) {
    if (error instanceof EvalSetError) return error.problems;
    throw error;
  }
  throw new Error('expected the set to be refused');
};

describe('parseEvalSet', () => {
  it('reads one case a line, skipping blank lines, with ids given or line-<n>', () => {
    const text = ['\uFEFF' + line({ id: 'a', inputs: { transcript: '客户：你好' }, expected: { risk_level: 'low' } }), '', '  ', line({ id: 7, inputs: { transcript: '客户：在吗' }, expected: { warn: false, risk_level: 'low' } }), line({ inputs: { transcript: '客户：谢谢' }, expected: { emotion: '平静' } })].join('\r\n');
    expect(parseEvalSet(text, 'set.jsonl', plan)).toEqual([
      { id: 'a', line: 1, inputs: { transcript: '客户：你好' }, expected: { risk_level: 'low' } },
      { id: '7', line: 4, inputs: { transcript: '客户：在吗' }, expected: { warn: false, risk_level: 'low' } },
      { id: 'line-5', line: 5, inputs: { transcript: '客户：谢谢' }, expected: { emotion: '平静' } },
    ]);
  });

  it('refuses case ids a JavaScript object reserves (__proto__, constructor, prototype, toString)', () => {
    const ok = { inputs: { transcript: '客户：你好' }, expected: { risk_level: 'low' } };
    const problems = problemsOf(['__proto__', 'constructor', 'prototype', 'toString'].map((id) => `{"id": ${JSON.stringify(id)}, "inputs": {"transcript": "客户：你好"}, "expected": {"risk_level": "low"}}`).concat(line({ ...ok, id: 'fine' })).join('\n'));
    expect(problems).toHaveLength(4);
    problems.forEach((p, i) => expect(p).toMatch(new RegExp(`^line ${i + 1}: the id "[a-zA-Z_]+" is a name JavaScript objects reserve`)));
  });

  it('lists every bad line with its number and what is wrong', () => {
    const ok = { inputs: { transcript: '客户：你好' }, expected: { risk_level: 'low' } };
    const problems = problemsOf(
      [
        line({ ...ok, id: 'x' }),
        line({ ...ok, id: 'x' }),
        '{"inputs": ',
        line({ ...ok, id: true }),
        line({ inputs: 'hello', expected: { risk_level: 'low' } }),
        line({ inputs: { transcript: '客户：你好' } }),
        line({ inputs: { transcript: '客户：你好' }, expected: {} }),
        line({ inputs: { transcript: '客户：你好', agent: 'a' }, expected: { risk_level: 'low' } }),
        line({ inputs: { transcript: '客户：你好' }, expected: { risk_level: 'low', score: 3 } }),
        line({ inputs: {}, expected: { risk_level: 'low' } }),
        line('a string'),
      ].join('\n'),
    );
    expect(problems).toEqual([
      'line 2: the id "x" is already used on line 1',
      expect.stringMatching(/^line 3: not valid JSON \(/),
      'line 4: "id" must be a string or a number',
      expect.stringMatching(/^line 5: "inputs" must be an object/),
      expect.stringMatching(/^line 6: "expected" must be an object naming at least one end output \("risk_level", "warn", "emotion"/),
      expect.stringMatching(/^line 7: "expected" must be an object/),
      'line 8: unknown input "agent"; the graph\'s inputs are "transcript"',
      expect.stringMatching(/^line 9: "expected" names "score", not an end output; the end outputs are "risk_level"/),
      expect.stringMatching(/^line 10: invalid inputs: .*transcript/),
      expect.stringMatching(/^line 11: a case is a JSON object/),
    ]);
  });

  it('refuses an empty set, and shows at most 20 problems in its message', () => {
    expect(problemsOf('\n\n')).toEqual(['line 1: the set holds no case (one JSON object a line)']);
    const many = Array.from({ length: 25 }, () => 'not json').join('\n');
    const error = (() => {
      try {
        parseEvalSet(many, 'many.jsonl', plan);
      } catch (e) {
        return e as EvalSetError;
      }
    })();
    expect(error?.problems).toHaveLength(25);
    expect(error?.message).toMatch(/^the set "many\.jsonl" has 25 problems:/);
    expect(error?.message).toMatch(/line 20: not valid JSON[^\n]*\n {2}… and 5 more$/);
    expect(error?.message).not.toMatch(/line 21:/);
  });

  it('refuses U+0000 in a case, naming the line and the path (the NUL rule)', () => {
    const ok = { inputs: { transcript: '客户：你好' }, expected: { risk_level: 'low' } };
    expect(problemsOf([line(ok), line({ ...ok, inputs: { transcript: '客户：\u0000' } })].join('\n'))).toEqual([expect.stringMatching(/^line 2: the case holds the NUL character \(U\+0000\) at inputs\.transcript/)]);
  });
});
