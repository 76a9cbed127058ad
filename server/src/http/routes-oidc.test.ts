import { describe, expect, it } from 'vitest';
import { safeReturnTo, signInErrorLocation } from './routes-oidc.js';

describe('return_to of a sign-in', () => {
  it('keeps a path of this site with its query and fragment', () => {
    expect(safeReturnTo('/')).toBe('/');
    expect(safeReturnTo('/#/jobs/abc')).toBe('/#/jobs/abc');
    expect(safeReturnTo('/docs?x=1#y')).toBe('/docs?x=1#y');
    expect(safeReturnTo('/a/../b')).toBe('/b');
  });

  it('sends anything else to /', () => {
    for (const bad of [undefined, '', 'jobs', '//evil.example', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '/\nLocation: x', ['/a', '/b'], '/%0d%0aX: y'.replace('%0d%0a', '\r\n')]) {
      expect(safeReturnTo(bad)).toBe('/');
    }
  });

  it('names the sign-in page with the error code', () => {
    expect(signInErrorLocation('oidc_failed')).toBe('/?sso_error=oidc_failed#/sign-in');
  });
});
