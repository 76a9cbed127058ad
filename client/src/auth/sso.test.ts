import { describe, expect, it } from 'vitest';
import { ssoErrorCode, ssoStartUrl, withoutSsoError } from './sso';

describe('single sign-on links', () => {
  it('come back to the page asked for', () => {
    expect(ssoStartUrl('#/sign-in?next=%23%2Fjobs%2Fabc')).toBe('/api/auth/oidc/start?return_to=%2F%23%2Fjobs%2Fabc');
    expect(ssoStartUrl('#/sign-in')).toBe('/api/auth/oidc/start?return_to=%2F%23%2F');
    expect(ssoStartUrl('')).toBe('/api/auth/oidc/start?return_to=%2F%23%2F');
    expect(ssoStartUrl('#/users')).toBe('/api/auth/oidc/start?return_to=%2F%23%2Fusers');
  });

  it('read the error code once and drop it from the address', () => {
    expect(ssoErrorCode('?sso_error=oidc_failed')).toBe('oidc_failed');
    expect(ssoErrorCode('?sso_error=%3Cscript%3E')).toBeNull();
    expect(ssoErrorCode('')).toBeNull();
    expect(withoutSsoError('http://127.0.0.1:3000/?sso_error=user_disabled#/sign-in')).toBe('/#/sign-in');
    expect(withoutSsoError('http://127.0.0.1:3000/?a=1&sso_error=x#/sign-in')).toBe('/?a=1#/sign-in');
  });
});
