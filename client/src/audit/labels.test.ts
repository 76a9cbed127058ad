import i18n from 'i18next';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from '@shared/audit';
import { en } from '../i18n/en';
import { zh } from '../i18n/zh';
import { actionLabel, actionOptions, dayRange } from './labels';

const t = i18n.createInstance();
await t.init({ resources: { zh: { translation: zh }, en: { translation: en } }, lng: 'zh', interpolation: { escapeValue: false } });

describe('audit labels', () => {
  it('names every action in both languages, never as its raw code', async () => {
    for (const lang of ['zh', 'en']) {
      await t.changeLanguage(lang);
      for (const action of AUDIT_ACTIONS) expect(actionLabel(t.t, action), `${lang} ${action}`).not.toBe(action);
    }
    await t.changeLanguage('zh');
    expect(actionLabel(t.t, 'scenario.publish')).toBe('发布场景');
    expect(actionLabel(t.t, 'someday.new_thing')).toBe('someday.new_thing');
  });

  it('offers each group as a whole and each of its actions', async () => {
    await t.changeLanguage('en');
    const scenario = actionOptions(t.t).find((g) => g.label === 'scenario');
    expect(scenario?.options[0]).toEqual({ value: 'scenario', label: 'Every scenario action' });
    expect(scenario?.options.map((o) => o.value)).toContain('scenario.publish');
    expect(actionOptions(t.t).flatMap((g) => g.options).length).toBe(AUDIT_ACTIONS.length + actionOptions(t.t).length);
  });

  it('turns a range of days into [first midnight, the midnight after the last)', () => {
    const { from, to } = dayRange(new Date(2026, 10, 30, 15), new Date(2026, 11, 1, 9));
    expect(new Date(from).getTime()).toBe(new Date(2026, 10, 30).getTime());
    expect(new Date(to).getTime()).toBe(new Date(2026, 11, 2).getTime());
  });
});
