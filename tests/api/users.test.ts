/**
 * Admins manage users through `/api/users`: add (a one-time password shown once), change role, disable
 * (their sessions end), reset a password; the last active admin stays.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreatedUserSchema, ResetPasswordReplySchema, UserSchema } from '@shared/users.js';
import { z } from 'zod';
import { AuthStateSchema } from '@shared/users.js';
import { call, CHOSEN_PASSWORD, removeDir, signIn, signInFirstTime, startTestServer, tempDir, type TestServer } from './helpers.js';

let dir: string;
let server: TestServer;

beforeAll(async () => {
  dir = tempDir('mofang-users-');
  server = await startTestServer(dir);
});
afterAll(async () => {
  await server?.close();
  if (dir) removeDir(dir);
});

async function addUser(name: string, role: string) {
  const res = await call(server.url, 'POST', '/api/users', { name, role, display_name: `${name} 显示名` });
  expect(res.status).toBe(201);
  return CreatedUserSchema.parse(res.json);
}

describe('/api/users', () => {
  it('adds a user with a one-time password that signs in, lists users without hashes, refuses a taken name', async () => {
    const created = await addUser('zhang.san', 'designer');
    expect(created.password).toMatch(/^[A-Za-z2-9]{16}$/);
    expect(created.user).toMatchObject({ name: 'zhang.san', display_name: 'zhang.san 显示名', role: 'designer', disabled: false, sso: false, last_login_at: null });
    const designer = await signInFirstTime(server.url, 'zhang.san', created.password);
    expect(designer.user.role).toBe('designer');

    const list = await call(server.url, 'GET', '/api/users');
    const users = z.array(UserSchema.strict()).parse(list.json);
    expect(users.map((u) => u.name)).toEqual(['admin', 'zhang.san']);
    expect(users[1]?.last_login_at).not.toBeNull();
    expect(list.text).not.toMatch(/argon2|password/);

    const taken = await call(server.url, 'POST', '/api/users', { name: 'zhang.san', role: 'viewer' });
    expect(taken.status).toBe(409);
    expect(taken.json).toMatchObject({ error: { code: 'name_taken' } });
    const badRole = await call(server.url, 'POST', '/api/users', { name: 'li', role: 'owner' });
    expect(badRole.status).toBe(400);

    const forbidden = await call(server.url, 'GET', '/api/users', undefined, {}, { as: designer });
    expect(forbidden.status).toBe(403);
    expect(forbidden.json).toMatchObject({ error: { code: 'forbidden', details: { permission: 'users:read' } } });
  });

  it('changes a role at once, and disabling a user ends their sessions and refuses their sign-in', async () => {
    const created = await addUser('wang.wu', 'viewer');
    const session = await signInFirstTime(server.url, 'wang.wu', created.password);
    expect((await call(server.url, 'POST', '/api/scenarios', { name: 'v' }, {}, { as: session })).status).toBe(403);
    const promoted = await call(server.url, 'PATCH', `/api/users/${created.user.id}`, { role: 'designer' });
    expect(UserSchema.parse(promoted.json).role).toBe('designer');
    expect((await call(server.url, 'POST', '/api/scenarios', { name: 'v' }, {}, { as: session })).status).toBe(201);

    const disabled = await call(server.url, 'PATCH', `/api/users/${created.user.id}`, { disabled: true });
    expect(UserSchema.parse(disabled.json).disabled).toBe(true);
    expect((await call(server.url, 'GET', '/api/scenarios', undefined, {}, { as: session })).status).toBe(401);
    const login = await call(server.url, 'POST', '/api/auth/login', { name: 'wang.wu', password: CHOSEN_PASSWORD }, {}, { as: null });
    expect(login.status).toBe(403);
    expect(login.json).toMatchObject({ error: { code: 'user_disabled' } });
    await call(server.url, 'PATCH', `/api/users/${created.user.id}`, { disabled: false });
    await expect(signIn(server.url, 'wang.wu', CHOSEN_PASSWORD)).resolves.toMatchObject({ user: { role: 'designer' } });
    expect((await call(server.url, 'PATCH', '/api/users/nobody', { disabled: true })).status).toBe(404);
  });

  it('resets a password: a new one-time password works, the old one and the old sessions do not', async () => {
    const created = await addUser('zhao.liu', 'inspector');
    const session = await signInFirstTime(server.url, 'zhao.liu', created.password);
    const res = await call(server.url, 'POST', `/api/users/${created.user.id}/reset-password`);
    const { password } = ResetPasswordReplySchema.parse(res.json);
    expect(password).not.toBe(created.password);
    expect((await call(server.url, 'GET', '/api/jobs', undefined, {}, { as: session })).status).toBe(401);
    expect((await call(server.url, 'POST', '/api/auth/login', { name: 'zhao.liu', password: CHOSEN_PASSWORD }, {}, { as: null })).status).toBe(401);
    // The reset password is one-time too: it must be changed before anything else.
    const again = await signIn(server.url, 'zhao.liu', password);
    expect(again.user).toMatchObject({ role: 'inspector', password_must_change: true });
    expect((await call(server.url, 'GET', '/api/jobs', undefined, {}, { as: again })).json).toMatchObject({ error: { code: 'password_change_required' } });
  });

  it('makes a one-time password change first: every route but state, sign-out and the password change answers 403 password_change_required', async () => {
    const created = await addUser('new.hire', 'designer');
    const session = await signIn(server.url, 'new.hire', created.password);
    expect(session.user).toMatchObject({ password_must_change: true });
    const state = AuthStateSchema.parse((await call(server.url, 'GET', '/api/auth/state', undefined, {}, { as: session })).json);
    expect(state.user).toMatchObject({ name: 'new.hire', password_must_change: true });
    for (const [method, url, body] of [['GET', '/api/scenarios'], ['POST', '/api/scenarios', { name: 'x' }], ['GET', '/api/node-kinds'], ['GET', '/api/health'], ['GET', '/api/no-such-route']] as const) {
      const res = await call(server.url, method, url, body, {}, { as: session });
      expect([url, res.status, res.json]).toMatchObject([url, 403, { error: { code: 'password_change_required' } }]);
    }
    const wrong = await call(server.url, 'POST', '/api/auth/password', { current_password: 'not the one-time one', new_password: 'my own password' }, {}, { as: session });
    expect(wrong.status).toBe(400);
    const changed = await call(server.url, 'POST', '/api/auth/password', { current_password: created.password, new_password: 'my own password' }, {}, { as: session });
    expect(changed.status).toBe(204);
    expect((await call(server.url, 'GET', '/api/scenarios', undefined, {}, { as: session })).status).toBe(200);
    const after = AuthStateSchema.parse((await call(server.url, 'GET', '/api/auth/state', undefined, {}, { as: session })).json);
    expect(after.user?.password_must_change).toBe(false);
    // The first admin (setup) chose their own password: no flag.
    const mine = AuthStateSchema.parse((await call(server.url, 'GET', '/api/auth/state')).json);
    expect(mine.user?.password_must_change).toBe(false);
    const out = await call(server.url, 'POST', '/api/auth/logout', undefined, {}, { as: await signIn(server.url, 'new.hire', 'my own password') });
    expect(out.status).toBe(204);
  });

  it('keeps login names unique without case or width, refuses look-alike scripts, and signs in whatever the case', async () => {
    await addUser('root', 'viewer');
    for (const name of ['ROOT', 'Root', 'ｒｏｏｔ', 'ＲＯＯＴ']) {
      const res = await call(server.url, 'POST', '/api/users', { name, role: 'viewer' });
      expect([name, res.status, res.json]).toMatchObject([name, 409, { error: { code: 'name_taken' } }]);
    }
    for (const name of ['аdmin', 'rооt', 'ro\u202Eot', 'ro ot', 'root\nx']) {
      const res = await call(server.url, 'POST', '/api/users', { name, role: 'viewer' });
      expect([name, res.status]).toEqual([name, 400]);
      expect(res.text).toContain('letters a-z A-Z, digits 0-9');
    }
    // U+0000 is refused before any field's own rule, as in every body (the NUL rule).
    const nul = await call(server.url, 'POST', '/api/users', { name: 'ro\u0000ot', role: 'viewer' });
    expect([nul.status, nul.json]).toMatchObject([400, { error: { code: 'nul_character', details: { path: 'body.name' } } }]);
    // Full-width input is stored in its normalised form; Chinese names are allowed.
    const wide = await call(server.url, 'POST', '/api/users', { name: 'ｌｉ．ｓｉ', role: 'viewer' });
    expect(CreatedUserSchema.parse(wide.json).user.name).toBe('li.si');
    expect((await call(server.url, 'POST', '/api/users', { name: '张三', role: 'viewer' })).status).toBe(201);
    const created = await addUser('Case.Sensitive', 'viewer');
    await expect(signIn(server.url, 'case.SENSITIVE', created.password)).resolves.toMatchObject({ user: { name: 'Case.Sensitive' } });
  });

  it('refuses control characters and bidirectional overrides in display names', async () => {
    for (const display_name of ['evil\u202Egnp.exe', 'two\nlines', 'iso\u2066late']) {
      const res = await call(server.url, 'POST', '/api/users', { name: `d${Math.random().toString(36).slice(2, 8)}`, role: 'viewer', display_name });
      expect(res.status).toBe(400);
      expect(res.text).toContain('bidirectional');
    }
    const me = (z.array(UserSchema).parse((await call(server.url, 'GET', '/api/users')).json)).find((u) => u.name === 'root')!;
    expect((await call(server.url, 'PATCH', `/api/users/${me.id}`, { display_name: 'x\u202Ey' })).status).toBe(400);
    expect((await call(server.url, 'PATCH', `/api/users/${me.id}`, { display_name: '王 五 (客服)' })).status).toBe(200);
  });
  it('keeps the last active admin: no demoting or disabling them, until another admin exists', async () => {
    const me = (z.array(UserSchema).parse((await call(server.url, 'GET', '/api/users')).json)).find((u) => u.name === 'admin')!;
    for (const patch of [{ role: 'designer' }, { disabled: true }]) {
      const res = await call(server.url, 'PATCH', `/api/users/${me.id}`, patch);
      expect(res.status).toBe(409);
      expect(res.json).toMatchObject({ error: { code: 'last_admin' } });
    }
    const second = await addUser('second.admin', 'admin');
    const other = await signInFirstTime(server.url, 'second.admin', second.password);
    const demoted = await call(server.url, 'PATCH', `/api/users/${me.id}`, { role: 'viewer' }, {}, { as: other });
    expect(UserSchema.parse(demoted.json).role).toBe('viewer');
    const last = await call(server.url, 'PATCH', `/api/users/${second.user.id}`, { disabled: true }, {}, { as: other });
    expect(last.status).toBe(409);
  });

});
