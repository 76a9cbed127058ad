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

  it('falls back to the stored summary for an unknown action or missing details', () => {
    expect(summaryText(i.t, entry('someday.new', { a: 1 }))).toBe('stored English');
    expect(summaryText(i.t, entry('scenario.publish', {}))).toBe('stored English');
  });
});
