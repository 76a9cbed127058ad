import { describe, expect, it } from 'vitest';
import { can, PERMISSIONS, ROLE_PERMISSIONS, ROLES } from './permissions.js';

describe('the permission matrix', () => {
  it('gives an admin every permission', () => {
    for (const p of PERMISSIONS) expect(can('admin', p)).toBe(true);
  });

  it('keeps users, keys, the audit log and settings to admins', () => {
    for (const role of ROLES.filter((r) => r !== 'admin')) {
      for (const p of ['users:read', 'users:write', 'keys:read', 'keys:write', 'audit:read', 'settings:write', 'templates:write'] as const) {
        expect(can(role, p), `${role} ${p}`).toBe(false);
      }
    }
  });

  it('lets designers publish, inspectors run jobs and read customer data, viewers only read', () => {
    expect(can('designer', 'scenarios:publish')).toBe(true);
    expect(can('designer', 'jobs:write')).toBe(false);
    expect(can('designer', 'pii:read')).toBe(false);
    expect(can('inspector', 'jobs:write')).toBe(true);
    expect(can('inspector', 'pii:read')).toBe(true);
    expect(can('inspector', 'scenarios:write')).toBe(false);
    expect(ROLE_PERMISSIONS.viewer.every((p) => p.endsWith(':read') && p !== 'pii:read')).toBe(true);
  });

  it('lists each permission once per role', () => {
    for (const role of ROLES) expect(new Set(ROLE_PERMISSIONS[role]).size).toBe(ROLE_PERMISSIONS[role].length);
  });
});

describe('human review', () => {
  it('lets inspectors, designers and admins read and decide the review queue, never viewers', () => {
    for (const role of ['admin', 'designer', 'inspector'] as const) {
      expect(can(role, 'review:read'), role).toBe(true);
      expect(can(role, 'review:write'), role).toBe(true);
    }
    expect(can('viewer', 'review:read')).toBe(false);
    expect(can('viewer', 'review:write')).toBe(false);
  });
});
