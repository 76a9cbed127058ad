/**
 * API keys: creation (the secret returned once), listing, revocation; shared by the admin API and the CLI.
 */
import { randomUUID } from 'node:crypto';
import type { CreateKeyBody, CreatedKey } from '@shared/keys.js';
import type { DataStore } from '../storage/store.js';
import { insertKey } from '../storage/keys.js';
import { generateKey } from './secret.js';

export { KeyAuth } from './key-auth.js';
export { RateLimiter } from './rate-limit.js';
export { generateKey, hashKey, looksLikeKey, maskSecrets } from './secret.js';

/** Creates and stores a key; the reply carries the secret, which is not kept anywhere. */
export async function createApiKey(store: DataStore, body: CreateKeyBody, now = Date.now()): Promise<CreatedKey> {
  const { key, hash, prefix } = generateKey();
  const scenarios = body.scenarios ? [...new Set(body.scenarios)] : null;
  const scopes = [...new Set(body.scopes ?? [])];
  const stored = await insertKey(store, { id: randomUUID(), name: body.name, prefix, hash, scenarios, rateLimit: body.rate_limit ?? null, scopes }, now);
  return { ...stored, key };
}
