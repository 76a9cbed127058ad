/**
 * `mofang users create|list|reset` as commander sees them (the actions load their code when they run).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { ROLES, type Role } from '@shared/permissions.js';
import type { CliIo } from './io.js';

/** What an action reports back: the exit code it asks for. */
interface Outcome {
  code: number;
}

function role(value: string): Role {
  if (!(ROLES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${ROLES.join(', ')}`);
  return value as Role;
}

/** Adds `users create|list|reset`: accounts in the store (`MOFANG_DATA_DIR`) the server uses. */
export function addUsersCommand(program: Command, io: CliIo, outcome: Outcome): void {
  const users = program.command('users').description('create, list and reset the accounts that sign in to the app');
  users
    .command('create')
    .description('create a user and print it as JSON with a one-time password (shown this once), or with --password-stdin the password read from standard input')
    .requiredOption('-n, --name <name>', 'the login name')
    .requiredOption('-r, --role <role>', `the role: ${ROLES.join(', ')}`, role)
    .option('-d, --display-name <name>', 'the name shown in the app (default: the login name)')
    .option('--password-stdin', 'read the password from standard input instead of making a one-time one')
    .action(async (opts: { name: string; role: Role; displayName?: string; passwordStdin?: boolean }) => {
      const { usersCreateAction } = await import('./users-commands.js');
      outcome.code = await usersCreateAction(opts, io);
    });
  users
    .command('list')
    .description('list users as JSON (never passwords)')
    .action(async () => {
      const { usersListAction } = await import('./users-commands.js');
      outcome.code = await usersListAction(io);
    });
  users
    .command('reset')
    .description("give a user a new one-time password (printed this once) and end their sessions")
    .requiredOption('-n, --name <name>', 'the login name')
    .action(async (opts: { name: string }) => {
      const { usersResetAction } = await import('./users-commands.js');
      outcome.code = await usersResetAction(opts.name, io);
    });
}
