import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStoreFile, type Store } from '../storage/db.js';
import { DomainError } from '../common/domain-error.js';
import { hashPassword, oneTimePassword, verifyPassword } from './password.js';
import { createSession, resolveSession } from './sessions.js';
import { LoginThrottle } from './throttle.js';
import { authenticate, createFirstAdmin, createUser, updateUser } from './users.js';
import { authConfigFromEnv, DEFAULT_AUTH_CONFIG } from './auth-config.js';

let store: Store;
beforeEach(() => {
  store = openStoreFile(':memory:');
});
afterEach(() => store.close());

describe('passwords', () => {
  it('hashes with argon2id and a fresh salt, and verifies only the right password', async () => {
    const a = await hashPassword('密码 correct horse');
    const b = await hashPassword('密码 correct horse');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword(a, '密码 correct horse')).toBe(true);
    expect(await verifyPassword(a, '密码 correct hors')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
  });

  it('makes one-time passwords of readable letters, all different', () => {
    const seen = new Set(Array.from({ length: 200 }, () => oneTimePassword()));
    expect(seen.size).toBe(200);
    for (const p of seen) expect(p).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{16}$/);
    expect(oneTimePassword(40)).toHaveLength(40);
  });
});

describe('users', () => {
  it('creates the first admin once, then refuses setup', async () => {
    const admin = await createFirstAdmin(store.db, { name: 'root', password: 'long enough' }, 1_000);
    // Setup signs the admin in: the users page shows that sign-in, not "never signed in".
    expect(admin).toMatchObject({ role: 'admin', displayName: 'root', lastLoginAt: 1_000 });
    expect((await createUser(store.db, { name: 'later', role: 'viewer', password: 'long enough' }, 2_000)).lastLoginAt).toBeNull();
    await expect(createFirstAdmin(store.db, { name: 'again', password: 'long enough' })).rejects.toMatchObject({ code: 'setup_done' });
    await expect(createUser(store.db, { name: 'root', role: 'viewer', password: 'long enough' })).rejects.toBeInstanceOf(DomainError);
  });

  it('tells a disabled user so only when the password is right', async () => {
    const user = await createUser(store.db, { name: 'v', role: 'viewer', password: 'long enough' });
    await createUser(store.db, { name: 'a', role: 'admin', password: 'long enough' });
    updateUser(store.db, user.id, { disabled: true });
    expect(await authenticate(store.db, 'v', 'wrong one!')).toEqual({ ok: false, reason: 'invalid_credentials' });
    expect(await authenticate(store.db, 'v', 'long enough')).toEqual({ ok: false, reason: 'user_disabled' });
    expect(await authenticate(store.db, 'ghost', 'long enough')).toEqual({ ok: false, reason: 'invalid_credentials' });
  });
});

describe('sessions', () => {
  it('store only the token hash, expire after the lifetime, and slide when used', async () => {
    const user = await createUser(store.db, { name: 'u', role: 'designer', password: 'long enough' });
    const ttl = 60 * 60_000;
    const t0 = 1_000_000_000_000;
    const s = createSession(store.db, user.id, ttl, t0);
    const raw = JSON.stringify(store.db.all(sql`SELECT * FROM sessions`));
    expect(raw).not.toContain(s.token);
    expect(resolveSession(store.db, s.token, ttl, t0 + 30_000)).toMatchObject({ slid: false, expiresAt: t0 + ttl, csrfToken: s.csrfToken });
    // Used after 50 minutes: the lifetime starts again from then.
    expect(resolveSession(store.db, s.token, ttl, t0 + 50 * 60_000)).toMatchObject({ slid: true, expiresAt: t0 + 110 * 60_000 });
    expect(resolveSession(store.db, s.token, ttl, t0 + 111 * 60_000)).toBeUndefined();
    // Expired sessions are deleted: going back in time does not bring it back.
    expect(resolveSession(store.db, s.token, ttl, t0 + 60_000)).toBeUndefined();
    expect(resolveSession(store.db, 'made-up', ttl, t0)).toBeUndefined();
  });
});

describe('login throttle', () => {
  it('refuses a name after its failures, and an address after its own, until the window ends', async () => {
    const throttle = new LoginThrottle({ maxFailuresPerName: 2, maxFailuresPerAddress: 5, windowSeconds: 60 });
    expect(await throttle.check('Zhang', '10.0.0.1')).toEqual({ allowed: true });
    await throttle.failed('Zhang', '10.0.0.1');
    expect((await throttle.check('zhang', '10.0.0.1')).allowed).toBe(true);
    await throttle.failed('zhang', '10.0.0.1');
    const verdict = await throttle.check('ZHANG', '10.0.0.2');
    expect(verdict.allowed).toBe(false);
    if (!verdict.allowed) expect(verdict.retryAfterSeconds).toBeGreaterThan(50);
    for (const name of ['a', 'b', 'c']) await throttle.failed(name, '10.0.0.1');
    expect((await throttle.check('d', '10.0.0.1')).allowed).toBe(false);
    expect((await throttle.check('d', '10.0.0.3')).allowed).toBe(true);
    await throttle.succeeded('a');
    expect((await throttle.check('a', '10.0.0.3')).allowed).toBe(true);
  });
});

describe('auth settings', () => {
  it('reads hours and limits from the environment, defaults when unset, names a bad variable', () => {
    expect(authConfigFromEnv({})).toEqual(DEFAULT_AUTH_CONFIG);
    expect(authConfigFromEnv({ MOFANG_SESSION_TTL_HOURS: '2', MOFANG_LOGIN_MAX_FAILURES: '9', MOFANG_LOGIN_WINDOW_MINUTES: '1' })).toMatchObject({ sessionTtlMs: 7_200_000, maxFailuresPerName: 9, windowSeconds: 60 });
    expect(() => authConfigFromEnv({ MOFANG_SESSION_TTL_HOURS: '0' })).toThrow(/MOFANG_SESSION_TTL_HOURS/);
    expect(authConfigFromEnv({ MOFANG_TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe('loopback, 10.0.0.0/8');
    expect(authConfigFromEnv({ MOFANG_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(authConfigFromEnv({ MOFANG_TRUST_PROXY: '' }).trustProxy).toBe(false);
  });
});
