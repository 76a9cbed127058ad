/**
 * `mofang keys create|list|revoke`: API keys in the same store (`MOFANG_DATA_DIR`) a running server
 * uses; a revoke takes effect on that server within about a second. The secret is printed once, by
 * `create`, and never again.
 */
import { CreateKeyBodySchema } from '@shared/keys.js';
import { auditedChangeIn, cliActor, keyCreatedChange, keyRevokedChange } from '../audit/index.js';
import { createApiKey } from '../keys/index.js';
import type { DataStore } from '../storage/store.js';
import { openCliStore } from './cli-store.js';
import { listKeys, revokeKey } from '../storage/keys.js';
import { CliError } from './errors.js';
import { printJson, type CliIo } from './io.js';

/** Opens the store the server uses; only `MOFANG_DATA_DIR` matters here, not the model settings. */
async function withStore<T>(io: CliIo, fn: (store: DataStore) => Promise<T>): Promise<T> {
  const store = await openCliStore(io.env);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Options of `mofang keys create` (already parsed by the command line). */
export interface KeysCreateOptions {
  name: string;
  scenarios?: string[];
  rateLimit?: number;
  /** Extra scopes (shared/src/keys.ts KEY_SCOPES). */
  scope?: string[];
}

/** `mofang keys create`: creates a key and prints it, secret included (this once). Returns the exit code. */
export async function keysCreateAction(opts: KeysCreateOptions, io: CliIo): Promise<number> {
  const body = CreateKeyBodySchema.safeParse({ name: opts.name, scenarios: opts.scenarios, rate_limit: opts.rateLimit, scopes: opts.scope });
  if (!body.success) throw new CliError(`invalid key: ${body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  printJson(io, await withStore(io, (store) => auditedChangeIn(store, cliActor(), (tx) => createApiKey(tx, body.data), keyCreatedChange)));
  return 0;
}

/** `mofang keys list`: every key's metadata (prefixes, never secrets). Returns the exit code. */
export async function keysListAction(io: CliIo): Promise<number> {
  printJson(io, await withStore(io, (store) => listKeys(store)));
  return 0;
}

/** `mofang keys revoke <id|prefix>`: revokes one key and prints it; throws {@link CliError} when none or several match. */
export async function keysRevokeAction(idOrPrefix: string, io: CliIo): Promise<number> {
  const outcome = await withStore(io, async (store) => {
    const before = await listKeys(store);
    return auditedChangeIn(store, cliActor(), (tx) => revokeKey(tx, idOrPrefix), (done) => (done.ok ? keyRevokedChange(before.find((k) => k.id === done.key.id), done.key) : null));
  });
  if (!outcome.ok) {
    throw new CliError(outcome.reason === 'ambiguous' ? `more than one key has the prefix "${idOrPrefix}": use its id` : `no key with id or prefix "${idOrPrefix}"`);
  }
  printJson(io, outcome.key);
  return 0;
}
