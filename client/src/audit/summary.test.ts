import i18n from 'i18next';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '@shared/audit';
import { en } from '../i18n/en';
import { zh } from '../i18n/zh';
import { summaryText } from './summary';

const i = i18n.createInstance();
await i.init({ resources: { zh: { translation: zh }, en: { translation: en } }, lng: 'zh', interpolation: { escapeValue: false } });

function entry(action: string, details: AuditEntry['details'], summary = 'stored English'): AuditEntry {
  return { id: 'x', at: '2026-12-01T00:00:00Z', actor_type: 'user', actor_id: 'u', actor_name: 'u', client_address: null, action, target_type: null, target_id: null, target_name: null, before_digest: null, after_digest: null, summary, details };
}

describe('audit summaries', () => {
  it('words a publish, a role change and a job cancel in Chinese and English', async () => {
    const publish = entry('scenario.publish', { version: 2, slug: 'triage', live_from: 1, live_to: 2, note: '首发' });
    const firstPublish = entry('scenario.publish', { version: 1, slug: 'triage', live_from: null, live_to: 1, note: null });
    const role = entry('user.update', { role_from: 'viewer', role_to: 'inspector', disabled: true, display_name_from: null, display_name_to: null });
    const cancel = entry('job.cancel', { from: 'running', to: 'cancelled' });
    await i.changeLanguage('zh');
    expect(summaryText(i.t, publish)).toBe('发布版本 2，路径 triage（线上版本 1 → 2）；说明：首发');
    expect(summaryText(i.t, firstPublish)).toBe('发布版本 1，路径 triage（线上版本 – → 1）');
    expect(summaryText(i.t, role)).toBe('角色 只读 → 质检员；已停用');
    expect(summaryText(i.t, cancel)).toBe('运行中 → 已取消');
    await i.changeLanguage('en');
    expect(summaryText(i.t, publish)).toBe('Version 2 as triage (live 1 → 2); note: 首发');
    expect(summaryText(i.t, entry('scenario.update', { revision: 3, fields: 'graph, name' }))).toBe('Revision 3; changed: graph, name');
    expect(summaryText(i.t, entry('key.create', { prefix: 'mf_ab12', scenarios: null }))).toBe('Prefix mf_ab12; may call: every scenario');
  });

  it('words a publish gate set, removed, passed and overridden', async () => {
    const gateSet = entry('scenario.gate_set', { metric: 'warn.accuracy', set_id: 's1', set_name: '投诉样本', min: 0.8, max_drop: 0.02 });
    const overridden = entry('scenario.publish', { version: 3, slug: 'risk', live_from: 2, live_to: 3, note: null, gate: 'overridden', gate_metric: 'warn.accuracy', gate_value: 0.71, gate_check: 'failed', override_note: '紧急上线' });
    await i.changeLanguage('zh');
    expect(summaryText(i.t, gateSet)).toBe('warn.accuracy（评测集 投诉样本）：不低于 0.8；比线上版本最多低 0.02');
    expect(summaryText(i.t, overridden)).toBe('发布版本 3，路径 risk（线上版本 2 → 3）；管理员越过发布门槛（warn.accuracy = 0.71）：紧急上线');
    expect(summaryText(i.t, entry('scenario.gate_remove', { metric: 'warn.accuracy', set_id: 's1' }))).toBe('移除门槛 warn.accuracy');
    await i.changeLanguage('en');
    expect(summaryText(i.t, entry('scenario.publish', { version: 1, slug: 'risk', live_from: null, live_to: 1, note: null, gate: 'passed', gate_metric: 'warn.accuracy', gate_value: 0.9 }))).toBe('Version 1 as risk (live – → 1); Passed the publish gate: warn.accuracy = 0.9');
    expect(summaryText(i.t, gateSet)).toBe('warn.accuracy on set 投诉样本: at least 0.8; at most 0.02 below the live version');
  });

  it('falls back to the stored summary for an unknown action or missing details', () => {
    expect(summaryText(i.t, entry('someday.new', { a: 1 }))).toBe('stored English');
    expect(summaryText(i.t, entry('scenario.publish', {}))).toBe('stored English');
  });
});
