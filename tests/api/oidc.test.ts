/**
 * Single sign-on against a real OpenID Connect provider (`oidc-provider` on 127.0.0.1, ./oidc-idp.ts),
 * driven over real HTTP with a cookie jar as a browser would: Mofang's start → the IdP's sign-in and
 * consent pages → Mofang's callback → signed in. No part of the protocol is mocked.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditPageSchema } from '@shared/audit.js';
import { AuthStateSchema, SESSION_COOKIE, UserSchema } from '@shared/users.js';
import { call, removeDir, startTestServer, tempDir, type TestServer } from './helpers.js';
import { CookieJar, startIdp, type TestIdp } from './oidc-idp.js';

let idp: TestIdp;
let main: TestServer; // auto-create on, roles mapped from `groups`
let linkOnly: TestServer; // MOFANG_OIDC_AUTO_CREATE=false, a public client (no secret)
let idpDown: TestServer; // the issuer's port is closed
let noSso: TestServer;
const dirs: string[] = [];

const SECRET = 'test-client-secret-0123456789';

function ssoEnv(issuer: string, clientId: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { MOFANG_OIDC_ISSUER: issuer, MOFANG_OIDC_CLIENT_ID: clientId, MOFANG_OIDC_CLIENT_SECRET: SECRET, ...extra };
}

/** A public client: no secret at Mofang, `none` at the IdP (PKCE alone binds the code). */
function publicClientEnv(issuer: string, clientId: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { MOFANG_OIDC_ISSUER: issuer, MOFANG_OIDC_CLIENT_ID: clientId, ...extra };
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function start(env: NodeJS.ProcessEnv): Promise<TestServer> {
  const dir = tempDir('mofang-oidc-');
  dirs.push(dir);
  return startTestServer(dir, env);
}

beforeAll(async () => {
  idp = await startIdp();
  idp.accounts.set('alice', { preferred_username: 'alice', name: 'Alice Li', email: 'alice@example.com', groups: ['staff', 'mofang-designers'] });
  idp.accounts.set('alice-other', { preferred_username: 'alice', email: 'alice@other.example', groups: [] });
  idp.accounts.set('carol', { preferred_username: 'carol', email: 'carol@example.com' });
  idp.accounts.set('dave', { email: 'dave@example.com', groups: ['mofang-admins'] });
  main = await start(ssoEnv(idp.issuer, 'mofang', { MOFANG_OIDC_ROLE_CLAIM: 'groups', MOFANG_OIDC_ROLE_MAP: 'admin=mofang-admins,designer=mofang-designers' }));
  linkOnly = await start(publicClientEnv(idp.issuer, 'mofang-link', { MOFANG_OIDC_AUTO_CREATE: 'false' }));
  idpDown = await start(ssoEnv(`http://127.0.0.1:${await closedPort()}`, 'mofang'));
  noSso = await start({});
  await idp.configure([
    { client_id: 'mofang', client_secret: SECRET, redirect_uris: [`${main.url}/api/auth/oidc/callback`] },
    { client_id: 'mofang-link', redirect_uris: [`${linkOnly.url}/api/auth/oidc/callback`] },
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([main, linkOnly, idpDown, noSso].map((s) => s?.close()));
  await idp?.close();
  for (const dir of dirs) removeDir(dir);
});

/** Stops at the first redirect back to Mofang's pages (not its /api), where a browser would load the app. */
const backToApp = (server: TestServer) => (next: URL) => next.origin === server.url && !next.pathname.startsWith('/api/');

/**
 * Signs in through SSO as `login` (the IdP's sign-in and consent pages when it asks for them) and
 * returns where Mofang sent the browser and the IdP pages shown.
 */
async function ssoSignIn(jar: CookieJar, server: TestServer, login: string, returnTo = '/#/jobs') {
  const stop = backToApp(server);
  let step = await jar.navigate(`${server.url}/api/auth/oidc/start?return_to=${encodeURIComponent(returnTo)}`, {}, stop);
  const pages: string[] = [];
  const visited = [...step.visited];
  while (step.res.status === 200 && step.url.origin === idp.issuer) {
    const html = await step.res.text();
    if (html.includes('/login"')) {
      pages.push('login');
      step = await jar.submit(step.url, html, '/login', { login }, stop);
    } else {
      pages.push('consent');
      step = await jar.submit(step.url, html, '/confirm', {}, stop);
    }
    visited.push(...step.visited);
  }
  return { url: step.url, pages, visited };
}

async function stateOf(jar: CookieJar, server: TestServer) {
  const res = await jar.fetch(`${server.url}/api/auth/state`);
  return AuthStateSchema.parse(await res.json());
}

async function usersOf(server: TestServer) {
  const res = await call(server.url, 'GET', '/api/users');
  return UserSchema.array().parse(res.json);
}

describe('single sign-on through OpenID Connect', () => {
  it('reports whether SSO is on in /api/auth/state', async () => {
    expect(AuthStateSchema.parse((await call(main.url, 'GET', '/api/auth/state', undefined, {}, { as: null })).json).oidc).toEqual({ enabled: true });
    expect(AuthStateSchema.parse((await call(noSso.url, 'GET', '/api/auth/state', undefined, {}, { as: null })).json).oidc).toEqual({ enabled: false });
  });

  it('signs a new user in through the IdP\'s sign-in and consent, with the role mapped from the groups claim', async () => {
    const jar = new CookieJar();
    const done = await ssoSignIn(jar, main, 'alice', '/#/jobs');
    expect(done.pages).toEqual(['login', 'consent']);
    expect(done.visited.some((u) => u.origin === idp.issuer && u.pathname === '/auth')).toBe(true);
    expect(done.url.href).toBe(`${main.url}/#/jobs`);
    expect(jar.get(main.url, 'mofang_oidc')).toBeUndefined(); // the flow cookie is spent
    const state = await stateOf(jar, main);
    expect(state.user).toMatchObject({ name: 'alice', display_name: 'Alice Li', role: 'designer' });
    expect(state.csrf_token).toBeTruthy();
    const listed = (await usersOf(main)).find((u) => u.name === 'alice');
    expect(listed).toMatchObject({ sso: true, role: 'designer', disabled: false });
    expect(listed?.last_login_at).not.toBeNull();
    // The session works as a password sign-in's does: a change with its CSRF token passes.
    const res = await jar.fetch(`${main.url}/api/scenarios`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': state.csrf_token ?? '' }, body: JSON.stringify({ name: 'made by sso' }) });
    expect(res.status).toBe(201);
    // The audit log has the SSO sign-in, the user's creation by it said.
    const audit = AuditPageSchema.parse((await call(main.url, 'GET', '/api/audit?action=auth.login&actor=alice')).json);
    expect(audit.entries[0]).toMatchObject({ actor_type: 'user', actor_name: 'alice', details: { method: 'oidc', created: true } });
  });

  it('signs the same identity in as the same user again, its role set again from the claim', async () => {
    const jar = new CookieJar();
    const first = await ssoSignIn(jar, main, 'alice');
    const before = (await stateOf(jar, main)).user;
    idp.accounts.set('alice', { ...idp.accounts.get('alice'), groups: ['mofang-admins'] });
    const again = await ssoSignIn(jar, main, 'alice', '/');
    expect(again.pages).toEqual([]); // the IdP's session and grant: straight back
    const after = (await stateOf(jar, main)).user;
    expect(after?.id).toBe(before?.id);
    expect(after?.role).toBe('admin');
    expect((await usersOf(main)).filter((u) => u.name === 'alice')).toHaveLength(1);
    expect(first.url.pathname).toBe('/');
  });

  it('gives a taken login name a suffix, and the default role (viewer) when no group maps; a name from email', async () => {
    const other = new CookieJar();
    await ssoSignIn(other, main, 'alice-other');
    expect((await stateOf(other, main)).user).toMatchObject({ name: 'alice-2', role: 'viewer' });
    const dave = new CookieJar();
    await ssoSignIn(dave, main, 'dave');
    expect((await stateOf(dave, main)).user).toMatchObject({ name: 'dave@example.com', role: 'admin' });
  });

  it('refuses a disabled user with user_disabled, and has no password to reset for an SSO user', async () => {
    const jar = new CookieJar();
    await ssoSignIn(jar, main, 'carol');
    const carol = (await usersOf(main)).find((u) => u.name === 'carol');
    expect(carol?.sso).toBe(true);
    const reset = await call(main.url, 'POST', `/api/users/${carol?.id}/reset-password`);
    expect(reset.status).toBe(409);
    expect(reset.json).toMatchObject({ error: { code: 'sso_user' } });
    expect((await call(main.url, 'PATCH', `/api/users/${carol?.id}`, { disabled: true })).status).toBe(200);
    expect((await stateOf(jar, main)).user).toBeNull(); // disabling ended the session
    const again = await ssoSignIn(jar, main, 'carol');
    expect(again.url.href).toBe(`${main.url}/?sso_error=user_disabled#/sign-in`);
    const refused = AuditPageSchema.parse((await call(main.url, 'GET', '/api/audit?action=auth.login_failed')).json);
    expect(refused.entries[0]).toMatchObject({ details: { method: 'oidc', reason: 'user_disabled' } });
    expect(jar.get(main.url, SESSION_COOKIE)).toBeUndefined();
  });

  it('refuses a callback whose state was changed, and one without the flow cookie', async () => {
    const jar = new CookieJar();
    const atCallback = (next: URL) => next.pathname === '/api/auth/oidc/callback';
    let step = await jar.navigate(`${main.url}/api/auth/oidc/start`, {}, atCallback);
    while (step.res.status === 200) {
      const html = await step.res.text();
      step = html.includes('/login"') ? await jar.submit(step.url, html, '/login', { login: 'alice' }, atCallback) : await jar.submit(step.url, html, '/confirm', {}, atCallback);
    }
    const callback = step.url;
    expect(callback.searchParams.get('code')).toBeTruthy();
    const tampered = new URL(callback);
    tampered.searchParams.set('state', 'forged-state');
    const refused = await jar.navigate(tampered, {}, backToApp(main));
    expect(refused.url.href).toBe(`${main.url}/?sso_error=oidc_failed#/sign-in`);
    expect(jar.get(main.url, SESSION_COOKIE)).toBeUndefined();
    // The genuine callback in another browser (no flow cookie) is refused too.
    const stranger = new CookieJar();
    const expired = await stranger.navigate(callback, {}, backToApp(main));
    expect(expired.url.href).toBe(`${main.url}/?sso_error=oidc_expired#/sign-in`);
    expect(stranger.get(main.url, SESSION_COOKIE)).toBeUndefined();
  });

  it('sends the browser back with oidc_denied when the user refuses at the IdP', async () => {
    const jar = new CookieJar();
    const stop = backToApp(main);
    let step = await jar.navigate(`${main.url}/api/auth/oidc/start`, {}, stop);
    step = await jar.submit(step.url, await step.res.text(), '/login', { login: 'carol' }, stop);
    step = await jar.submit(step.url, await step.res.text(), '/abort', {}, stop);
    expect(step.url.href).toBe(`${main.url}/?sso_error=oidc_denied#/sign-in`);
  });

  it('goes back only to a path of this site', async () => {
    for (const returnTo of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      const jar = new CookieJar();
      const done = await ssoSignIn(jar, main, 'alice', returnTo);
      expect(done.url.href).toBe(`${main.url}/`);
    }
  });

  it('with auto-create off, refuses an unknown identity and links the one whose login name an admin created', async () => {
    const jar = new CookieJar();
    const refused = await ssoSignIn(jar, linkOnly, 'carol');
    expect(refused.url.href).toBe(`${linkOnly.url}/?sso_error=oidc_not_allowed#/sign-in`);
    expect((await usersOf(linkOnly)).map((u) => u.name)).not.toContain('carol');
    const created = await call(linkOnly.url, 'POST', '/api/users', { name: 'carol', role: 'inspector' });
    expect(created.status).toBe(201);
    const done = await ssoSignIn(jar, linkOnly, 'carol');
    expect(done.url.href).toBe(`${linkOnly.url}/#/jobs`);
    const user = (await stateOf(jar, linkOnly)).user;
    expect(user).toMatchObject({ name: 'carol', role: 'inspector' });
    expect((await usersOf(linkOnly)).find((u) => u.name === 'carol')).toMatchObject({ sso: true, id: user?.id });
    // Linked: it signs in through SSO only; its one-time password no longer works.
    const password = (created.json as { password: string }).password;
    expect((await call(linkOnly.url, 'POST', '/api/auth/login', { name: 'carol', password }, {}, { as: null })).status).toBe(401);
  });

  it('says the IdP cannot be reached (oidc_unavailable) and keeps serving', async () => {
    const started = Date.now();
    const jar = new CookieJar();
    const res = await jar.fetch(`${idpDown.url}/api/auth/oidc/start?return_to=/`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/?sso_error=oidc_unavailable#/sign-in');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await call(idpDown.url, 'GET', '/api/health')).status).toBe(200);
    expect(AuthStateSchema.parse((await call(idpDown.url, 'GET', '/api/auth/state', undefined, {}, { as: null })).json).oidc.enabled).toBe(true);
  });

  it('with SSO off, both routes send the browser back with oidc_disabled', async () => {
    for (const path of ['/api/auth/oidc/start', '/api/auth/oidc/callback?code=x&state=y']) {
      const res = await new CookieJar().fetch(`${noSso.url}${path}`);
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/?sso_error=oidc_disabled#/sign-in');
    }
  });
});
