import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AlertSettingsBody } from '@shared/alerts.js';
import { DomainError } from '../common/domain-error.js';
import type { EndOutput } from '../review/rules.js';
import { SecretBox } from '../endpoints/secret-box.js';
import { alertOutputs, checkAlertSettings, newWebhookSecret, secretContext, withRuleIds } from './alert-settings.js';

const OUTPUTS: EndOutput[] = [
  { name: 'risk_level', type: 'string', description: '', schema: { type: 'string', enum: ['low', 'medium', 'high'] } },
  { name: 'score', type: 'number', description: '', schema: { type: 'number' } },
  { name: 'intent', type: 'auto', description: '', schema: { type: 'object', properties: { label: { type: 'string' }, asks_supervisor: { type: 'boolean' } } } },
  { name: 'work_order', type: 'object', description: '', schema: { type: 'object', additionalProperties: true } },
  { name: 'audit', type: 'auto', description: '', schema: { type: 'object', properties: { verdict: { type: 'string', enum: ['pass', 'fail'] }, fatal: { type: 'array', items: { type: 'string' } } } } },
  { name: 'summary', type: 'string', description: '', schema: { type: 'string', enum: ['x', 'y'] } },
];

function refusal(body: Record<string, unknown>): { code: string; message?: string; details?: unknown } {
  try {
    checkAlertSettings({ rules: [], ...body } as never, OUTPUTS);
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, message: error.message, details: error.details };
    throw error;
  }
  return { code: 'none' };
}

describe('alert settings: checking against the end outputs', () => {
  it('takes rules on outputs and on fields of object outputs', () => {
    const rules = [
      { name: '高风险', kind: 'equals', output: 'risk_level', value: 'high' },
      { name: '投诉意图', kind: 'one_of', output: 'intent.label', values: ['投诉'] },
      { name: '要求主管', kind: 'is_true', output: 'intent.asks_supervisor' },
      { name: '低分', kind: 'at_most', output: 'score', value: 2 },
      { name: '有电话', kind: 'equals', output: 'work_order.phone', value: '1' },
      { name: '红线', kind: 'red_line', output: 'audit' },
      { name: '红线结论', kind: 'red_line', output: 'audit.verdict' },
      { name: '说投诉', kind: 'keyword', words: ['投诉'] },
    ];
    expect(refusal({ rules, risk_output: 'risk_level', webhook_url: 'https://crm.example/hook' })).toEqual({ code: 'none' });
  });

  it('refuses an unknown output or field, naming the rule and the output', () => {
    const unknown = refusal({ rules: [{ name: '升级', kind: 'equals', output: 'escalation', value: 'yes' }] });
    expect(unknown).toMatchObject({ code: 'unknown_alert_output', details: { path: 'rules.0.output', rule: '升级', output: 'escalation' } });
    expect(unknown.message).toContain('升级');
    expect(unknown.message).toContain('escalation');
    expect(refusal({ rules: [{ name: 'f', kind: 'equals', output: 'intent.nope', value: 1 }] })).toMatchObject({ code: 'unknown_alert_output', details: { output: 'intent.nope' } });
    expect(refusal({ risk_output: 'risk' })).toMatchObject({ code: 'unknown_alert_output', details: { path: 'risk_output', rule: null } });
  });

  it('refuses a rule on an output that cannot hold what it reads', () => {
    expect(refusal({ rules: [{ name: 'n', kind: 'at_least', output: 'intent', value: 1 }] }).code).toBe('alert_output_not_number');
    expect(refusal({ rules: [{ name: 'n', kind: 'is_true', output: 'score' }] }).code).toBe('alert_output_not_boolean');
    expect(refusal({ rules: [{ name: 'n', kind: 'red_line', output: 'summary' }] }).code).toBe('alert_output_not_audit');
    expect(refusal({ rules: [{ id: 'a', name: 'n', kind: 'keyword', words: ['x'] }, { id: 'a', name: 'm', kind: 'keyword', words: ['y'] }] }).code).toBe('duplicate_alert_rule_id');
  });

  it('lists outputs and their fields for the picker, with enum values', () => {
    const listed = alertOutputs(OUTPUTS);
    expect(listed.map((o) => o.path)).toEqual(['risk_level', 'score', 'intent', 'intent.label', 'intent.asks_supervisor', 'work_order', 'audit', 'audit.verdict', 'audit.fatal', 'summary']);
    expect(listed[0]).toEqual({ path: 'risk_level', type: 'enum("low", "medium", "high")', values: ['low', 'medium', 'high'] });
  });

  it('names outputs and form fields by the labels the graph gives them, and leaves the others unlabelled', () => {
    const labels = { outputs: new Map([['risk_level', { label: '风险等级' }], ['intent', { fields: new Map([['asks_supervisor', '要求找班长']]) }]]), all: new Map([['label', '意图']]) };
    const listed = alertOutputs(OUTPUTS, labels);
    const byPath = new Map(listed.map((o) => [o.path, o.label]));
    expect(byPath.get('risk_level')).toBe('风险等级');
    expect(byPath.get('intent.asks_supervisor')).toBe('要求找班长');
    expect(byPath.get('intent.label')).toBe('意图');
    expect(byPath.get('score')).toBeUndefined();
    expect(listed.find((o) => o.path === 'score')).not.toHaveProperty('label');
  });
});

describe('alert settings: rule ids and the secret', () => {
  it('numbers new rules after every r<n> the scenario had or the body names, and keeps given ids', () => {
    const rules: AlertSettingsBody['rules'] = [
      { id: 'r2', name: 'a', kind: 'keyword', words: ['x'] },
      { name: 'b', kind: 'keyword', words: ['y'] },
      { id: 'vip', name: 'c', kind: 'keyword', words: ['z'] },
      { name: 'd', kind: 'keyword', words: ['w'] },
    ];
    expect(withRuleIds(rules, [{ id: 'r1' }, { id: 'r5' }]).map((r) => r.id)).toEqual(['r2', 'r6', 'vip', 'r7']);
    expect(withRuleIds([{ name: 'a', kind: 'keyword', words: ['x'] }], []).map((r) => r.id)).toEqual(['r1']);
  });

  it('makes whsec_ secrets of 24 random bytes, sealed per scenario', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(24);
    expect(newWebhookSecret()).not.toBe(secret);
    const box = new SecretBox(randomBytes(32));
    const sealed = box.seal(secret, secretContext('s1'));
    expect(sealed).not.toContain(secret.slice(6));
    expect(box.open(sealed, secretContext('s1'))).toBe(secret);
    expect(() => box.open(sealed, secretContext('s2'))).toThrow();
  });
});
