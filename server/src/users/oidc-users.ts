/**
 * The Mofang user behind a single sign-on identity: found by (issuer, subject), linked to an admin-made
 * user of the same login name, or created; its role mapped from a claim when `MOFANG_OIDC_ROLE_MAP` is
 * set. No HTTP and no protocol here: the caller hands over claims the OIDC library has validated.
 */
import { and, eq, isNull, like } from 'drizzle-orm';
import { hasUnshowableCharacters, nameKey, UserNameSchema } from '@shared/users.js';
import type { Role } from '@shared/permissions.js';
import { DomainError } from '../common/domain-error.js';
import { newId } from '../common/ids.js';
import type { DataStore } from '../storage/store.js';
import type { OidcConfig, RoleMapping } from './oidc-config.js';
import { getUserByName, insertUserRow, recordSignIn, updateUser, type UserRow } from './users.js';

/** The claims of a signed-in identity (ID token, merged with UserInfo), as validated by the OIDC library. */
export type OidcClaims = Record<string, unknown> & { sub: string };

/** Why an identity may not sign in: a stable code the sign-in page translates. */
export type OidcRefusal = 'user_disabled' | 'oidc_not_allowed';

/** The outcome of {@link signInOidcUser}. */
export type OidcUserOutcome = { ok: true; user: UserRow; created: boolean } | { ok: false; reason: OidcRefusal };

function claimValues(claims: OidcClaims, claim: string): string[] {
  const value = claims[claim];
  if (typeof value === 'string') return value.split(/[\s,]+/).filter((v) => v !== '');
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/**
 * The role a claim maps to: the first pair of `roleMap` whose value the claim holds (a string, a
 * space- or comma-separated string, or an array of strings), else undefined.
 */
export function mappedRole(claims: OidcClaims, roleClaim: string | undefined, roleMap: readonly RoleMapping[]): Role | undefined {
  if (roleClaim === undefined) return undefined;
  const held = new Set(claimValues(claims, roleClaim));
  return roleMap.find((m) => held.has(m.value))?.role;
}

function text(claims: OidcClaims, key: string): string | undefined {
  const value = claims[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * The login name an identity asks for: `preferred_username`, else `email`, else `sso-<subject>`, with
 * characters a login name cannot hold replaced by `-` and cut to 64 characters (not yet made unique).
 */
export function wantedName(claims: OidcClaims): string {
  const raw = text(claims, 'preferred_username') ?? text(claims, 'email') ?? `sso-${claims.sub}`;
  let name = raw.normalize('NFKC').replace(/[^A-Za-z0-9\p{Script=Han}._@-]/gu, '-').replace(/^[^A-Za-z0-9\p{Script=Han}]+/u, '').slice(0, 64);
  if (!UserNameSchema.safeParse(name).success) name = `sso-${claims.sub.normalize('NFKC').replace(/[^A-Za-z0-9._@-]/gu, '-')}`.slice(0, 64);
  return name;
}

/** `wanted`, or `wanted-2`, `wanted-3`, … : the first name no user has. */
async function uniqueName(store: DataStore, wanted: string): Promise<string> {
  if (!(await getUserByName(store, wanted))) return wanted;
  const { db, t } = store;
  // A first guess of the names taken (LIKE's case differs by store); each candidate is then checked by its key.
  const taken = new Set((await db.select({ name: t.users.name }).from(t.users).where(like(t.users.name, `${wanted.slice(0, 58)}-%`))).map((r) => r.name));
  for (let n = 2; ; n++) {
    const candidate = `${wanted.slice(0, 63 - String(n).length)}-${n}`;
    if (!taken.has(candidate) && !(await getUserByName(store, candidate))) return candidate;
  }
}

async function byIdentity(store: DataStore, issuer: string, subject: string): Promise<UserRow | undefined> {
  const { db, t } = store;
  const [row] = await db.select().from(t.users).where(and(eq(t.users.oidcIssuer, issuer), eq(t.users.oidcSubject, subject))).limit(1);
  return row;
}

/** How often a sign-in looks again after losing a race for a name or an identity to another server. */
const INSERT_TRIES = 5;

/** The identity's issuer as stored: the `iss` claim when present, else the configured issuer URL. */
function issuerOf(claims: OidcClaims, config: Pick<OidcConfig, 'issuer'>): string {
  return text(claims, 'iss') ?? config.issuer.href;
}

/**
 * Signs an identity in as a Mofang user:
 * - a user linked to (issuer, `sub`) is that user; a disabled one is refused (`user_disabled`);
 * - else, with `autoCreate` off, the unlinked user an admin created with the identity's login name is
 *   linked (and loses its local password: it signs in through SSO from now on); none → `oidc_not_allowed`;
 * - else a new user is created (no password) with the mapped role or `defaultRole`, its login name made
 *   unique (`zhangsan-2`).
 * With a role map, an existing user's role is set again from the claim (the default role when no value
 * matches), except that the last active admin stays admin. Records the sign-in time.
 */
export async function signInOidcUser(store: DataStore, config: OidcConfig, claims: OidcClaims, now = Date.now()): Promise<OidcUserOutcome> {
  const issuer = issuerOf(claims, config);
  const mapped = mappedRole(claims, config.roleClaim, config.roleMap);
  const shown = text(claims, 'name') ?? text(claims, 'preferred_username') ?? text(claims, 'email') ?? '';
  // Control characters and bidirectional overrides are dropped, as the admin API refuses them.
  const displayName = (hasUnshowableCharacters(shown) ? [...shown].filter((c) => !hasUnshowableCharacters(c)).join('') : shown).trim().slice(0, 200);
  const found = await store.transaction(async (tx): Promise<OidcUserOutcome> => {
    const { db, t } = tx;
    // Another server may create the same identity, or take the chosen name, between the look-up and the
    // insert (PostgreSQL): the insert then does nothing and the look-up runs again and finds it.
    for (let attempt = 1; ; attempt++) {
      const linked = await byIdentity(tx, issuer, claims.sub);
      if (linked) return linked.disabledAt === null ? { ok: true, user: linked, created: false } : { ok: false, reason: 'user_disabled' };
      if (!config.autoCreate) {
        const named = await getUserByName(tx, wantedName(claims));
        if (!named || named.oidcSubject !== null) return { ok: false, reason: 'oidc_not_allowed' };
        if (named.disabledAt !== null) return { ok: false, reason: 'user_disabled' };
        const patch = { oidcIssuer: issuer, oidcSubject: claims.sub, passwordHash: null, passwordMustChange: false, updatedAt: now };
        // Only while still unlinked (another server may link it to another identity meanwhile).
        const [linkedNow] = await db.update(t.users).set(patch).where(and(eq(t.users.id, named.id), isNull(t.users.oidcSubject))).returning({ id: t.users.id });
        if (linkedNow) return { ok: true, user: { ...named, ...patch }, created: false };
      } else {
        const name = await uniqueName(tx, wantedName(claims));
        const user: UserRow = { id: newId(), name, nameKey: nameKey(name), passwordMustChange: false, displayName: displayName || name, role: mapped ?? config.defaultRole, passwordHash: null, oidcIssuer: issuer, oidcSubject: claims.sub, disabledAt: null, createdAt: now, updatedAt: now, lastLoginAt: null };
        if (await insertUserRow(tx, user)) return { ok: true, user, created: true };
      }
      if (attempt >= INSERT_TRIES) throw new DomainError('conflict', 'name_taken', `could not sign in subject ${claims.sub}: its user kept being changed by another server`);
    }
  });
  if (!found.ok) return found;
  let user = found.user;
  if (!found.created && config.roleMap.length > 0) {
    const role = mapped ?? config.defaultRole;
    if (role !== user.role) user = await refreshRole(store, user, role, now);
  }
  await recordSignIn(store, user.id, now);
  return { ok: true, user: { ...user, lastLoginAt: now }, created: found.created };
}

/** Sets the mapped role; the last active admin keeps theirs (`last_admin`), so Mofang keeps an admin. */
async function refreshRole(store: DataStore, user: UserRow, role: Role, now: number): Promise<UserRow> {
  try {
    return await updateUser(store, user.id, { role }, now);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'last_admin') return user;
    throw error;
  }
}
