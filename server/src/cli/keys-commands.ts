/**
 * `mofang keys create|list|revoke`: API keys in the same store (`MOFANG_DATA_DIR`) a running server
 * uses; a revoke takes effect on that server within about a second. The secret is printed once, by
 * `create`, and never again.
 */
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { CreateKeyBodySchema } from '@shared/keys.js';
import { createApiKey } from '../keys/index.js';
import { openStore, type Store } from '../storage/db.js';
import { listKeys, revokeKey } from '../storage/keys.js';
import { CliError } from './errors.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

function slugs(value: string): string[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) throw new InvalidArgumentError('expected comma-separated scenario slugs');
  return list;
}

/** Opens the store the server uses; only `MOFANG_DATA_DIR` matters here, not the model settings. */
function withStore<T>(fn: (store: Store) => T): T {
  const dir = process.env.MOFANG_DATA_DIR?.trim() || './data';
  const store = openStore(path.resolve(dir));
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** The `keys` command with its sub-commands. */
export function keysCommand(): Command {
  const keys = new Command('keys').description('create, list and revoke API keys for the published /v1 API');

  keys
    .command('create')
    .description('create a key and print it as JSON (the key itself is shown this once)')
    .requiredOption('-n, --name <name>', 'who or what the key is for')
    .option('-s, --scenarios <slugs>', 'comma-separated scenario slugs the key may call (default: all)', slugs)
    .option('-r, --rate-limit <perMinute>', 'requests per minute (default: MOFANG_API_RATE_LIMIT)', positiveInt)
    .action((opts: { name: string; scenarios?: string[]; rateLimit?: number }) => {
      const body = CreateKeyBodySchema.safeParse({ name: opts.name, scenarios: opts.scenarios, rate_limit: opts.rateLimit });
      if (!body.success) throw new CliError(`invalid key: ${body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      print(withStore((store) => createApiKey(store.db, body.data)));
    });

  keys
    .command('list')
    .description('list keys as JSON (prefixes only, never the keys)')
    .action(() => {
      print(withStore((store) => listKeys(store.db)));
    });

  keys
    .command('revoke')
    .description('revoke a key by its id or its prefix (e.g. mf_AbCdE)')
    .argument('<id|prefix>', "the key's id, or its prefix as `keys list` shows it")
    .action((idOrPrefix: string) => {
      const outcome = withStore((store) => revokeKey(store.db, idOrPrefix));
      if (!outcome.ok) {
        throw new CliError(outcome.reason === 'ambiguous' ? `more than one key has the prefix "${idOrPrefix}": use its id` : `no key with id or prefix "${idOrPrefix}"`);
      }
      print(outcome.key);
    });

  return keys;
}
