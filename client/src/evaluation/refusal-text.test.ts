import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api';
import { errorText } from '../auth/error-text';
import { en } from '../i18n/en';
import { zh } from '../i18n/zh';

/** A refusal of the evaluation API in one language. */
async function say(error: ApiError, lng: 'zh' | 'en'): Promise<string> {
  const i18n = i18next.createInstance();
  await i18n.init({ resources: { zh: { translation: zh }, en: { translation: en } }, lng, interpolation: { escapeValue: false } });
  return errorText(error, i18n.t, (k) => i18n.exists(k));
}

describe('evaluation refusals in the UI language', () => {
  it('says a reserved case id by its rule, wherever it came in', async () => {
    const body = new ApiError(400, 'invalid_case', 'case 1: expected …', { index: 0, issues: [{ path: 'cases.0.id', code: 'custom', message: 'is a name JavaScript objects reserve', params: { rule: 'case_id_reserved' } }] });
    expect(await say(body, 'zh')).toMatch(/程序保留/);
    expect(await say(body, 'en')).toMatch(/reserved by the program/);
    const line = new ApiError(400, 'invalid_item', 'line 1: …', { reason: 'case_id_reserved', id: '__proto__', line: 1 });
    expect(await say(line, 'zh')).toBe('用例 ID“__proto__”是程序保留的名字（如 __proto__、constructor、prototype），请换一个');
    const column = new ApiError(400, 'reserved_case_id', 'line 3: …', { case_id: 'constructor', line: 3 });
    expect(await say(column, 'en')).toMatch(/^The case ID “constructor” is a name reserved/);
  });
});
