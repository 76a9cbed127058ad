/**
 * `mofang users create|list|reset`: accounts in the same store (`MOFANG_DATA_DIR`) a running server
 * uses; the CLI acts as a local admin on the data directory. A one-time password is printed once, by
 * `create` (unless the password came from standard input) and `reset`, and never again.
 */
import { ROLES } from '@shared/permissions.js';
import { CreateUserBodySchema, PasswordSchema } from '@shared/users.js';
import { DomainError } from '../common/domain-error.js';
import { cliActor, recordAuditIn, userCreatedChange, userPasswordResetChange } from '../audit/index.js';
import type { DataStore } from '../storage/store.js';
import { openCliStore } from './cli-store.js';
import { createUser, createUserWithOneTimePassword, getUserByName, listUsers, resetPassword, toUser } from '../users/users.js';
import { CliError } from './errors.js';
import { printJson, type CliIo } from './io.js';

async function withStore<T>(io: CliIo, fn: (store: DataStore) => Promise<T>): Promise<T> {
  const store = await openCliStore(io.env);
  try {
    return await fn(store);
  } catch (error) {
    if (error instanceof DomainError) throw new CliError(error.message);
    throw error;
  } finally {
    await store.close();
  }
}

/** Options of `mofang users create` (already parsed by the command line). */
export interface UsersCreateOptions {
  name: string;
  /** Checked here: one of the roles of `@shared/permissions.ts`. */
  role: string;
  displayName?: string;
  passwordStdin?: boolean;
}

/** The password piped in: everything read, less one trailing line break. */
async function stdinPassword(io: CliIo): Promise<string> {
  if (!io.readStdin) throw new CliError('--password-stdin: there is no standard input to read');
  const password = (await io.readStdin()).replace(/\r?\n$/, '');
  const parsed = PasswordSchema.safeParse(password);
  if (!parsed.success) throw new CliError(`--password-stdin: ${parsed.error.issues[0]?.message ?? 'invalid password'}`);
  return parsed.data;
}

/**
 * `mofang users create`: prints `{ user, password }` (the one-time password), or `{ user }` with
 * `--password-stdin`. Throws {@link CliError} for a bad name or role, or a name taken. Returns the exit code.
 */
export async function usersCreateAction(opts: UsersCreateOptions, io: CliIo): Promise<number> {
  if (!(ROLES as readonly string[]).includes(opts.role)) throw new CliError(`invalid role "${opts.role}": use one of ${ROLES.join(', ')}`);
  const body = CreateUserBodySchema.safeParse({ name: opts.name, role: opts.role, display_name: opts.displayName });
  if (!body.success) throw new CliError(`invalid user: ${body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const user = { name: body.data.name, role: body.data.role, displayName: body.data.display_name };
  if (opts.passwordStdin) {
    const password = await stdinPassword(io);
    const created = await withStore(io, (store) => createUser(store, { ...user, password }, undefined, (tx, made) => recordAuditIn(tx, cliActor(), userCreatedChange(toUser(made)))));
    printJson(io, { user: toUser(created) });
  } else {
    const created = await withStore(io, (store) => createUserWithOneTimePassword(store, user, undefined, (tx, made) => recordAuditIn(tx, cliActor(), userCreatedChange(toUser(made)))));
    printJson(io, { user: toUser(created.user), password: created.password });
  }
  return 0;
}

/** `mofang users list`: every user as JSON. Returns the exit code. */
export async function usersListAction(io: CliIo): Promise<number> {
  printJson(io, await withStore(io, (store) => listUsers(store)));
  return 0;
}

/** `mofang users reset --name N`: prints `{ name, password }` with a new one-time password; throws {@link CliError} for an unknown name. */
export async function usersResetAction(name: string, io: CliIo): Promise<number> {
  const reset = await withStore(io, async (store) => {
    const user = await getUserByName(store, name);
    if (!user) throw new CliError(`no user named "${name}"`);
    return resetPassword(store, user.id, undefined, (tx, row) => recordAuditIn(tx, cliActor(), userPasswordResetChange(toUser(row))));
  });
  printJson(io, { name: reset.user.name, password: reset.password });
  return 0;
}
