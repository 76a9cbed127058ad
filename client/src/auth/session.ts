/**
 * The session as every request sees it: the CSRF token to send with changes, and who to tell when the server
 * says the session is gone. A leaf module (no imports) so `api.ts` and the auth store can both use it.
 */

let csrfToken: string | null = null;
const listeners = new Set<() => void>();

/** Keeps the session's CSRF token (from `/api/auth/state`, setup or login); null once signed out. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Methods that change state, which the server checks for `X-CSRF-Token`. */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The headers a request of `method` needs for the session: `X-CSRF-Token` on a change, nothing on a read. */
export function sessionHeaders(method: string): Record<string, string> {
  return SAFE.has(method.toUpperCase()) || csrfToken === null ? {} : { 'x-csrf-token': csrfToken };
}

/** Calls `listener` whenever a request finds the session gone (401 `unauthenticated`); returns the unsubscribe. */
export function onUnauthenticated(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Tells the listeners when a reply means the session is gone: status 401 with code `unauthenticated` (not a
 * wrong password at sign-in, which is 401 `invalid_credentials`).
 */
export function noteReply(status: number, code: string): void {
  if (status !== 401 || code !== 'unauthenticated') return;
  csrfToken = null;
  for (const listener of listeners) listener();
}
