/**
 * The audit changes of keys and users, shared by the admin API and the CLI so both record the same
 * entry for the same change. Secrets never enter a change: a created key's secret is dropped before its
 * digest, and users are described by their public shape (no password hash).
 */
import type { AuditAction } from '@shared/audit.js';
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
  return { action: 'key.create', target: keyTarget(stored), after: stored, summary: `prefix ${stored.prefix}; ${scope}`, details: { prefix: stored.prefix, scenarios: stored.scenarios === null ? null : stored.scenarios.join(', ') } };
}

/** A key was revoked (`before` as listed just before, when known). */
export function keyRevokedChange(before: ApiKey | undefined, after: ApiKey): AuditChange {
  return { action: 'key.revoke', target: keyTarget(after), before: before ?? null, after, summary: `prefix ${after.prefix}`, details: { prefix: after.prefix } };
}

/** A user was added with `role`. */
export function userCreatedChange(user: User): AuditChange {
  return { action: 'user.create', target: { type: 'user', id: user.id, name: user.name }, after: userState(user), summary: `role ${user.role}`, details: { role: user.role } };
}

/** A user's display name, role or disabled state changed: the summary names each change, old → new. */
export function userUpdatedChange(before: User, after: User): AuditChange {
  const parts: string[] = [];
  if (before.role !== after.role) parts.push(`role ${before.role} → ${after.role}`);
  if (before.disabled !== after.disabled) parts.push(after.disabled ? 'disabled' : 'enabled');
  if (before.display_name !== after.display_name) parts.push(`display name "${before.display_name}" → "${after.display_name}"`);
  const details = {
    role_from: before.role !== after.role ? before.role : null,
    role_to: before.role !== after.role ? after.role : null,
    disabled: before.disabled !== after.disabled ? after.disabled : null,
    display_name_from: before.display_name !== after.display_name ? before.display_name : null,
    display_name_to: before.display_name !== after.display_name ? after.display_name : null,
  };
  return { action: 'user.update', target: { type: 'user', id: after.id, name: after.name }, before: userState(before), after: userState(after), summary: parts.join('; ') || 'no change', details };
}

/** A user's password was reset to a one-time password (which is not recorded) and their sessions ended. */
export function userPasswordResetChange(user: User): AuditChange {
  const state = userState(user);
  return { action: 'user.reset_password', target: { type: 'user', id: user.id, name: user.name }, before: state, after: state, summary: 'one-time password issued; sessions ended', details: {} };
}

/** What a template version entry digests: the version as stored (graph, meta, samples, deprecation). */
interface TemplateVersionLike {
  template_id: string;
  version: string;
  meta: { name: { zh: string } };
}

/**
 * A template version was created, imported, added, deprecated or restored (`before` for the last two).
 * `extra` says where it came from: the scenario it was made from, or whether an import made a new template.
 */
export function templateVersionChange(action: Extract<AuditAction, `template.${string}`>, version: TemplateVersionLike, extra: { scenario?: string; created?: 'template' | 'version' } = {}, before?: unknown): AuditChange {
  const from = extra.scenario ? ` from scenario ${extra.scenario}` : extra.created ? ` (new ${extra.created})` : '';
  return {
    action,
    target: { type: 'template', id: version.template_id, name: version.meta.name.zh },
    ...(before === undefined ? {} : { before }),
    after: version,
    summary: `version ${version.version}${from}`,
    details: { version: version.version, scenario: extra.scenario ?? null, created: extra.created ?? null },
  };
}
