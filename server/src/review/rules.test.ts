import { describe, expect, it } from 'vitest';
import { ReviewRulesBodySchema, type ReviewRule } from '@shared/review.js';
import { DomainError } from '../common/domain-error.js';
import { checkRules, matchRules, reviewKind, sampleDraw, type EndOutput } from './rules.js';

const ctx = (sampled = 0) => ({ scenarioId: 's1', sourceKey: 'run:r1', sampledToday: () => sampled });
const match = (rules: ReviewRule[], outputs: Record<string, unknown>, sampled = 0) => matchRules(rules, outputs, ctx(sampled));

const OUTPUTS: EndOutput[] = [
  { name: 'confidence', type: 'number', description: '', schema: { type: 'number' } },
  { name: 'intent', type: 'auto', description: '', schema: { type: 'object', properties: { label: { type: 'string', enum: ['a', 'b'] }, confidence: { type: 'number' } } } },
  { name: 'level', type: 'string', description: '', schema: { type: 'string' } },
  { name: 'rule_level', type: 'string', description: '', schema: { type: 'string' } },
  { name: 'items', type: 'auto', description: '', schema: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, result: { type: 'string' } } } } },
  { name: 'fatal', type: 'array', description: '', schema: { type: 'array', items: { type: 'string' } } },
  { name: 'flag', type: 'boolean', description: '', schema: { type: 'boolean' } },
];

function refusal(body: unknown): { code: string; details: unknown } {
  try {
    checkRules(ReviewRulesBodySchema.parse(body), OUTPUTS);
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, details: error.details };
    throw error;
  }
  return { code: 'none', details: undefined };
}

describe('review rules: matching', () => {
  it('takes a confidence below the threshold, from a number or a classifier-like object, and says what it saw', () => {
    const rule: ReviewRule = { kind: 'low_confidence', output: 'confidence', below: 0.6 };
    expect(match([rule], { confidence: 0.42 })).toEqual([{ code: 'low_confidence', output: 'confidence', value: 0.42, threshold: 0.6 }]);
    expect(match([rule], { confidence: 0.6 })).toEqual([]);
    expect(match([rule], { confidence: null })).toEqual([]);
    expect(match([{ kind: 'low_confidence', output: 'intent', below: 0.5 }], { intent: { label: 'a', confidence: 0.3 } })).toMatchObject([{ value: 0.3 }]);
  });

  it('finds red lines in audit items, red-line id lists and a failed verdict', () => {
    const items = [
      { id: 'greeting', result: 'fail', fatal: false },
      { id: 'abuse', result: 'fail', fatal: true },
    ];
    expect(match([{ kind: 'red_line', output: 'items' }], { items })).toEqual([{ code: 'red_line', output: 'items', items: ['abuse'] }]);
    expect(match([{ kind: 'red_line', output: 'items' }], { items: [{ id: 'abuse', result: 'pass', fatal: true }] })).toEqual([]);
    expect(match([{ kind: 'red_line', output: 'fatal' }], { fatal: ['abuse'] })).toMatchObject([{ items: ['abuse'] }]);
    expect(match([{ kind: 'red_line', output: 'fatal' }], { fatal: [] })).toEqual([]);
    expect(match([{ kind: 'red_line', output: 'audit' }], { audit: { verdict: 'fail', fatal: [], items: [] } })).toEqual([{ code: 'red_line', output: 'audit', items: [], value: 'fail' }]);
  });

  it('sees a disagreement between two outputs, ignoring case, width and spaces, and not when one is missing', () => {
    const rule: ReviewRule = { kind: 'disagreement', outputs: ['level', 'rule_level'] };
    expect(match([rule], { level: 'high', rule_level: 'low' })).toEqual([{ code: 'disagreement', outputs: ['level', 'rule_level'], value: ['high', 'low'] }]);
    expect(match([rule], { level: ' HIGH', rule_level: 'ｈｉｇｈ' })).toEqual([]);
    expect(match([rule], { level: 'high', rule_level: null })).toEqual([]);
    expect(match([rule], { level: { a: 1, b: [2] }, rule_level: { b: [2], a: 1 } })).toEqual([]);
  });

  it('always takes a result, and gives one reason per matching rule', () => {
    expect(match([{ kind: 'always' }, { kind: 'low_confidence', output: 'confidence', below: 0.9 }], { confidence: 0.5 }).map((r) => r.code)).toEqual(['always', 'low_confidence']);
  });

  it('samples reproducibly about the percentage asked, and stops at the day’s maximum', () => {
    expect(sampleDraw('s', 'sc', 'run:1')).toBe(sampleDraw('s', 'sc', 'run:1'));
    expect(sampleDraw('s', 'sc', 'run:1')).not.toBe(sampleDraw('other seed', 'sc', 'run:1'));
    const rule: ReviewRule = { kind: 'daily_sample', percent: 10, seed: '' };
    let taken = 0;
    for (let i = 0; i < 5000; i++) if (matchRules([rule], {}, { scenarioId: 'sc', sourceKey: `run:${i}`, sampledToday: () => 0 }).length > 0) taken++;
    expect(taken).toBeGreaterThan(400);
    expect(taken).toBeLessThan(600);
    const all: ReviewRule = { kind: 'daily_sample', percent: 100, max_per_day: 3, seed: '' };
    expect(match([all], {}, 2)).toEqual([{ code: 'daily_sample', threshold: 100 }]);
    expect(match([all], {}, 3)).toEqual([]);
  });
});

describe('review rules: checked against the end outputs', () => {
  it('accepts rules that fit', () => {
    expect(refusal({ rules: [{ kind: 'low_confidence', output: 'intent', below: 0.6 }, { kind: 'red_line', output: 'items' }, { kind: 'red_line', output: 'fatal' }, { kind: 'disagreement', outputs: ['level', 'rule_level'] }, { kind: 'daily_sample', percent: 5 }, { kind: 'always' }], outputs: ['level'] }).code).toBe('none');
  });

  it('refuses with a code and the path of the first misfit', () => {
    expect(refusal({ rules: [{ kind: 'always' }, { kind: 'red_line', output: 'nope' }] })).toEqual({ code: 'unknown_review_output', details: { path: 'rules.1.output', output: 'nope', allowed: OUTPUTS.map((o) => o.name) } });
    expect(refusal({ rules: [], outputs: ['ghost'] })).toMatchObject({ code: 'unknown_review_output', details: { path: 'outputs.0' } });
    expect(refusal({ rules: [{ kind: 'low_confidence', output: 'level', below: 0.5 }] })).toMatchObject({ code: 'review_output_not_number', details: { output: 'level' } });
    expect(refusal({ rules: [{ kind: 'red_line', output: 'flag' }] })).toMatchObject({ code: 'review_output_not_audit' });
    expect(refusal({ rules: [{ kind: 'disagreement', outputs: ['level', 'level'] }] })).toMatchObject({ code: 'review_outputs_same' });
    expect(refusal({ rules: [{ kind: 'always' }, { kind: 'always' }] })).toMatchObject({ code: 'duplicate_review_rule' });
  });
});

describe('review kinds', () => {
  it('reads forms, audits, labels and plain values from the output schema', () => {
    expect(reviewKind({ type: 'object', properties: { name: { type: 'string' } } })).toBe('form');
    expect(reviewKind({ type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { id: {}, result: {} } } } } })).toBe('audit');
    expect(reviewKind(OUTPUTS[4].schema)).toBe('audit');
    expect(reviewKind({ type: 'string', enum: ['a'] })).toBe('label');
    expect(reviewKind({ type: ['boolean', 'null'] })).toBe('boolean');
    expect(reviewKind({ type: 'integer' })).toBe('number');
    expect(reviewKind({ type: 'string' })).toBe('text');
    expect(reviewKind({})).toBe('json');
  });
});
