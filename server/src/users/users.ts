/**
 * User accounts: create (the first admin through setup, others by an admin or the CLI), list, change
 * role or display name, disable, reset and change passwords, and check a name and password at sign-in.
 * Refusals are {@link DomainError}s; no HTTP here.
 */
import { and, asc, count, eq, isNull } from 'drizzle-orm';
import { ROLE_PERMISSIONS, type Role } from '@shared/permissions.js';
import { nameKey, type AuthUser, type User } from '@shared/users.js';
import { DomainError } from '../common/domain-error.js';
import { newId } from '../common/ids.js';
import { writeTransaction, type Db } from '../storage/db.js';
import { users } from '../storage/schema.js';
import { decoyHash, hashPassword, oneTimePassword, verifyPassword } from './password.js';
import { deleteUserSessions } from './sessions.js';

/** A stored user row (with its password hash: never send it). */
export type UserRow = typeof users.$inferSelect;

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** The user as `/api/users` lists them: no hash, times in ISO 8601. */
export function toUser(row: UserRow): User {
  return {
    id: row.id,
    name: row.name,
    display_name: row.displayName,
    role: row.role,
    disabled: row.disabledAt !== null,
    sso: row.oidcSubject !== null,
    created_at: new Date(row.createdAt).toISOString(),
    last_login_at: iso(row.lastLoginAt),
  };
}

/** The signed-in user with their role's permissions, as `/api/auth/*` shows them. */
export function toAuthUser(row: UserRow): AuthUser {
  return { id: row.id, name: row.name, display_name: row.displayName, role: row.role, permissions: [...ROLE_PERMISSIONS[row.role]], password_must_change: row.passwordMustChange };
}

/** How many users exist (disabled ones included); 0 means setup is still to be done. */
export function countUsers(db: Db): number {
  return db.select({ n: count() }).from(users).get()?.n ?? 0;
}

/** Every user, oldest first. */
export function listUsers(db: Db): User[] {
  return db.select().from(users).orderBy(asc(users.createdAt), asc(users.name)).all().map(toUser);
}

/** The user with this id, or undefined. */
export function getUserById(db: Db, id: string): UserRow | undefined {
  return db.select().from(users).where(eq(users.id, id)).get();
}

/**
 * The user with this login name, compared by {@link nameKey} (NFKC, case-insensitive: `ROOT` finds
 * `root`), or undefined.
 */
export function getUserByName(db: Db, name: string): UserRow | undefined {
  return db.select().from(users).where(eq(users.nameKey, nameKey(name))).get();
}

/** What a new local user is made of; `password` is hashed here and never stored as given. */
export interface NewUser {
  name: string;
  displayName?: string;
  role: Role;
  password: string;
  /** The password is one-time (made by an admin or the CLI): to be changed at first sign-in. */
  mustChange?: boolean;
}

/** Throws DomainError `name_taken` (conflict) when a user's name has the same {@link nameKey} as `name`. */
export function assertNameFree(db: Db, name: string): void {
  const taken = getUserByName(db, name);
  if (taken) throw new DomainError('conflict', 'name_taken', `the login name "${name}" is taken (by "${taken.name}": names compare without case and after NFKC normalisation)`);
}

function insert(db: Db, user: NewUser, passwordHash: string, now: number, lastLoginAt: number | null = null): UserRow {
  assertNameFree(db, user.name);
  const row: UserRow = {
    id: newId(),
    name: user.name,
    nameKey: nameKey(user.name),
    passwordMustChange: user.mustChange ?? false,
    displayName: user.displayName?.trim() || user.name,
    role: user.role,
    passwordHash,
    oidcIssuer: null,
    oidcSubject: null,
    disabledAt: null,
    createdAt: now,
    updatedAt: now,
    lastLoginAt,
  };
  db.insert(users).values(row).run();
  return row;
}

/** Creates a local user; throws DomainError `name_taken` (conflict) when the name (by {@link nameKey}) is taken. */
export async function createUser(db: Db, user: NewUser, now = Date.now()): Promise<UserRow> {
  const passwordHash = await hashPassword(user.password);
  return writeTransaction(db, () => insert(db, user, passwordHash, now));
}

/**
 * Creates the first admin, only while no user exists, signed in by it (its last sign-in is now); throws
 * DomainError `setup_done` (conflict) after.
 */
export async function createFirstAdmin(db: Db, user: Omit<NewUser, 'role'>, now = Date.now()): Promise<UserRow> {
  const passwordHash = await hashPassword(user.password);
  return writeTransaction(db, () => {
    if (countUsers(db) > 0) throw new DomainError('conflict', 'setup_done', 'the first admin already exists: sign in instead');
    return insert(db, { ...user, role: 'admin' }, passwordHash, now, now);
  });
}

/** Creates a user with a one-time password (returned once, never stored), which they must change at first sign-in. */
export async function createUserWithOneTimePassword(db: Db, user: Omit<NewUser, 'password' | 'mustChange'>, now = Date.now()): Promise<{ user: UserRow; password: string }> {
  const password = oneTimePassword();
  return { user: await createUser(db, { ...user, password, mustChange: true }, now), password };
}

function mustGet(db: Db, id: string): UserRow {
  const row = getUserById(db, id);
  if (!row) throw new DomainError('not_found', 'not_found', `no user with id "${id}"`);
  return row;
}

/** How many admins may sign in (not disabled). */
export function countActiveAdmins(db: Db): number {
  return db.select({ n: count() }).from(users).where(and(eq(users.role, 'admin'), isNull(users.disabledAt))).get()?.n ?? 0;
}

/** A change to a user; omitted fields stay. */
export interface UserPatch {
  displayName?: string;
  role?: Role;
  disabled?: boolean;
}

/**
 * Changes a user's display name, role or disabled state. Disabling ends their sessions. Throws
 * DomainError `not_found`, or `last_admin` (conflict) when it would leave no active admin.
 */
export function updateUser(db: Db, id: string, patch: UserPatch, now = Date.now()): UserRow {
  return writeTransaction(db, () => {
    const row = mustGet(db, id);
    const wasActiveAdmin = row.role === 'admin' && row.disabledAt === null;
    const role = patch.role ?? row.role;
    const disabledAt = patch.disabled === undefined ? row.disabledAt : patch.disabled ? (row.disabledAt ?? now) : null;
    const staysActiveAdmin = role === 'admin' && disabledAt === null;
    if (wasActiveAdmin && !staysActiveAdmin && countActiveAdmins(db) <= 1) {
      throw new DomainError('conflict', 'last_admin', 'this is the last active admin: make another user admin first');
    }
    const displayName = patch.displayName === undefined ? row.displayName : patch.displayName.trim() || row.name;
    db.update(users).set({ displayName, role, disabledAt, updatedAt: now }).where(eq(users.id, id)).run();
    if (disabledAt !== null) deleteUserSessions(db, id);
    return { ...row, displayName, role, disabledAt, updatedAt: now };
  });
}

/**
 * Gives a user a new one-time password (returned once, to be changed at their next sign-in) and ends their sessions; throws DomainError
 * `not_found`, or `sso_user` (conflict) for a user who signs in through single sign-on (no password here).
 */
export async function resetPassword(db: Db, id: string, now = Date.now()): Promise<{ user: UserRow; password: string }> {
  if (mustGet(db, id).oidcSubject !== null) throw new DomainError('conflict', 'sso_user', 'this account signs in through single sign-on and has no password here');
  const password = oneTimePassword();
  const passwordHash = await hashPassword(password);
  const user = writeTransaction(db, () => {
    const row = mustGet(db, id);
    db.update(users).set({ passwordHash, passwordMustChange: true, updatedAt: now }).where(eq(users.id, id)).run();
    deleteUserSessions(db, id);
    return { ...row, passwordHash, passwordMustChange: true, updatedAt: now };
  });
  return { user, password };
}

/** Sets a user's password to one they chose (already checked for length by the caller); a one-time password's must-change flag ends. */
export async function setPassword(db: Db, id: string, password: string, now = Date.now()): Promise<void> {
  const passwordHash = await hashPassword(password);
  db.update(users).set({ passwordHash, passwordMustChange: false, updatedAt: now }).where(eq(users.id, id)).run();
}

/** The outcome of checking a name and password. */
export type Authentication = { ok: true; user: UserRow } | { ok: false; reason: 'invalid_credentials' | 'user_disabled' };

/**
 * Checks a name and password. An unknown name costs the same hash as a wrong password; a disabled user
 * is told so only when the password is right. Records the sign-in time on success.
 */
export async function authenticate(db: Db, name: string, password: string, now = Date.now()): Promise<Authentication> {
  const row = getUserByName(db, name);
  if (!row || row.passwordHash === null) {
    await verifyPassword(await decoyHash(), password);
    return { ok: false, reason: 'invalid_credentials' };
  }
  if (!(await verifyPassword(row.passwordHash, password))) return { ok: false, reason: 'invalid_credentials' };
  if (row.disabledAt !== null) return { ok: false, reason: 'user_disabled' };
  db.update(users).set({ lastLoginAt: now }).where(eq(users.id, row.id)).run();
  return { ok: true, user: { ...row, lastLoginAt: now } };
}

/** Whether `password` is this user's current password (false for SSO users, who have none). */
export async function checkPassword(row: UserRow, password: string): Promise<boolean> {
  return row.passwordHash !== null && (await verifyPassword(row.passwordHash, password));
}
