import { describe, expect, it } from 'vitest';
import { AlertRuleSchema, type AlertRule } from '@shared/alerts.js';
import type { SessionTurn } from '@shared/sessions.js';
import { matchRules } from '../review/rules.js';
import { matchAlertRules, valueAt, type StoredAlertRule } from './alert-rules.js';

const rule = (raw: Record<string, unknown>, id = 'r1'): StoredAlertRule => ({ ...AlertRuleSchema.parse({ name: 'n', ...raw }), id }) as AlertRule & { id: string };
const turn = (id: string, role: string, text: string, seq = 1): SessionTurn => ({ id, role, text, seq });
let ids = 0;
const check = (rules: StoredAlertRule[], outputs: Record<string, unknown>, extra: { turns?: SessionTurn[]; raised?: string[] } = {}) =>
  matchAlertRules(rules, { outputs, newTurns: extra.turns ?? [], raised: new Set(extra.raised ?? []), lastTurnId: 't9', now: Date.UTC(2026, 0, 1) }, () => `a${++ids}`);

describe('valueAt', () => {
  it('follows dotted paths through objects and lists, and finds nothing past a missing step', () => {
    const outputs = { intent: { label: '投诉' }, work_order: { phone: '13800000000' }, items: [{ id: 'x' }] };
    expect(valueAt(outputs, 'intent.label')).toBe('投诉');
    expect(valueAt(outputs, 'work_order.phone')).toBe('13800000000');
    expect(valueAt(outputs, 'items.0.id')).toBe('x');
    expect(valueAt(outputs, 'intent.missing.deeper')).toBeUndefined();
    expect(valueAt(outputs, 'intent.label.length')).toBeUndefined();
    expect(valueAt(outputs, 'toString')).toBeUndefined();
  });
});

describe('matchAlertRules', () => {
  it('output rules: equals (folded text), one_of, at_least, at_most, is_true', () => {
    const outputs = { risk_level: 'ＨＩＧＨ', intent: { label: '投诉', confidence: 0.9 }, score: '2', asks_supervisor: true };
    const rules = [
      rule({ kind: 'equals', output: 'risk_level', value: 'high', severity: 'critical' }, 'eq'),
      rule({ kind: 'one_of', output: 'intent.label', values: ['投诉', '销户'] }, 'one'),
      rule({ kind: 'at_least', output: 'intent.confidence', value: 0.8 }, 'least'),
      rule({ kind: 'at_most', output: 'score', value: 2 }, 'most'),
      rule({ kind: 'is_true', output: 'asks_supervisor' }, 'true'),
    ];
    const alerts = check(rules, outputs);
    expect(alerts.map((a) => [a.rule_id, a.value])).toEqual([['eq', 'ＨＩＧＨ'], ['one', '投诉'], ['least', 0.9], ['most', 2], ['true', true]]);
    expect(alerts[0]).toMatchObject({ name: 'n', severity: 'critical', kind: 'equals', output: 'risk_level', turn_id: 't9', at: '2026-01-01T00:00:00.000Z' });
  });

  it('output rules that do not match raise nothing (wrong value, missing path, not a number)', () => {
    const rules = [
      rule({ kind: 'equals', output: 'risk_level', value: 'high' }, 'a'),
      rule({ kind: 'at_least', output: 'score', value: 5 }, 'b'),
      rule({ kind: 'is_true', output: 'flag' }, 'c'),
      rule({ kind: 'one_of', output: 'nope.deeper', values: ['x'] }, 'd'),
      rule({ kind: 'at_most', output: 'score', value: 1 }, 'e'),
    ];
    expect(check(rules, { risk_level: 'low', score: 'many', flag: false })).toEqual([]);
    expect(check(rules, { risk_level: { level: 'high' }, score: 3, flag: 'no' })).toEqual([]);
  });

  it('keyword rules: NFKC and case folded, by role, on the new turns only; the turn that said it is named', () => {
    const r = rule({ kind: 'keyword', words: ['投诉', '12300', 'Manager'] }, 'kw');
    expect(check([r], {}, { turns: [turn('t1', 'agent', '您可以投诉'), turn('t2', 'customer', '我要打１２３００')] })).toMatchObject([{ rule_id: 'kw', kind: 'keyword', output: null, value: '我要打１２３００', turn_id: 't2' }]);
    expect(check([r], {}, { turns: [turn('t3', 'customer', 'get me your MANAGER')] })).toMatchObject([{ turn_id: 't3' }]);
    expect(check([r], {}, { turns: [turn('t4', 'agent', '投诉渠道')] })).toEqual([]);
    expect(check([rule({ kind: 'keyword', role: 'any', words: ['投诉'] })], {}, { turns: [turn('t5', 'agent', '投诉渠道')] })).toHaveLength(1);
    expect(check([rule({ kind: 'keyword', role: 'agent', words: ['投诉'] })], {}, { turns: [turn('t6', 'customer', '投诉')] })).toEqual([]);
  });

  it('a rule raises once per session: rules already raised are skipped', () => {
    const rules = [rule({ kind: 'equals', output: 'risk', value: 'high' }, 'r1'), rule({ kind: 'is_true', output: 'flag' }, 'r2')];
    expect(check(rules, { risk: 'high', flag: true }, { raised: ['r1'] }).map((a) => a.rule_id)).toEqual(['r2']);
    expect(check(rules, { risk: 'high', flag: true }, { raised: ['r1', 'r2'] })).toEqual([]);
  });

  it('red_line means what human review\'s red_line means, on the same values', () => {
    const values: unknown[] = [
      'fail',
      'pass',
      ['abuse'],
      [],
      [{ id: 'abuse', result: 'fail', fatal: true }],
      [{ id: 'abuse', result: 'pass', fatal: true }],
      [{ id: 'greet', result: 'fail', fatal: false }],
      { verdict: 'fail', fatal: [], items: [] },
      { verdict: 'pass', fatal: ['leak'], items: [] },
      { verdict: 'pass', fatal: [], items: [{ id: 'x', result: 'fail', fatal: true }] },
      { verdict: 'pass', fatal: [], items: [] },
      null,
      42,
    ];
    for (const value of values) {
      const review = matchRules([{ kind: 'red_line', output: 'audit' }], { audit: value }, { scenarioId: 's', sourceKey: 'k', sampledToday: () => 0 }).length > 0;
      const alert = check([rule({ kind: 'red_line', output: 'audit' })], { audit: value }).length > 0;
      expect(alert, JSON.stringify(value)).toBe(review);
    }
    expect(check([rule({ kind: 'red_line', output: 'audit' })], { audit: { verdict: 'fail', fatal: ['leak'] } })[0]?.value).toEqual(['leak']);
    expect(check([rule({ kind: 'red_line', output: 'audit.verdict' })], { audit: { verdict: 'fail' } })[0]?.value).toBe('fail');
  });
});
