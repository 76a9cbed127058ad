/**
 * `mofang users create|list|reset` on the data directory a running server uses: the first admin made by
 * the CLI signs in to that server; a password can come from standard input; a reset ends the old one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserSchema } from '@shared/users.js';
import { z } from 'zod';
import type { RunningServer } from '../../server/src/http/server.js';
import { mofang } from './cli-helpers.js';
import { call, removeDir, signIn, startBareServer, tempDir } from './helpers.js';

let dir: string;
let server: RunningServer;
const users = (args: string[], stdin?: string) => mofang(['users', ...args], { MOFANG_DATA_DIR: dir }, stdin);

beforeAll(async () => {
  dir = tempDir('mofang-users-cli-');
  server = await startBareServer(dir);
});
afterAll(async () => {
  await server?.close();
  if (dir) removeDir(dir);
});

describe('mofang users', () => {
  it('creates the first admin with a one-time password that signs in to the running server, and setup is then closed', async () => {
    const create = await users(['create', '--name', 'ops', '--role', 'admin', '--display-name', '运维']);
    expect(create.stderr).toBe('');
    expect(create.code).toBe(0);
    const created = z.object({ user: UserSchema, password: z.string() }).parse(JSON.parse(create.stdout));
    expect(created.user).toMatchObject({ name: 'ops', display_name: '运维', role: 'admin' });
    expect(created.password).toMatch(/^[A-Za-z2-9]{16}$/);
    await expect(signIn(server.url, 'ops', created.password)).resolves.toMatchObject({ user: { role: 'admin', password_must_change: true } });
    const state = await call(server.url, 'GET', '/api/auth/state', undefined, {}, { as: null });
    expect(state.json).toMatchObject({ setup_required: false });
  });

  it('reads a password from standard input with --password-stdin and never prints it', async () => {
    const create = await users(['create', '--name', 'li.si', '--role', 'inspector', '--password-stdin'], 'piped password 123\n');
    expect(create.code).toBe(0);
    expect(create.stdout).not.toContain('piped password');
    expect(JSON.parse(create.stdout)).toEqual({ user: expect.objectContaining({ name: 'li.si', role: 'inspector' }) });
    await expect(signIn(server.url, 'li.si', 'piped password 123')).resolves.toMatchObject({ user: { role: 'inspector', password_must_change: false } });

    const short = await users(['create', '--name', 'short', '--role', 'viewer', '--password-stdin'], 'abc\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/at least 8 characters/);
  });

  it('lists users, refuses a taken name or an unknown role, and resets a password', async () => {
    const list = await users(['list']);
    expect(list.code).toBe(0);
    expect(z.array(UserSchema).parse(JSON.parse(list.stdout)).map((u) => u.name)).toEqual(['ops', 'li.si']);
    expect(list.stdout).not.toMatch(/argon2/);

    const taken = await users(['create', '--name', 'OPS', '--role', 'viewer']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/is taken/);
    const badRole = await users(['create', '--name', 'x', '--role', 'owner']);
    expect(badRole.code).not.toBe(0);
    expect(badRole.stderr).toMatch(/admin, designer, inspector, viewer/);

    const reset = await users(['reset', '--name', 'li.si']);
    expect(reset.code).toBe(0);
    const { password } = z.object({ name: z.literal('li.si'), password: z.string() }).parse(JSON.parse(reset.stdout));
    await expect(signIn(server.url, 'li.si', 'piped password 123')).rejects.toThrow(/401/);
    await expect(signIn(server.url, 'li.si', password)).resolves.toMatchObject({ user: { name: 'li.si', password_must_change: true } });
    const missing = await users(['reset', '--name', 'nobody']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no user named "nobody"/);
  });
});
