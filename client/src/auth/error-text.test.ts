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
    expect(enText(new ApiError(500, 'internal', 'boom'))).toBe('Failed: boom');
    expect(enText(new Error('offline'))).toBe('Failed: offline');
  });
});
