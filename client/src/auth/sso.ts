/**
 * Single sign-on from the sign-in page: where the SSO button goes, and the error the server's callback
 * sent the browser back with (`/?sso_error=<code>#/sign-in`).
 */
import { parseHash } from '../router';

/** The server route that starts a sign-in at the identity platform. */
export const SSO_START = '/api/auth/oidc/start';

/** The start URL that comes back to `hash` (the page the user asked for: `#/…`, the list when none) once signed in. */
export function ssoStartUrl(hash: string): string {
  const route = parseHash(hash);
  const next = route.page === 'signIn' ? (route.next ?? '#/') : hash.startsWith('#/') ? hash : '#/';
  return `${SSO_START}?${new URLSearchParams({ return_to: `/${next}` }).toString()}`;
}

/** The `sso_error` code in a location's query (`?sso_error=oidc_failed`), or null; only snake_case codes are read. */
export function ssoErrorCode(search: string): string | null {
  const code = new URLSearchParams(search).get('sso_error');
  return code !== null && /^[a-z][a-z_]{0,40}$/.test(code) ? code : null;
}

/** The same URL without `sso_error` (the error is shown once, not again on reload). */
export function withoutSsoError(href: string): string {
  const url = new URL(href);
  url.searchParams.delete('sso_error');
  return `${url.pathname}${url.search}${url.hash}`;
}
