/**
 * Who may do what: the roles of a Mofang installation, the permissions they hold, and nothing else.
 * Data, not code: the server checks every `/api` route against it (each route declares one
 * permission), and the client hides what the signed-in user's role cannot do from the same table.
 *
 * Roles, shaped for a contact center (after Dify's owner/admin/editor/member and the split a quality
 * team runs on):
 * - `admin` owns the installation: users, API keys, model endpoints, templates, the audit log, everything.
 * - `designer` builds scenarios: edits drafts, test-runs them, publishes and rolls back.
 * - `inspector` (质检员) reviews calls: runs jobs over a day's calls, reads the dashboard and results, and sees
 *   customers' data in full.
 * - `viewer` reads: scenarios, results and dashboards, with customers' data masked.
 */
import { z } from 'zod';

/** The roles, most powerful first. */
export const ROLES = ['admin', 'designer', 'inspector', 'viewer'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

/**
 * The permissions, `<resource>:<action>`.
 * - `scenarios:read` lists and opens scenarios, their versions, diffs and OpenAPI documents; `scenarios:write`
 *   creates, edits, imports, duplicates and deletes drafts; `scenarios:test` test-runs a draft (and compiles
 *   one); `scenarios:publish` publishes, rolls back and takes template updates.
 * - `templates:read` browses the gallery and uses a template; `templates:write` creates, imports and versions them.
 * - `runs:read` reads test runs, API runs and their traces; `jobs:read` lists jobs and downloads their results;
 *   `jobs:write` submits, cancels and retries them; `dashboard:read` reads the inspection dashboard.
 * - `pii:read` sees customers' personal data (phone, ID and bank-card numbers, addresses) unmasked wherever
 *   it is shown or exported; without it those are masked.
 * - `keys:read` / `keys:write` list and create or revoke API keys; `users:read` / `users:write` list and add,
 *   disable, reset and re-role users; `audit:read` reads and exports the audit log; `settings:write` changes
 *   the installation's settings (model endpoints among them).
 * - `eval:read` reads a scenario's evaluation sets (their cases hold customers' transcripts unmasked, so
 *   viewers do not); `eval:write` creates, uploads to, edits and deletes them: the people who label calls
 *   (designers and inspectors) and admins.
 * - `gates:write` sets or removes a scenario's publish gate and publishes below (or before) it with a note:
 *   admins only, so the people whose drafts the gate judges cannot lower it (everyone who reads a scenario sees it).
 * - `review:read` reads the human-review queue and a scenario's review rules (every role that reads results
 *   but viewers: a queued result holds a customer's call); `review:write` confirms or corrects queued
 *   results (inspectors, designers, admins). Changing a scenario's review rules takes `scenarios:write`.
 * - `live:read` watches live call sessions: the supervisors' board and any session's agent desk (every role
 *   but viewers: a live call is a customer's call); `live:write` confirms a session's form on the desk
 *   (inspectors, designers, admins; the agent at the call confirms with the session's desk token).
 *   Changing a scenario's alert rules takes `scenarios:write`.
 */
export const PERMISSIONS = [
  'scenarios:read',
  'scenarios:write',
  'scenarios:test',
  'scenarios:publish',
  'templates:read',
  'templates:write',
  'runs:read',
  'jobs:read',
  'jobs:write',
  'dashboard:read',
  'pii:read',
  'keys:read',
  'keys:write',
  'users:read',
  'users:write',
  'audit:read',
  'settings:write',
  'eval:read',
  'eval:write',
  'gates:write',
  'review:read',
  'review:write',
  'live:read',
  'live:write',
] as const;
export const PermissionSchema = z.enum(PERMISSIONS);
export type Permission = z.infer<typeof PermissionSchema>;

const READ_ONLY: readonly Permission[] = ['scenarios:read', 'templates:read', 'runs:read', 'jobs:read', 'dashboard:read'];

/** The matrix: each role's permissions. An admin holds every one. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: PERMISSIONS,
  designer: [...READ_ONLY, 'scenarios:write', 'scenarios:test', 'scenarios:publish', 'eval:read', 'eval:write', 'review:read', 'review:write', 'live:read', 'live:write'],
  inspector: [...READ_ONLY, 'jobs:write', 'pii:read', 'eval:read', 'eval:write', 'review:read', 'review:write', 'live:read', 'live:write'],
  viewer: READ_ONLY,
};

/** Whether `role` holds `permission`. */
export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}
