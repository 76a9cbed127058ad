/**
 * The audit changes of keys and users, shared by the admin API and the CLI so both record the same
 * entry for the same change. Secrets never enter a change: a created key's secret is dropped before its
 * digest, and users are described by their public shape (no password hash).
 */
import type { ApiKey, CreatedKey } from '@shared/keys.js';
import type { User } from '@shared/users.js';
import type { AuditChange } from './record.js';

/** What an audit entry digests of a user: the public fields that a change can touch (not the last sign-in). */
function userState(user: User) {
  return { id: user.id, name: user.name, display_name: user.display_name, role: user.role, disabled: user.disabled, sso: user.sso };
}

function keyTarget(key: ApiKey): AuditChange['target'] {
  return { type: 'key', id: key.id, name: key.name };
}

/** A key was created: its metadata (prefix, scope, rate limit), never its secret. */
export function keyCreatedChange(created: CreatedKey): AuditChange {
  const { key: _secret, ...stored } = created;
  const scope = stored.scenarios === null ? 'every scenario' : `scenarios: ${stored.scenarios.join(', ') || 'none'}`;
  return { action: 'key.create', target: keyTarget(stored), after: stored, summary: `prefix ${stored.prefix}; ${scope}` };
}

/** A key was revoked (`before` as listed just before, when known). */
export function keyRevokedChange(before: ApiKey | undefined, after: ApiKey): AuditChange {
  return { action: 'key.revoke', target: keyTarget(after), before: before ?? null, after, summary: `prefix ${after.prefix}` };
}

/** A user was added with `role`. */
export function userCreatedChange(user: User): AuditChange {
  return { action: 'user.create', target: { type: 'user', id: user.id, name: user.name }, after: userState(user), summary: `role ${user.role}` };
}

/** A user's display name, role or disabled state changed: the summary names each change, old → new. */
export function userUpdatedChange(before: User, after: User): AuditChange {
  const parts: string[] = [];
  if (before.role !== after.role) parts.push(`role ${before.role} → ${after.role}`);
  if (before.disabled !== after.disabled) parts.push(after.disabled ? 'disabled' : 'enabled');
  if (before.display_name !== after.display_name) parts.push(`display name "${before.display_name}" → "${after.display_name}"`);
  return { action: 'user.update', target: { type: 'user', id: after.id, name: after.name }, before: userState(before), after: userState(after), summary: parts.join('; ') || 'no change' };
}

/** A user's password was reset to a one-time password (which is not recorded) and their sessions ended. */
export function userPasswordResetChange(user: User): AuditChange {
  const state = userState(user);
  return { action: 'user.reset_password', target: { type: 'user', id: user.id, name: user.name }, before: state, after: state, summary: 'one-time password issued; sessions ended' };
}
