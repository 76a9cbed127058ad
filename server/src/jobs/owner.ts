/**
 * Who submitted a job. `jobs.owner` holds the API key id for `/v1` submissions and `user:<id>` for the
 * UI's (the signed-in user); jobs from before accounts existed hold `admin`. An Idempotency-Key is
 * unique per owner, so a user's and a key's keys never collide.
 */

/** Prefix of the owner of a job a user submitted. */
export const USER_OWNER_PREFIX = 'user:';
/** The owner of UI jobs submitted before accounts existed. */
export const LEGACY_UI_OWNER = 'admin';

/** The owner value of a job a signed-in user submits. */
export function userOwner(userId: string): string {
  return USER_OWNER_PREFIX + userId;
}

/** The API key id behind an owner, or null when a user (or the legacy UI) submitted the job. */
export function keyIdOfOwner(owner: string): string | null {
  return owner.startsWith(USER_OWNER_PREFIX) || owner === LEGACY_UI_OWNER ? null : owner;
}
