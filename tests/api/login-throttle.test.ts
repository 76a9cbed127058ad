/**
 * Sign-in throttling under the load a guesser makes, over real HTTP: parallel guesses are counted before
 * their passwords are checked, an attacker blocks only their own (account, address) pair, a burst of
 * sign-ins is bounded (503 beyond the queue) instead of filling the thread pool, guesses at the current
 * password are throttled per user, and every /api reply says `Cache-Control: no-store`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/config.js';
import { call, removeDir, signInAs, startTestServer, TEST_ADMIN, tempDir, type TestServer } from './helpers.js';

let dir: string;
let server: TestServer;
const anonymous = { as: null };

beforeAll(async () => {
  dir = tempDir('mofang-throttle-');
  // Behind a trusted proxy (the test itself): X-Forwarded-For sets each request's client address.
  server = await startTestServer(dir, { MOFANG_TRUST_PROXY: 'loopback' });
});
afterAll(async () => {
  await server?.close();
  if (dir) removeDir(dir);
});

function login(name: string, password: string, address: string) {
  return call(server.url, 'POST', '/api/auth/login', { name, password }, { 'x-forwarded-for': address }, anonymous);
}

describe('sign-in throttling', () => {
  it('lets only MOFANG_LOGIN_MAX_FAILURES of 100 parallel wrong guesses for one account through', async () => {
    const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => login('admin', `wrong password ${i}`, '198.51.100.7')));
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(90);
    const refused = replies.find((r) => r.status === 429)!;
    expect(refused.json).toMatchObject({ error: { code: 'too_many_attempts' } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('does not lock the account out for its owner at another address, nor under another spelling for the attacker', async () => {
    for (let i = 0; i < 10; i++) expect((await login('admin', `guess ${i}`, '203.0.113.66')).status).toBe(401);
    expect((await login('admin', TEST_ADMIN.password, '203.0.113.66')).status).toBe(429);
    // Counted by account: ADMIN and ａｄｍｉｎ are the same one.
    expect((await login('ADMIN', TEST_ADMIN.password, '203.0.113.66')).status).toBe(429);
    expect((await login('ａｄｍｉｎ', TEST_ADMIN.password, '203.0.113.66')).status).toBe(429);
    // The admin at their own desk signs in.
    expect((await login('admin', TEST_ADMIN.password, '203.0.113.7')).status).toBe(200);
  });

  it('throttles guesses at the current password per user (a stolen session)', async () => {
    const viewer = await signInAs(server.url, 'viewer');
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) => call(server.url, 'POST', '/api/auth/password', { current_password: `guess ${i}`, new_password: 'a new password!' }, {}, { as: viewer })),
    );
    expect(replies.filter((r) => r.status === 400)).toHaveLength(10);
    const throttled = replies.filter((r) => r.status === 429);
    expect(throttled).toHaveLength(20);
    expect(throttled[0]?.json).toMatchObject({ error: { code: 'too_many_attempts' } });
    expect(Number(throttled[0]?.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('sends Cache-Control: no-store on every /api reply, refusals included', async () => {
    for (const [url, options] of [['/api/auth/state', {}], ['/api/users', {}], ['/api/scenarios', anonymous], ['/api/jobs/none/results', {}], ['/api/health', anonymous]] as const) {
      const res = await call(server.url, 'GET', url, undefined, {}, options);
      expect([url, res.headers.get('cache-control')]).toEqual([url, 'no-store']);
    }
    const page = await fetch(`${server.url}/assets/app.js`);
    expect(page.headers.get('cache-control')).not.toBe('no-store');
  });

  it('refuses a bad MOFANG_SESSION_MAX_HOURS at start, naming it', () => {
    expect(() => loadConfig({ MOFANG_SESSION_MAX_HOURS: 'a week' })).toThrow(/MOFANG_SESSION_MAX_HOURS/);
  });
});

describe('a burst of sign-ins', () => {
  let burstDir: string;
  let burst: TestServer;
  beforeAll(async () => {
    burstDir = tempDir('mofang-burst-');
    burst = await startTestServer(burstDir, { MOFANG_LOGIN_MAX_FAILURES_PER_ADDRESS: '100000', MOFANG_LOGIN_MAX_FAILURES: '100000' });
  });
  afterAll(async () => {
    await burst?.close();
    if (burstDir) removeDir(burstDir);
  });

  it('checks at most a bounded queue of passwords and answers the rest 503 too_many_attempts with Retry-After', async () => {
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => call(burst.url, 'POST', '/api/auth/login', { name: `nobody-${i}`, password: 'whatever password' }, {}, anonymous)),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.every((s) => s === 401 || s === 503)).toBe(true);
    const busy = replies.filter((r) => r.status === 503);
    expect(busy.length).toBeGreaterThan(50);
    expect(busy[0]?.json).toMatchObject({ error: { code: 'too_many_attempts' } });
    expect(busy[0]?.headers.get('retry-after')).toBe('1');
    // The admin still signs in once the burst is over.
    expect((await call(burst.url, 'POST', '/api/auth/login', TEST_ADMIN, {}, anonymous)).status).toBe(200);
  });
});
