import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { storesUnderTest } from '../storage/testing-stores.js';
import { hashPassword, oneTimePassword, verifyPassword } from './password.js';
import { createSession, deleteOtherSessions, deleteSession, resolveSession } from './sessions.js';
import { authenticate, countActiveAdmins, countUsers, createFirstAdmin, createUser, listUsers, resetPassword, updateUser } from './users.js';
import { authConfigFromEnv, DEFAULT_AUTH_CONFIG } from './auth-config.js';

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

describe.each(storesUnderTest('users'))('users on %s', (_name, open, skip) => {
  it.skipIf(skip)('creates the first admin once, then refuses setup', async () => {
    const store = await open();
    const admin = await createFirstAdmin(store, { name: 'root', password: 'long enough' }, 1_000);
    // Setup signs the admin in: the users page shows that sign-in, not "never signed in".
    expect(admin).toMatchObject({ role: 'admin', displayName: 'root', lastLoginAt: 1_000 });
    expect((await createUser(store, { name: 'later', role: 'viewer', password: 'long enough' }, 2_000)).lastLoginAt).toBeNull();
    await expect(createFirstAdmin(store, { name: 'again', password: 'long enough' })).rejects.toMatchObject({ code: 'setup_done' });
    await expect(createUser(store, { name: 'ROOT', role: 'viewer', password: 'long enough' })).rejects.toMatchObject({ code: 'name_taken' });
    expect((await listUsers(store)).map((u) => u.name)).toEqual(['root', 'later']);
  });

  it.skipIf(skip)('tells a disabled user so only when the password is right', async () => {
    const store = await open();
    const user = await createUser(store, { name: 'v', role: 'viewer', password: 'long enough' });
    await createUser(store, { name: 'a', role: 'admin', password: 'long enough' });
    await updateUser(store, user.id, { disabled: true });
    expect(await authenticate(store, 'v', 'wrong one!')).toEqual({ ok: false, reason: 'invalid_credentials' });
    expect(await authenticate(store, 'v', 'long enough')).toEqual({ ok: false, reason: 'user_disabled' });
    expect(await authenticate(store, 'ghost', 'long enough')).toEqual({ ok: false, reason: 'invalid_credentials' });
  });

  it.skipIf(skip)('gives a login name raced for by many creators to one of them; the others are told name_taken', async () => {
    const store = await open();
    const outcomes = await Promise.allSettled(['zhang', 'ZHANG', 'ｚｈａｎｇ', 'Zhang'].map((name) => createUser(store, { name, role: 'viewer', password: 'long enough' })));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toMatchObject({ kind: 'conflict', code: 'name_taken' });
    expect(await countUsers(store)).toBe(1);
    // Set up at once: one first admin, the other told setup_done.
    const empty = await open();
    const setups = await Promise.allSettled(['a1', 'a2', 'a3'].map((name) => createFirstAdmin(empty, { name, password: 'long enough' })));
    expect(setups.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of setups) if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: 'setup_done' });
  });

  it.skipIf(skip)('keeps an active admin when two admins are demoted at once', async () => {
    const store = await open();
    const a = await createUser(store, { name: 'a', role: 'admin', password: 'long enough' });
    const b = await createUser(store, { name: 'b', role: 'admin', password: 'long enough' });
    const outcomes = await Promise.allSettled([updateUser(store, a.id, { role: 'viewer' }), updateUser(store, b.id, { disabled: true })]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: { code: 'last_admin' } });
    expect(await countActiveAdmins(store)).toBe(1);
  });

  it.skipIf(skip)('ends the sessions of a disabled user and of a reset password, and refuses a reset for an SSO user', async () => {
    const store = await open();
    const lifetime = { ttlMs: 60 * 60_000, maxMs: 7 * 24 * 60 * 60_000 };
    await createUser(store, { name: 'boss', role: 'admin', password: 'long enough' });
    const user = await createUser(store, { name: 'u', role: 'designer', password: 'long enough' });
    const s1 = await createSession(store, user.id, lifetime);
    const reset = await resetPassword(store, user.id);
    expect(reset.user.passwordMustChange).toBe(true);
    expect(await resolveSession(store, s1.token, lifetime)).toBeUndefined();
    expect(await authenticate(store, 'u', reset.password)).toMatchObject({ ok: true });
    const s2 = await createSession(store, user.id, lifetime);
    expect(await resolveSession(store, s2.token, lifetime)).toMatchObject({ user: { id: user.id } });
    await updateUser(store, user.id, { disabled: true });
    expect(await resolveSession(store, s2.token, lifetime)).toBeUndefined();
    const sso = await createUser(store, { name: 'sso', role: 'viewer', password: 'long enough' });
    await store.db.update(store.t.users).set({ oidcIssuer: 'https://i', oidcSubject: 's', passwordHash: null }).where(eq(store.t.users.id, sso.id));
    await expect(resetPassword(store, sso.id)).rejects.toMatchObject({ code: 'sso_user' });
  });
});

describe.each(storesUnderTest('sessions'))('sessions on %s', (_name, open, skip) => {
  const lifetime = { ttlMs: 60 * 60_000, maxMs: 7 * 24 * 60 * 60_000 };
  it.skipIf(skip)('store only the token hash, expire after the lifetime, and slide when used', async () => {
    const store = await open();
    const user = await createUser(store, { name: 'u', role: 'designer', password: 'long enough' });
    const ttl = lifetime.ttlMs;
    const t0 = 1_000_000_000_000;
    const s = await createSession(store, user.id, lifetime, t0);
    const raw = JSON.stringify(await store.db.select().from(store.t.sessions));
    expect(raw).not.toContain(s.token);
    expect(await resolveSession(store, s.token, lifetime, t0 + 30_000)).toMatchObject({ slid: false, expiresAt: t0 + ttl, csrfToken: s.csrfToken });
    // Used after 50 minutes: the lifetime starts again from then.
    expect(await resolveSession(store, s.token, lifetime, t0 + 50 * 60_000)).toMatchObject({ slid: true, expiresAt: t0 + 110 * 60_000 });
    expect(await resolveSession(store, s.token, lifetime, t0 + 111 * 60_000)).toBeUndefined();
    // Expired sessions are deleted: going back in time does not bring it back.
    expect(await resolveSession(store, s.token, lifetime, t0 + 60_000)).toBeUndefined();
    expect(await resolveSession(store, 'made-up', lifetime, t0)).toBeUndefined();
  });

  it.skipIf(skip)('end at their absolute lifetime since sign-in however often they are used', async () => {
    const store = await open();
    const user = await createUser(store, { name: 'u', role: 'designer', password: 'long enough' });
    const hour = 60 * 60_000;
    const t0 = 1_000_000_000_000;
    const s = await createSession(store, user.id, { ttlMs: hour, maxMs: 3 * hour }, t0);
    // Used every 50 minutes: it slides, but never past sign-in + 3 hours.
    for (let t = t0 + 50 * 60_000; t < t0 + 3 * hour; t += 50 * 60_000) {
      const active = await resolveSession(store, s.token, { ttlMs: hour, maxMs: 3 * hour }, t);
      expect(active?.expiresAt).toBeLessThanOrEqual(t0 + 3 * hour);
    }
    expect(await resolveSession(store, s.token, { ttlMs: hour, maxMs: 3 * hour }, t0 + 3 * hour)).toBeUndefined();
  });

  it.skipIf(skip)('end everywhere at once: a sign-out, other sessions ended', async () => {
    const store = await open();
    const user = await createUser(store, { name: 'u', role: 'designer', password: 'long enough' });
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => createSession(store, user.id, lifetime)));
    const kept = await resolveSession(store, a.token, lifetime);
    await deleteOtherSessions(store, user.id, kept!.id);
    expect(await resolveSession(store, b.token, lifetime)).toBeUndefined();
    expect(await resolveSession(store, c.token, lifetime)).toBeUndefined();
    await deleteSession(store, kept!.id);
    expect(await resolveSession(store, a.token, lifetime)).toBeUndefined();
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
