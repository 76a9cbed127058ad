/**
 * Who submitted a job. `jobs.owner` holds the API key id for `/v1` submissions and `user:<id>` for the
 * UI's (the signed-in user); jobs from before accounts existed hold `admin`. An Idempotency-Key is
 * unique per owner, so a user's and a key's keys never collide.
 */
import type { JobSubmitter } from '@shared/jobs.js';
import type { Db } from '../storage/db.js';
import { getKeys } from '../storage/keys.js';
import { getUserById } from '../users/users.js';

const USER_PREFIX = 'user:';
/** The owner of UI jobs submitted before accounts existed. */
const LEGACY_UI_OWNER = 'admin';

/** The owner value of a job a signed-in user submits. */
export function userOwner(userId: string): string {
  return USER_PREFIX + userId;
}

/** The API key id behind an owner, or null when a user (or the legacy UI) submitted the job. */
export function keyIdOfOwner(owner: string): string | null {
  return owner.startsWith(USER_PREFIX) || owner === LEGACY_UI_OWNER ? null : owner;
}

/**
 * Names the submitters of `owners` (each looked up once): a user by their display name (or login name),
 * a key by its name; a deleted user or key keeps its id with an empty name, the legacy UI owner reads
 * as a user named `admin`.
 */
export function describeOwners(db: Db, owners: Iterable<string>): Map<string, JobSubmitter> {
  const named = new Map<string, JobSubmitter>();
  const keyIds: string[] = [];
  for (const owner of new Set(owners)) {
    if (owner === LEGACY_UI_OWNER) named.set(owner, { type: 'user', id: null, name: LEGACY_UI_OWNER });
    else if (owner.startsWith(USER_PREFIX)) {
      const id = owner.slice(USER_PREFIX.length);
      const user = getUserById(db, id);
      named.set(owner, { type: 'user', id, name: user ? user.displayName || user.name : '' });
    } else keyIds.push(owner);
  }
  const keys = new Map(getKeys(db, keyIds).map((key) => [key.id, key.name]));
  for (const id of keyIds) named.set(id, { type: 'api_key', id, name: keys.get(id) ?? '' });
  return named;
}
