/**
 * Sign-in as a browser does it, against the real server: the one-time setup of the first admin, the
 * session cookie's attributes, CSRF on changes, throttled sign-in, sign-out and changing one's password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthStateSchema, CreatedUserSchema, SignedInSchema } from '@shared/users.js';
import type { RunningServer } from '../../server/src/http/server.js';
import { call, removeDir, signIn, startBareServer, tempDir, type TestSession } from './helpers.js';

let dir: string;
let server: RunningServer;
const anonymous = { as: null };
const admin = { name: 'root', password: 'correct horse battery' };

beforeAll(async () => {
  dir = tempDir('mofang-auth-');
  server = await startBareServer(dir, { MOFANG_LOGIN_MAX_FAILURES: '3' });
});
afterAll(async () => {
  await server?.close();
  if (dir) removeDir(dir);
});

function sessionCookie(res: { headers: Headers }): string | undefined {
  return res.headers.getSetCookie().find((c) => c.startsWith('mofang_session='));
}

let session: TestSession;

describe('first admin and sign-in', () => {
  it('asks for setup while no user exists, and refuses every other route', async () => {
    const state = AuthStateSchema.parse((await call(server.url, 'GET', '/api/auth/state', undefined, {}, anonymous)).json);
    expect(state).toEqual({ setup_required: true, user: null, csrf_token: null, oidc: { enabled: false } });
    const res = await call(server.url, 'GET', '/api/scenarios', undefined, {}, anonymous);
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ error: { code: 'unauthenticated' } });
    expect((await call(server.url, 'GET', '/api/health', undefined, {}, anonymous)).status).toBe(200);
  });

  it('refuses a short password, then creates the admin once and signs them in with an httpOnly, SameSite=Lax cookie', async () => {
    const short = await call(server.url, 'POST', '/api/auth/setup', { name: admin.name, password: 'short' }, {}, anonymous);
    expect(short.status).toBe(400);
    const res = await call(server.url, 'POST', '/api/auth/setup', { ...admin, display_name: '管理员' }, {}, anonymous);
    expect(res.status).toBe(201);
    const signedIn = SignedInSchema.parse(res.json);
    expect(signedIn.user).toMatchObject({ name: 'root', display_name: '管理员', role: 'admin' });
    expect(signedIn.user.permissions).toContain('users:write');
    const cookie = sessionCookie(res);
    expect(cookie).toMatch(/^mofang_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; Max-Age=43200/);
    expect(cookie).not.toMatch(/; Secure/);
    session = { headers: { cookie: cookie!.split(';')[0]!, 'x-csrf-token': signedIn.csrf_token }, user: signedIn.user };

    const again = await call(server.url, 'POST', '/api/auth/setup', { name: 'other', password: 'another password' }, {}, anonymous);
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ error: { code: 'setup_done' } });
    const state = AuthStateSchema.parse((await call(server.url, 'GET', '/api/auth/state', undefined, {}, { as: session })).json);
    expect(state).toMatchObject({ setup_required: false, user: { name: 'root' }, csrf_token: signedIn.csrf_token });
  });

  it('needs the session CSRF token on every change made with the cookie', async () => {
    const noToken = await call(server.url, 'POST', '/api/scenarios', { name: 'x' }, { cookie: session.headers.cookie! }, anonymous);
    expect(noToken.status).toBe(403);
    expect(noToken.json).toMatchObject({ error: { code: 'csrf_failed' } });
    const wrongToken = await call(server.url, 'DELETE', '/api/scenarios/nope', undefined, { ...session.headers, 'x-csrf-token': 'forged' }, anonymous);
    expect(wrongToken.status).toBe(403);
    expect((await call(server.url, 'GET', '/api/scenarios', undefined, { cookie: session.headers.cookie! }, anonymous)).status).toBe(200);
    expect((await call(server.url, 'POST', '/api/scenarios', { name: 'x' }, {}, { as: session })).status).toBe(201);
  });

  it('signs out: the session ends and the cookie is cleared', async () => {
    const second = await signIn(server.url, 'root', admin.password);
    const res = await call(server.url, 'POST', '/api/auth/logout', undefined, {}, { as: second });
    expect(res.status).toBe(204);
    expect(sessionCookie(res)).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect((await call(server.url, 'GET', '/api/scenarios', undefined, {}, { as: second })).status).toBe(401);
    expect((await call(server.url, 'GET', '/api/scenarios', undefined, {}, { as: session })).status).toBe(200);
  });

  it('changes one\'s own password after checking the current one, and ends the other sessions', async () => {
    const other = await signIn(server.url, 'root', admin.password);
    const wrong = await call(server.url, 'POST', '/api/auth/password', { current_password: 'not it at all', new_password: 'a new long password' }, {}, { as: session });
    expect(wrong.status).toBe(400);
    expect(wrong.json).toMatchObject({ error: { code: 'wrong_password' } });
    const tooShort = await call(server.url, 'POST', '/api/auth/password', { current_password: admin.password, new_password: 'short' }, {}, { as: session });
    expect(tooShort.status).toBe(400);
    const ok = await call(server.url, 'POST', '/api/auth/password', { current_password: admin.password, new_password: 'a new long password' }, {}, { as: session });
    expect(ok.status).toBe(204);
    expect((await call(server.url, 'GET', '/api/scenarios', undefined, {}, { as: session })).status).toBe(200);
    expect((await call(server.url, 'GET', '/api/scenarios', undefined, {}, { as: other })).status).toBe(401);
    admin.password = 'a new long password';
    await expect(signIn(server.url, 'root', admin.password)).resolves.toMatchObject({ user: { name: 'root' } });
  });

  it('refuses a wrong password or an unknown name alike, and throttles after MOFANG_LOGIN_MAX_FAILURES failures', async () => {
    const unknown = await call(server.url, 'POST', '/api/auth/login', { name: 'nobody', password: 'whatever1' }, {}, anonymous);
    expect(unknown.status).toBe(401);
    expect(unknown.json).toMatchObject({ error: { code: 'invalid_credentials' } });
    for (let i = 0; i < 3; i++) {
      const wrong = await call(server.url, 'POST', '/api/auth/login', { name: 'root', password: `wrong-${i}-password` }, {}, anonymous);
      expect(wrong.status).toBe(401);
      expect(wrong.json).toMatchObject({ error: { code: 'invalid_credentials' } });
    }
    const throttled = await call(server.url, 'POST', '/api/auth/login', admin, {}, anonymous);
    expect(throttled.status).toBe(429);
    expect(throttled.json).toMatchObject({ error: { code: 'too_many_attempts' } });
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(sessionCookie(throttled)).toBeUndefined();
  });
});

describe('behind a reverse proxy', () => {
  it('marks the cookie Secure for https only when the proxy is trusted (MOFANG_TRUST_PROXY)', async () => {
    const body = { name: 'edge', password: 'long enough pw' };
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' };
    const trustedDir = tempDir('mofang-auth-proxy-');
    const trusted = await startBareServer(trustedDir, { MOFANG_TRUST_PROXY: 'loopback' });
    try {
      const res = await call(trusted.url, 'POST', '/api/auth/setup', body, forwarded, anonymous);
      expect(res.status).toBe(201);
      expect(sessionCookie(res)).toMatch(/; Secure/);
    } finally {
      await trusted.close();
      removeDir(trustedDir);
    }
    // The server of the tests above trusts no proxy: the same headers change nothing.
    const created = CreatedUserSchema.parse((await call(server.url, 'POST', '/api/users', { name: 'edge', role: 'viewer' }, {}, { as: session })).json);
    const res = await call(server.url, 'POST', '/api/auth/login', { name: 'edge', password: created.password }, forwarded, anonymous);
    expect(res.status).toBe(200);
    expect(sessionCookie(res)).not.toMatch(/; Secure/);
  });
});
