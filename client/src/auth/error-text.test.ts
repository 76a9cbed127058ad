import { describe, expect, it } from 'vitest';
import i18next from 'i18next';
import { ApiError } from '../api';
import { en } from '../i18n/en';
import { zh } from '../i18n/zh';
import { errorText } from './error-text';

async function translator(lng: 'zh' | 'en') {
  const i18n = i18next.createInstance();
  await i18n.init({ lng, resources: { zh: { translation: zh }, en: { translation: en } }, interpolation: { escapeValue: false } });
  return (error: unknown) => errorText(error, i18n.t, (key) => i18n.exists(key));
}

describe('errorText', () => {
  it('translates an API error by its stable code, not by the server\'s English message', async () => {
    const zhText = await translator('zh');
    const enText = await translator('en');
    const lastAdmin = new ApiError(409, 'last_admin', 'cannot disable the last active admin');
    expect(zhText(lastAdmin)).toBe(zh.errors.last_admin);
    expect(enText(lastAdmin)).toBe(en.errors.last_admin);
    expect(zhText(new ApiError(403, 'forbidden', 'needs users:write', { permission: 'users:write' }))).toBe(zh.errors.forbidden);
    expect(enText(new ApiError(401, 'invalid_credentials', 'wrong name or password'))).toBe('Wrong login name or password');
  });

  it('says how long to wait after too many attempts', async () => {
    const enText = await translator('en');
    expect(enText(new ApiError(429, 'too_many_attempts', 'x', { retry_after_seconds: 42 }))).toBe('Too many attempts: try again in 42 s');
    expect(enText(new ApiError(429, 'too_many_attempts', 'x'))).toBe('Too many attempts: try again later');
  });

  it('keeps the server\'s message for a code it has no translation of, and for what is not an API error', async () => {
    const enText = await translator('en');
    expect(enText(new ApiError(400, 'invalid_body', 'invalid request body at "name": too long'))).toBe('Not accepted: invalid request body at "name": too long');
    expect(enText(new ApiError(500, 'brand_new_code', 'boom'))).toBe('Failed: boom');
    expect(enText(new Error('offline'))).toBe('Failed: offline');
  });

  it('reads schema issues in details by their code, each with its field; an import refusal by its reason', async () => {
    const zhText = await translator('zh');
    const issues = [
      { path: 'slug', code: 'invalid_format', message: 'a slug is …', params: { origin: 'string', format: 'regex', pattern: '^[a-z0-9][a-z0-9-]{1,62}$' } },
      { path: 'note', code: 'too_big', message: 'Too big: expected string to have <=2000 characters', params: { origin: 'string', maximum: 2000, inclusive: 1 } },
    ];
    expect(zhText(new ApiError(400, 'invalid_body', 'invalid request body at "slug": a slug is …', issues))).toBe(
      '填写的内容不符合要求：slug：API 路径名只能用 2–63 个小写字母、数字或短横线，并以字母或数字开头；note：最多 2000 个字符',
    );
    expect(zhText(new ApiError(400, 'invalid_file', 'this is a template file, not a scenario; …', { reason: 'template_file' }))).toBe('这是一个模板文件，不是场景：请在模板库中导入');
  });
});
