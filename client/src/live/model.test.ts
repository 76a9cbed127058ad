import { describe, expect, it } from 'vitest';
import type { LiveSessionSummary } from '@shared/live';
import { changedKeys, formFields, mergeTurns, showValue, upsertSession } from './model';

const summary = (id: string, last: string | null, created = '2026-12-02T07:00:00Z'): LiveSessionSummary => ({ session_id: id, scenario_id: 'sc', scenario_name: 'x', slug: 'x', version: 1, call_id: null, status: 'active', turn_count: 0, risk: null, alerts: [], alert_count: 0, top_severity: null, simulated: true, created_at: created, last_turn_at: last, ended_at: null, end_reason: null });

describe('live page logic', () => {
  it('keeps the board newest activity first, one row per session', () => {
    let list = [summary('a', '2026-12-02T07:01:00Z'), summary('b', '2026-12-02T07:02:00Z')];
    list = upsertSession(list, summary('a', '2026-12-02T07:03:00Z'));
    expect(list.map((s) => s.session_id)).toEqual(['a', 'b']);
    list = upsertSession(list, summary('c', null, '2026-12-02T07:02:30Z'));
    expect(list.map((s) => s.session_id)).toEqual(['a', 'c', 'b']);
  });

  it('grows the transcript once per turn, in call order', () => {
    const t = (id: string, seq: number) => ({ id, role: 'customer', text: id, seq });
    expect(mergeTurns([t('t1', 1), t('t2', 2)], [t('t2', 2), t('t4', 4), t('t3', 3)]).map((x) => x.id)).toEqual(['t1', 't2', 't3', 't4']);
  });

  it('marks the fields an update filled, field by field, and not what it cleared', () => {
    const keys = changedKeys([
      { path: 'form.phone', kind: 'filled', from: null, to: '138' },
      { path: 'risk_level', kind: 'changed', from: 'low', to: 'high' },
      { path: 'order', kind: 'filled', from: null, to: { a: 1, b: null } },
      { path: 'gone', kind: 'cleared', from: 1, to: null },
    ]);
    expect([...keys].sort()).toEqual(['form', 'form.phone', 'order', 'order.a', 'risk_level']);
  });

  it('lists a form without its evidence record, and reads values as text', () => {
    expect(formFields({ name: 'f', type: 'object', kind: 'form', description: '', reviewed: true, value: { a: 1, evidence: { a: ['t1'] } } })).toEqual(['a']);
    expect(showValue(['宽带', '断网'])).toBe('宽带、断网');
    expect(showValue(null)).toBe('');
    expect(showValue({ x: 1 })).toBe('{"x":1}');
  });
});
