/**
 * `mofang users create|list|reset` as commander sees them (the actions load their code when they run).
 */
import type { Command } from 'commander';
import type { CliIo } from './io.js';

/** What an action reports back: the exit code it asks for. */
interface Outcome {
  code: number;
}

/** Adds `users create|list|reset`: accounts in the store (`MOFANG_DATA_DIR`) the server uses. */
export function addUsersCommand(program: Command, io: CliIo, outcome: Outcome): void {
  const users = program.command('users').description('create, list and reset the accounts that sign in to the app');
  users
    .command('create')
    .description('create a user and print it as JSON with a one-time password (shown this once), or with --password-stdin the password read from standard input')
    .requiredOption('-n, --name <name>', 'the login name')
    // The roles are named here as text: this file loads nothing but commander (--help stays fast); the action checks the value.
    .requiredOption('-r, --role <role>', 'the role: admin, designer, inspector or viewer')
    .option('-d, --display-name <name>', 'the name shown in the app (default: the login name)')
    .option('--password-stdin', 'read the password from standard input instead of making a one-time one')
    .action(async (opts: { name: string; role: string; displayName?: string; passwordStdin?: boolean }) => {
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
