import { describe, expect, it } from 'vitest';
import { en } from './en';
import { zh } from './zh';

/** Every key path of a nested message object, e.g. `panel.httpBody_json`. */
function keys(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe('i18n', () => {
  it('has every message in both Chinese and English', () => {
    const zhKeys = keys(zh).sort();
    const enKeys = keys(en).sort();
    expect(zhKeys.filter((k) => !enKeys.includes(k)), 'missing in en').toEqual([]);
    expect(enKeys.filter((k) => !zhKeys.includes(k)), 'missing in zh').toEqual([]);
  });
});
