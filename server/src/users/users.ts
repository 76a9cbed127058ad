/**
 * User accounts: create (the first admin through setup, others by an admin or the CLI), list, change
 * role or display name, disable, reset and change passwords, and check a name and password at sign-in.
 * Refusals are {@link DomainError}s; no HTTP here. On either store (../storage/store.ts): a login name is
 * unique by its key (`users_name_key_idx`), so two servers creating the same name at once end with one
 * user and a `name_taken` for the other, never a unique-index error.
 */
import { and, asc, count, eq, isNull, lt, or } from 'drizzle-orm';
import { ROLE_PERMISSIONS, type Role } from '@shared/permissions.js';
import { nameKey, type AuthUser, type User } from '@shared/users.js';
import { DomainError } from '../common/domain-error.js';
import { newId } from '../common/ids.js';
import type { users } from '../storage/schema.js';
import { lockForTransaction } from '../storage/dialect-sql.js';
import type { DataStore } from '../storage/store.js';
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
export async function countUsers(store: DataStore): Promise<number> {
  const { db, t } = store;
  const [row] = await db.select({ n: count() }).from(t.users);
  return Number(row?.n ?? 0);
}

/** Every user, oldest first (then by login name, which is unique). */
export async function listUsers(store: DataStore): Promise<User[]> {
  const { db, t } = store;
  return (await db.select().from(t.users).orderBy(asc(t.users.createdAt), asc(t.users.name))).map(toUser);
}

/** The user with this id, or undefined. */
export async function getUserById(store: DataStore, id: string): Promise<UserRow | undefined> {
  const { db, t } = store;
  const [row] = await db.select().from(t.users).where(eq(t.users.id, id)).limit(1);
  return row;
}

/**
 * The user with this login name, compared by {@link nameKey} (NFKC, case-insensitive: `ROOT` finds
 * `root`), or undefined.
 */
export async function getUserByName(store: DataStore, name: string): Promise<UserRow | undefined> {
  const { db, t } = store;
  const [row] = await db.select().from(t.users).where(eq(t.users.nameKey, nameKey(name))).limit(1);
  return row;
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

function nameTaken(name: string, takenBy: string): DomainError {
  return new DomainError('conflict', 'name_taken', `the login name "${name}" is taken (by "${takenBy}": names compare without case and after NFKC normalisation)`);
}

/** Throws DomainError `name_taken` (conflict) when a user's name has the same {@link nameKey} as `name`. */
export async function assertNameFree(store: DataStore, name: string): Promise<void> {
  const taken = await getUserByName(store, name);
  if (taken) throw nameTaken(name, taken.name);
}

/**
 * Inserts `row` unless its login name (by key), its id or its SSO identity is taken: returns whether it
 * was. `on conflict do nothing` rather than a unique-index error, so a PostgreSQL transaction racing
 * another server's insert of the same name is not aborted, and the caller can say why.
 */
export async function insertUserRow(store: DataStore, row: UserRow): Promise<boolean> {
  const { db, t } = store;
  const inserted = await db.insert(t.users).values(row).onConflictDoNothing().returning({ id: t.users.id });
  return inserted.length === 1;
}

async function insert(store: DataStore, user: NewUser, passwordHash: string, now: number, lastLoginAt: number | null = null): Promise<UserRow> {
  await assertNameFree(store, user.name);
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
  // Another server may have taken the name since the check (PostgreSQL): the unique key decides.
  if (!(await insertUserRow(store, row))) throw nameTaken(user.name, (await getUserByName(store, user.name))?.name ?? user.name);
  return row;
}

/**
 * Writes that belong with a user change (its audit entry), run in the change's transaction after it;
 * store queries only.
 */
export type AlsoIn = (tx: DataStore, row: UserRow) => Promise<unknown>;

/** Creates a local user; throws DomainError `name_taken` (conflict) when the name (by {@link nameKey}) is taken. */
export async function createUser(store: DataStore, user: NewUser, now = Date.now(), alsoIn?: AlsoIn): Promise<UserRow> {
  // Hashed before the transaction: nothing but store queries is awaited inside one.
  const passwordHash = await hashPassword(user.password);
  return store.transaction(async (tx) => {
    const row = await insert(tx, user, passwordHash, now);
    await alsoIn?.(tx, row);
    return row;
  });
}

/**
 * Creates the first admin, only while no user exists, signed in by it (its last sign-in is now); throws
 * DomainError `setup_done` (conflict) after. Two first admins set up at once on two servers (PostgreSQL,
 * where the count does not lock the table) are kept apart by an advisory transaction lock.
 */
export async function createFirstAdmin(store: DataStore, user: Omit<NewUser, 'role'>, now = Date.now(), alsoIn?: AlsoIn): Promise<UserRow> {
  const passwordHash = await hashPassword(user.password);
  return store.transaction(async (tx) => {
    await lockForTransaction(tx, 'setup');
    if ((await countUsers(tx)) > 0) throw new DomainError('conflict', 'setup_done', 'the first admin already exists: sign in instead');
    const row = await insert(tx, { ...user, role: 'admin' }, passwordHash, now, now);
    await alsoIn?.(tx, row);
    return row;
  });
}

/** Creates a user with a one-time password (returned once, never stored), which they must change at first sign-in. */
export async function createUserWithOneTimePassword(store: DataStore, user: Omit<NewUser, 'password' | 'mustChange'>, now = Date.now(), alsoIn?: AlsoIn): Promise<{ user: UserRow; password: string }> {
  const password = oneTimePassword();
  return { user: await createUser(store, { ...user, password, mustChange: true }, now, alsoIn), password };
}

async function mustGet(store: DataStore, id: string): Promise<UserRow> {
  const row = await getUserById(store, id);
  if (!row) throw new DomainError('not_found', 'not_found', `no user with id "${id}"`);
  return row;
}

/** How many admins may sign in (not disabled). */
export async function countActiveAdmins(store: DataStore): Promise<number> {
  const { db, t } = store;
  const [row] = await db.select({ n: count() }).from(t.users).where(and(eq(t.users.role, 'admin'), isNull(t.users.disabledAt)));
  return Number(row?.n ?? 0);
}

/** A change to a user; omitted fields stay. */
export interface UserPatch {
  displayName?: string;
  role?: Role;
  disabled?: boolean;
}

/**
 * Changes a user's display name, role or disabled state. Disabling ends their sessions. Throws
 * DomainError `not_found`, or `last_admin` (conflict) when it would leave no active admin. Runs in
 * `store`'s transaction, or its own. Two admins demoted at once on two servers (PostgreSQL) cannot
 * both pass the last-admin check: a change that takes an active admin away holds the `admins` lock.
 */
export async function updateUser(store: DataStore, id: string, patch: UserPatch, now = Date.now()): Promise<UserRow> {
  return store.transaction(async (tx) => {
    const { db, t } = tx;
    let row = await mustGet(tx, id);
    const demotes = (from: UserRow) => {
      const wasActiveAdmin = from.role === 'admin' && from.disabledAt === null;
      const role = patch.role ?? from.role;
      const disabledAt = patch.disabled === undefined ? from.disabledAt : patch.disabled ? (from.disabledAt ?? now) : null;
      return { role, disabledAt, demoting: wasActiveAdmin && !(role === 'admin' && disabledAt === null) };
    };
    if (demotes(row).demoting) {
      await lockForTransaction(tx, 'admins');
      row = await mustGet(tx, id);
    }
    const { role, disabledAt, demoting } = demotes(row);
    if (demoting && (await countActiveAdmins(tx)) <= 1) {
      throw new DomainError('conflict', 'last_admin', 'this is the last active admin: make another user admin first');
    }
    const displayName = patch.displayName === undefined ? row.displayName : patch.displayName.trim() || row.name;
    await db.update(t.users).set({ displayName, role, disabledAt, updatedAt: now }).where(eq(t.users.id, id));
    if (disabledAt !== null) await deleteUserSessions(tx, id);
    return { ...row, displayName, role, disabledAt, updatedAt: now };
  });
}

/**
 * Gives a user a new one-time password (returned once, to be changed at their next sign-in) and ends their sessions; throws DomainError
 * `not_found`, or `sso_user` (conflict) for a user who signs in through single sign-on (no password here).
 */
export async function resetPassword(store: DataStore, id: string, now = Date.now(), alsoIn?: AlsoIn): Promise<{ user: UserRow; password: string }> {
  if ((await mustGet(store, id)).oidcSubject !== null) throw ssoUser();
  const password = oneTimePassword();
  // Hashed before the transaction: nothing but store queries is awaited inside one.
  const passwordHash = await hashPassword(password);
  const user = await store.transaction(async (tx) => {
    const { db, t } = tx;
    const row = await mustGet(tx, id);
    // Linked to SSO meanwhile (another server): it has no password to reset.
    const [updated] = await db
      .update(t.users)
      .set({ passwordHash, passwordMustChange: true, updatedAt: now })
      .where(and(eq(t.users.id, id), isNull(t.users.oidcSubject)))
      .returning({ id: t.users.id });
    if (!updated) throw ssoUser();
    await deleteUserSessions(tx, id);
    const after = { ...row, passwordHash, passwordMustChange: true, updatedAt: now };
    await alsoIn?.(tx, after);
    return after;
  });
  return { user, password };
}

function ssoUser(): DomainError {
  return new DomainError('conflict', 'sso_user', 'this account signs in through single sign-on and has no password here');
}

/** Sets a user's password to one they chose (already checked for length by the caller); a one-time password's must-change flag ends. */
export async function setPassword(store: DataStore, id: string, password: string, now = Date.now()): Promise<void> {
  const passwordHash = await hashPassword(password);
  const { db, t } = store;
  await db.update(t.users).set({ passwordHash, passwordMustChange: false, updatedAt: now }).where(eq(t.users.id, id));
}

/** The outcome of checking a name and password. */
export type Authentication = { ok: true; user: UserRow } | { ok: false; reason: 'invalid_credentials' | 'user_disabled' };

/**
 * Checks a name and password. An unknown name costs the same hash as a wrong password; a disabled user
 * is told so only when the password is right. Records the sign-in time on success.
 */
export async function authenticate(store: DataStore, name: string, password: string, now = Date.now()): Promise<Authentication> {
  const row = await getUserByName(store, name);
  if (!row || row.passwordHash === null) {
    await verifyPassword(await decoyHash(), password);
    return { ok: false, reason: 'invalid_credentials' };
  }
  if (!(await verifyPassword(row.passwordHash, password))) return { ok: false, reason: 'invalid_credentials' };
  if (row.disabledAt !== null) return { ok: false, reason: 'user_disabled' };
  await recordSignIn(store, row.id, now);
  return { ok: true, user: { ...row, lastLoginAt: now } };
}

/** Records a sign-in time (never moving it back: a slower sign-in on another server does not undo a later one). */
export async function recordSignIn(store: DataStore, id: string, now = Date.now()): Promise<void> {
  const { db, t } = store;
  await db.update(t.users).set({ lastLoginAt: now }).where(and(eq(t.users.id, id), or(isNull(t.users.lastLoginAt), lt(t.users.lastLoginAt, now))));
}

/** Whether `password` is this user's current password (false for SSO users, who have none). */
export async function checkPassword(row: UserRow, password: string): Promise<boolean> {
  return row.passwordHash !== null && (await verifyPassword(row.passwordHash, password));
}
