import { describe, expect, it } from 'vitest';
import type { ReviewItemDetail } from '@shared/review';
import { auditItems, changedOutputs, initialDraft, keyAction, withField, withItemResult } from './draft';

const item: ReviewItemDetail = {
  id: 'i1',
  scenario_id: 's1',
  scenario_name: 's',
  slug: 's',
  version: 1,
  source: { kind: 'run', run_id: 'r1' },
  reasons: [{ code: 'always' }],
  status: 'pending',
  simulated: false,
  created_at: '2026-12-01T00:00:00Z',
  decided_at: null,
  decided_by: null,
  inputs: {},
  transcripts: {},
  outputs: {},
  redacted_at: null,
  views: [
    { name: 'form', type: 'object', kind: 'form', description: '', reviewed: true, value: { phone: '138', name: '张三' } },
    { name: 'level', type: 'string', kind: 'text', description: '', reviewed: true, value: 'low' },
    { name: 'confidence', type: 'number', kind: 'number', description: '', reviewed: false, value: 0.4 },
  ],
  decision: null,
};

describe('the review draft', () => {
  it('starts from the reviewed outputs and sends only what changed', () => {
    const draft = initialDraft(item);
    expect(draft).toEqual({ form: { phone: '138', name: '张三' }, level: 'low' });
    expect(changedOutputs(item, draft)).toEqual({});
    const edited = { ...draft, form: withField(draft.form, 'phone', '139') };
    expect(changedOutputs(item, edited)).toEqual({ form: { phone: '139', name: '张三' } });
  });

  it('toggles an audit item in a list or in an audit object, and reads items either way', () => {
    const items = [{ id: 'abuse', name: '辱骂', result: 'fail', fatal: true, evidence: ['t3'] }];
    expect(withItemResult(items, 'abuse', 'pass')).toEqual([{ ...items[0], result: 'pass' }]);
    expect(withItemResult({ items, score: 0 }, 'abuse', 'pass')).toEqual({ items: [{ ...items[0], result: 'pass' }], score: 0 });
    expect(auditItems({ items })).toEqual([{ id: 'abuse', name: '辱骂', result: 'fail', fatal: true, evidence: ['t3'], reason: '' }]);
  });

  it('maps keys: Ctrl/⌘+Enter decides anywhere, j/k move only when not typing', () => {
    const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, ...mods });
    expect(keyAction(key('Enter', { ctrlKey: true }), true)).toBe('decide');
    expect(keyAction(key('Enter'), false)).toBeUndefined();
    expect(keyAction(key('j'), false)).toBe('next');
    expect(keyAction(key('j'), true)).toBeUndefined();
    expect(keyAction(key('k'), false)).toBe('previous');
  });
});
