/**
 * The names behind jobs' owners (server/src/jobs/owner.ts), for the UI's jobs views: users from the
 * accounts, keys from the key table.
 */
import type { JobSubmitter } from '@shared/jobs.js';
import { LEGACY_UI_OWNER, USER_OWNER_PREFIX } from '../jobs/owner.js';
import { getKeys } from '../storage/keys.js';
import type { DataStore } from '../storage/store.js';
import { getUserById } from '../users/users.js';

/**
 * Names the submitters of `owners` (each looked up once): a user by their display name (or login name),
 * a key by its name; a deleted user or key keeps its id with an empty name, the legacy UI owner reads
 * as a user named `admin`.
 */
export async function describeOwners(store: DataStore, owners: Iterable<string>): Promise<Map<string, JobSubmitter>> {
  const named = new Map<string, JobSubmitter>();
  const keyIds: string[] = [];
  for (const owner of new Set(owners)) {
    if (owner === LEGACY_UI_OWNER) named.set(owner, { type: 'user', id: null, name: LEGACY_UI_OWNER });
    else if (owner.startsWith(USER_OWNER_PREFIX)) {
      const id = owner.slice(USER_OWNER_PREFIX.length);
      const user = await getUserById(store, id);
      named.set(owner, { type: 'user', id, name: user ? user.displayName || user.name : '' });
    } else keyIds.push(owner);
  }
  const keys = new Map((await getKeys(store, keyIds)).map((key) => [key.id, key.name]));
  for (const id of keyIds) named.set(id, { type: 'api_key', id, name: keys.get(id) ?? '' });
  return named;
}
