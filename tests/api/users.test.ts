/**
 * Admins manage users through `/api/users`: add (a one-time password shown once), change role, disable
 * (their sessions end), reset a password; the last active admin stays.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreatedUserSchema, ResetPasswordReplySchema, UserSchema } from '@shared/users.js';
import { z } from 'zod';
import { call, removeDir, signIn, startTestServer, tempDir, type TestServer } from './helpers.js';

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
    const designer = await signIn(server.url, 'zhang.san', created.password);
    expect(designer.user.role).toBe('designer');

    const list = await call(server.url, 'GET', '/api/users');
    const users = z.array(UserSchema.strict()).parse(list.json);
    expect(users.map((u) => u.name)).toEqual(['admin', 'zhang.san']);
    expect(users[1]?.last_login_at).not.toBeNull();
    expect(list.text).not.toMatch(/argon2|password/);

    const taken = await call(server.url, 'POST', '/api/users', { name: 'zhang.san', role: 'viewer' });
    expect(taken.status).toBe(409);
    expect(taken.json).toMatchObject({ error: { code: 'user_exists' } });
    const badRole = await call(server.url, 'POST', '/api/users', { name: 'li', role: 'owner' });
    expect(badRole.status).toBe(400);

    const forbidden = await call(server.url, 'GET', '/api/users', undefined, {}, { as: designer });
    expect(forbidden.status).toBe(403);
    expect(forbidden.json).toMatchObject({ error: { code: 'forbidden', details: { permission: 'users:read' } } });
  });

  it('changes a role at once, and disabling a user ends their sessions and refuses their sign-in', async () => {
    const created = await addUser('wang.wu', 'viewer');
    const session = await signIn(server.url, 'wang.wu', created.password);
    expect((await call(server.url, 'POST', '/api/scenarios', { name: 'v' }, {}, { as: session })).status).toBe(403);
    const promoted = await call(server.url, 'PATCH', `/api/users/${created.user.id}`, { role: 'designer' });
    expect(UserSchema.parse(promoted.json).role).toBe('designer');
    expect((await call(server.url, 'POST', '/api/scenarios', { name: 'v' }, {}, { as: session })).status).toBe(201);

    const disabled = await call(server.url, 'PATCH', `/api/users/${created.user.id}`, { disabled: true });
    expect(UserSchema.parse(disabled.json).disabled).toBe(true);
    expect((await call(server.url, 'GET', '/api/scenarios', undefined, {}, { as: session })).status).toBe(401);
    const login = await call(server.url, 'POST', '/api/auth/login', { name: 'wang.wu', password: created.password }, {}, { as: null });
    expect(login.status).toBe(403);
    expect(login.json).toMatchObject({ error: { code: 'user_disabled' } });
    await call(server.url, 'PATCH', `/api/users/${created.user.id}`, { disabled: false });
    await expect(signIn(server.url, 'wang.wu', created.password)).resolves.toMatchObject({ user: { role: 'designer' } });
    expect((await call(server.url, 'PATCH', '/api/users/nobody', { disabled: true })).status).toBe(404);
  });

  it('resets a password: a new one-time password works, the old one and the old sessions do not', async () => {
    const created = await addUser('zhao.liu', 'inspector');
    const session = await signIn(server.url, 'zhao.liu', created.password);
    const res = await call(server.url, 'POST', `/api/users/${created.user.id}/reset-password`);
    const { password } = ResetPasswordReplySchema.parse(res.json);
    expect(password).not.toBe(created.password);
    expect((await call(server.url, 'GET', '/api/jobs', undefined, {}, { as: session })).status).toBe(401);
    expect((await call(server.url, 'POST', '/api/auth/login', { name: 'zhao.liu', password: created.password }, {}, { as: null })).status).toBe(401);
    await expect(signIn(server.url, 'zhao.liu', password)).resolves.toMatchObject({ user: { role: 'inspector' } });
  });

  it('keeps the last active admin: no demoting or disabling them, until another admin exists', async () => {
    const me = (z.array(UserSchema).parse((await call(server.url, 'GET', '/api/users')).json)).find((u) => u.name === 'admin')!;
    for (const patch of [{ role: 'designer' }, { disabled: true }]) {
      const res = await call(server.url, 'PATCH', `/api/users/${me.id}`, patch);
      expect(res.status).toBe(409);
      expect(res.json).toMatchObject({ error: { code: 'last_admin' } });
    }
    const second = await addUser('second.admin', 'admin');
    const other = await signIn(server.url, 'second.admin', second.password);
    const demoted = await call(server.url, 'PATCH', `/api/users/${me.id}`, { role: 'viewer' }, {}, { as: other });
    expect(UserSchema.parse(demoted.json).role).toBe('viewer');
    const last = await call(server.url, 'PATCH', `/api/users/${second.user.id}`, { disabled: true }, {}, { as: other });
    expect(last.status).toBe(409);
  });
});
