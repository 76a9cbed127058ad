import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStoreFile, type Store } from '../storage/db.js';
import { DomainError } from '../common/domain-error.js';
import { hashPassword, oneTimePassword, verifyPassword } from './password.js';
import { createSession, resolveSession } from './sessions.js';
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
  const lifetime = { ttlMs: 60 * 60_000, maxMs: 7 * 24 * 60 * 60_000 };
  it('store only the token hash, expire after the lifetime, and slide when used', async () => {
    const user = await createUser(store.db, { name: 'u', role: 'designer', password: 'long enough' });
    const ttl = lifetime.ttlMs;
    const t0 = 1_000_000_000_000;
    const s = createSession(store.db, user.id, lifetime, t0);
    const raw = JSON.stringify(store.db.all(sql`SELECT * FROM sessions`));
    expect(raw).not.toContain(s.token);
    expect(resolveSession(store.db, s.token, lifetime, t0 + 30_000)).toMatchObject({ slid: false, expiresAt: t0 + ttl, csrfToken: s.csrfToken });
    // Used after 50 minutes: the lifetime starts again from then.
    expect(resolveSession(store.db, s.token, lifetime, t0 + 50 * 60_000)).toMatchObject({ slid: true, expiresAt: t0 + 110 * 60_000 });
    expect(resolveSession(store.db, s.token, lifetime, t0 + 111 * 60_000)).toBeUndefined();
    // Expired sessions are deleted: going back in time does not bring it back.
    expect(resolveSession(store.db, s.token, lifetime, t0 + 60_000)).toBeUndefined();
    expect(resolveSession(store.db, 'made-up', lifetime, t0)).toBeUndefined();
  });

  it('end at their absolute lifetime since sign-in however often they are used', async () => {
    const user = await createUser(store.db, { name: 'u', role: 'designer', password: 'long enough' });
    const hour = 60 * 60_000;
    const t0 = 1_000_000_000_000;
    const s = createSession(store.db, user.id, { ttlMs: hour, maxMs: 3 * hour }, t0);
    // Used every 50 minutes: it slides, but never past sign-in + 3 hours.
    for (let t = t0 + 50 * 60_000; t < t0 + 3 * hour; t += 50 * 60_000) {
      const active = resolveSession(store.db, s.token, { ttlMs: hour, maxMs: 3 * hour }, t);
      expect(active?.expiresAt).toBeLessThanOrEqual(t0 + 3 * hour);
    }
    expect(resolveSession(store.db, s.token, { ttlMs: hour, maxMs: 3 * hour }, t0 + 3 * hour)).toBeUndefined();
  });
});

describe('auth settings', () => {
  it('reads hours and limits from the environment, defaults when unset, names a bad variable', () => {
    expect(authConfigFromEnv({})).toEqual(DEFAULT_AUTH_CONFIG);
    expect(DEFAULT_AUTH_CONFIG.sessionMaxMs).toBe(7 * 24 * 3_600_000);
    expect(
      authConfigFromEnv({ MOFANG_SESSION_TTL_HOURS: '2', MOFANG_SESSION_MAX_HOURS: '24', MOFANG_LOGIN_MAX_FAILURES: '9', MOFANG_LOGIN_MAX_FAILURES_PER_NAME: '50', MOFANG_LOGIN_WINDOW_MINUTES: '1', MOFANG_PASSWORD_CHECKS_MAX: '3' }),
    ).toMatchObject({ sessionTtlMs: 7_200_000, sessionMaxMs: 86_400_000, maxFailuresPerName: 9, maxFailuresPerAccount: 50, windowSeconds: 60, maxPasswordChecks: 3 });
    expect(() => authConfigFromEnv({ MOFANG_SESSION_TTL_HOURS: '0' })).toThrow(/MOFANG_SESSION_TTL_HOURS/);
    expect(() => authConfigFromEnv({ MOFANG_SESSION_MAX_HOURS: 'a week' })).toThrow(/MOFANG_SESSION_MAX_HOURS/);
    expect(() => authConfigFromEnv({ MOFANG_SESSION_MAX_HOURS: '0' })).toThrow(/MOFANG_SESSION_MAX_HOURS/);
    expect(() => authConfigFromEnv({ MOFANG_PASSWORD_CHECKS_MAX: '0' })).toThrow(/MOFANG_PASSWORD_CHECKS_MAX/);
    expect(authConfigFromEnv({ MOFANG_TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe('loopback, 10.0.0.0/8');
    expect(authConfigFromEnv({ MOFANG_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(authConfigFromEnv({ MOFANG_TRUST_PROXY: '' }).trustProxy).toBe(false);
  });
});
