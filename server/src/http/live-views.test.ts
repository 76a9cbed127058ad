import { describe, expect, it } from 'vitest';
import type { SessionAlert } from '@shared/alerts.js';
import type { SessionView } from '../sessions/ports.js';
import { liveDetail, liveSummary, maskedDetail, maskEventData, plainEventData, topSeverity, valueAt } from './live-views.js';

const alert = (id: string, severity: SessionAlert['severity'], value: unknown): SessionAlert => ({ id, rule_id: id, name: id, severity, kind: 'equals', output: 'risk_level', value, turn_id: 't2', at: '2026-12-02T07:00:00.000Z' });

const session: SessionView = {
  id: 's1',
  scenarioId: 'sc1',
  slug: 'repair',
  version: 2,
  apiKeyId: 'k1',
  callId: '13812345678',
  meta: null,
  status: 'active',
  turnCount: 2,
  updateCount: 1,
  outputs: { risk_level: 'high', form: { phone: '13812345678', issue: '断网' } },
  alerts: [alert('a1', 'warning', 'x'), alert('a2', 'critical', '13812345678'), alert('a3', 'info', 'y')],
  simulated: true,
  createdAt: Date.UTC(2026, 11, 2, 7),
  lastTurnAt: null,
  endedAt: null,
  endReason: null,
  finalRunId: null,
  finalRun: null,
  confirmation: null,
  metrics: { turns: 2, updates: 1, model_calls: 1, reused_calls: 0, prompt_prefix_reuse: 0, lag_ms_p50: null, lag_ms_p99: null },
};

describe('live views', () => {
  it('summarises a session: risk from its risk output, alerts newest first, the top severity', () => {
    const s = liveSummary(session, { name: '宽带报修', riskOutput: 'risk_level' });
    expect(s.risk).toBe('high');
    expect(s.alerts.map((a) => a.id)).toEqual(['a3', 'a2', 'a1']);
    expect(s.top_severity).toBe('critical');
    expect(s.created_at).toBe('2026-12-02T07:00:00.000Z');
    expect(valueAt(session.outputs, 'form.issue')).toBe('断网');
    expect(valueAt(session.outputs, 'form.none')).toBeNull();
    expect(topSeverity([])).toBeNull();
  });

  it('masks the customer data of a detail for a reader without pii:read, and keeps ids and counts', () => {
    const turns = [{ id: 't1', role: 'customer', text: '我的电话是13812345678', seq: 1 }];
    const d = maskedDetail(liveDetail(session, { name: 'x', riskOutput: null }, turns, [{ name: 'form', type: 'object', kind: 'form', description: '', reviewed: true, value: session.outputs?.form }]));
    const text = JSON.stringify(d);
    expect(text).not.toContain('13812345678');
    expect(d.call_id).toBe('138****5678');
    expect(d.turns[0]?.id).toBe('t1');
    expect(d.session_id).toBe('s1');
    expect(d.turn_count).toBe(2);
  });

  it('masks event data field by field, and never sends the desk link', () => {
    const updated = { session_id: 's1', update: 3, outputs: { phone: '13812345678' }, changes: [{ path: 'phone', kind: 'filled', from: null, to: '13812345678' }], desk_url: 'http://x/#/desk/s1?token=secret' };
    const masked = maskEventData(updated);
    expect(JSON.stringify(masked)).not.toContain('13812345678');
    expect(JSON.stringify(masked)).not.toContain('secret');
    expect(masked).toMatchObject({ session_id: 's1', update: 3 });
    expect(plainEventData(updated)).not.toHaveProperty('desk_url');
    expect(maskEventData({ turns: [{ id: 't1', text: '13812345678' }] })).toEqual({ turns: [{ id: 't1', text: '138****5678' }] });
  });
});
